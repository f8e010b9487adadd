/**
 * `oms-dpm schedule show|validate|cost`: inspect a model schedule given in the official
 * integer-list form (`--schedule 3,2,0,1,0,0`, 0 = null model, i = zoo[i - 1]).
 *
 *   show      the network evaluations in calling order: step, order, model, continuous t, network time
 *   validate  checks the schedule (model range, length, DPM-Solver packing, at least one NFE)
 *   cost      the schedule's time cost from a latency profile of the experiment's zoo
 *
 * The zoo size comes from `--models N` or from the experiment's zoo (`--experiment NAME`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { latencyFile, resultsDir } from '../../zoo/workspace';
import { Command, Option } from 'commander';
import type { ResolvedExperiment } from '../../config/index';
import { ContinuousVpSchedule } from '../../diffusion/continuous-vp';
import {
  ModelSchedule,
  SOLVERS,
  SolverName,
  costBreakdown,
  decodeSchedule,
  dpmSolverEndTime,
  evaluations,
  latencyByModelIndex,
  nfe,
  parseSchedule,
  parseSolver,
  readLatencyFile,
  scheduleCost,
} from '../../schedule/index';
import { KitError } from '../../util/errors';
import { resolveExperiment } from '../experiment-options';

interface ScheduleOpts {
  solver: string;
  schedule: string;
  models?: string;
  experiment?: string;
  profile: string;
  set: string[];
  json?: boolean;
}

function commonOptions(cmd: Command, experiment: 'optional' | 'required'): Command {
  const exp = new Option('--experiment <name>', 'experiment name or YAML path: the zoo gives N (model i = zoo[i-1]) and T');
  if (experiment === 'required') exp.makeOptionMandatory();
  cmd
    .addOption(new Option('--solver <name>', 'sampler the schedule drives').choices(SOLVERS).makeOptionMandatory())
    .requiredOption('--schedule <list>', 'model index per position, comma-separated, e.g. 3,2,0,1,0,0 (0 = null model)');
  if (experiment === 'optional') cmd.option('--models <n>', 'zoo size N (model indices 1..N); or use --experiment');
  return cmd
    .addOption(exp)
    .option('--profile <name>', 'profile of the experiment file', 'default')
    .option('--set <key=value>', 'override an experiment config key (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);
}

/** The experiment (if named), the zoo size N, T and the continuous VP schedule for DPM-Solver times. */
function context(o: ScheduleOpts): { exp?: ResolvedExperiment; numModels?: number; timesteps: number; vp: ContinuousVpSchedule } {
  if (o.models !== undefined && o.experiment !== undefined) {
    throw new KitError('give either --models or --experiment, not both', { hint: 'with --experiment the zoo size is the length of its zoo list' });
  }
  if (o.experiment !== undefined) {
    const exp = resolveExperiment({ experiment: o.experiment, profile: o.profile, set: o.set });
    const d = exp.config.diffusion;
    return { exp, numModels: exp.config.zoo.length, timesteps: d.timesteps, vp: ContinuousVpSchedule.fromDiscrete(d.timesteps, d.betaStart, d.betaEnd) };
  }
  let numModels: number | undefined;
  if (o.models !== undefined) {
    numModels = Number(o.models);
    if (!/^\d+$/.test(o.models.trim()) || numModels < 1) throw new KitError(`--models must be a positive integer, got '${o.models}'`, { hint: 'the zoo size N' });
  }
  return { numModels, timesteps: 1000, vp: new ContinuousVpSchedule() };
}

function modelName(exp: ResolvedExperiment | undefined, m: number): string {
  return exp ? `${m} (${exp.config.zoo[m - 1].id})` : String(m);
}

function describe(schedule: ModelSchedule): string {
  const n = nfe(schedule);
  const form = decodeSchedule(schedule);
  if (form.solver === 'ddim') return `ddim schedule, length ${schedule.entries.length}, ${n} NFE`;
  const orders = form.steps.map((s) => s.models.length);
  return `dpm-solver schedule, length ${schedule.entries.length}, ${n} NFE in ${orders.length} step${orders.length === 1 ? '' : 's'} (orders ${orders.join(',')}, from noise)`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function showAction(o: ScheduleOpts): void {
  const solver: SolverName = parseSolver(o.solver);
  const ctx = context(o);
  const schedule = parseSchedule(solver, o.schedule, { numModels: ctx.numModels, timesteps: ctx.timesteps });
  const evals = evaluations(solver, schedule.entries, { timesteps: ctx.timesteps, vp: ctx.vp });
  if (o.json) {
    const out = {
      solver,
      nfe: evals.length,
      evaluations: evals.map((e) => (solver === 'ddim' ? { step: e.step, order: e.order, model: e.model, tInput: e.tInput } : { step: e.step, order: e.order, model: e.model, t: e.t, tInput: e.tInput })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const header = solver === 'ddim' ? '' : `, t_T = 1, t_0 = ${dpmSolverEndTime(evals.length)}`;
  console.log(`${describe(schedule)}${header}`);
  const cols = solver === 'ddim' ? ['nfe', 'step', 'position', 'model', 'timestep'] : ['nfe', 'step', 'order', 'stage', 'position', 'model', 't', 'tInput'];
  const rows = evals.map((e, i) => {
    const base = [String(i), String(e.step)];
    return solver === 'ddim'
      ? [...base, String(e.position), modelName(ctx.exp, e.model), String(e.tInput)]
      : [...base, String(e.order), String(e.stage), String(e.position), modelName(ctx.exp, e.model), (e.t ?? 0).toFixed(6), e.tInput.toFixed(3)];
  });
  const widths = cols.map((c, j) => Math.max(c.length, ...rows.map((r) => r[j].length)));
  console.log(cols.map((c, j) => pad(c, widths[j])).join('  '));
  for (const r of rows) console.log(r.map((c, j) => pad(c, widths[j])).join('  '));
}

function validateAction(o: ScheduleOpts): void {
  const solver = parseSolver(o.solver);
  const ctx = context(o);
  const schedule = parseSchedule(solver, o.schedule, { numModels: ctx.numModels, timesteps: ctx.timesteps });
  const zoo = ctx.exp ? `zoo of '${ctx.exp.config.name}' (N = ${ctx.numModels})` : ctx.numModels !== undefined ? `N = ${ctx.numModels}` : 'model indices unchecked above 0 (no --models or --experiment)';
  console.log(`valid: ${describe(schedule)}; ${zoo}`);
}

/**
 * The latency table that prices schedules when neither --latency nor --engine is given: the only
 * table the experiment has; with several, the one of OMS_DPM_ENGINE=onnx (onnxruntime-cpu) if set,
 * else an error listing them (the cost must price the engine that samples: say which).
 */
function defaultLatencyFile(exp: ResolvedExperiment): string {
  const dir = resultsDir(exp);
  const tags = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => /^latency-(.+)\.json$/.exec(f)?.[1]).filter((t): t is string => t !== undefined).sort() : [];
  if (tags.length === 1) return latencyFile(exp, tags[0]);
  const profile = `oms-dpm profile-latency --experiment ${exp.config.name}${exp.profile === 'default' ? '' : ` --profile ${exp.profile}`}`;
  if (tags.length === 0) throw new KitError(`experiment '${exp.config.name}' has no latency table yet (${path.join(dir, 'latency-<engine>.json')})`, { hint: `run \`${profile}\` first, or pass --latency <file.json>` });
  const env = (process.env.OMS_DPM_ENGINE ?? '').trim().toLowerCase();
  if (env === 'onnx' && tags.includes('onnxruntime-cpu')) return latencyFile(exp, 'onnxruntime-cpu');
  throw new KitError(`experiment '${exp.config.name}' has latency tables for several engines: ${tags.join(', ')}`, { hint: `say which engine's cost you want: --engine ${tags.join(' | --engine ')}` });
}

function costAction(o: ScheduleOpts & { latency?: string; engine?: string }): void {
  const solver = parseSolver(o.solver);
  const ctx = context(o);
  const exp = ctx.exp as ResolvedExperiment; // --experiment is mandatory here
  const schedule = parseSchedule(solver, o.schedule, { numModels: ctx.numModels, timesteps: ctx.timesteps });
  const ids = exp.config.zoo.map((z) => z.id);
  const file = o.latency ?? (o.engine ? latencyFile(exp, o.engine) : defaultLatencyFile(exp));
  const latency = latencyByModelIndex(ids, readLatencyFile(file, exp.config.name), file);
  const total = scheduleCost(schedule, latency);
  const items = costBreakdown(schedule, latency);
  if (o.json) {
    const out = { solver, nfe: nfe(schedule), costMs: total, models: items.map((it) => ({ ...it, id: ids[it.model - 1] })) };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  console.log(`${describe(schedule)}; cost ${total.toFixed(3)} ms per batch`);
  for (const it of items) {
    console.log(`  model ${modelName(exp, it.model)}: ${it.nfe} NFE x ${it.latencyMs.toFixed(3)} ms = ${it.totalMs.toFixed(3)} ms`);
  }
}

export function scheduleCommand(): Command {
  const cmd = new Command('schedule').description('inspect model schedules: evaluations, validity, time cost');
  const subs = [
    commonOptions(new Command('show'), 'optional')
      .description('list the network evaluations in calling order (step, order, model, continuous t, network time input)')
      .option('--json', 'print JSON {solver, nfe, evaluations: [{step, order, model, t, tInput}]}')
      .action((o: ScheduleOpts) => showAction(o)),
    commonOptions(new Command('validate'), 'optional')
      .description('check a schedule: model indices 0..N, length, DPM-Solver packing, at least one NFE')
      .action((o: ScheduleOpts) => validateAction(o)),
    commonOptions(new Command('cost'), 'required')
      .description('time cost of a schedule (ms per batch) from the zoo latency profile')
      .option('--latency <file.json>', 'latency profile {"models": {"<zoo id>": {"medianMs": x}}} (default: the experiment\'s table for --engine, from `oms-dpm profile-latency`)')
      .option('--engine <tag>', 'engine tag whose latency table prices the schedule: onnxruntime-cpu | tfjs-wasm | tfjs-tensorflow | ... (default: the experiment\'s only table)')
      .option('--json', 'print JSON {solver, nfe, costMs, models: [...]}')
      .action((o: ScheduleOpts & { latency?: string; engine?: string }) => costAction(o)),
  ];
  for (const sub of subs) cmd.addCommand(sub.exitOverride());
  return cmd;
}
