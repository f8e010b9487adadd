/**
 * What `oms-dpm sample` runs, decided and checked before any model is loaded, so a typo in a
 * schedule costs no model loading or ONNX export. Two ways to name a run:
 *
 * - a model schedule in the kit's official encoding (`3,2,0,1,0,0`, what `schedule`, `search` and
 *   `collect` print): parsed and validated by lib/schedule (model indices 0..N, the solver's rules)
 *   against the length this experiment's schedules have (`collection.ddimLength` /
 *   `collection.dpmSolverLength`, the length search and collection use) unless another length is
 *   asked for explicitly (a front's single-model baselines have the length of their NFE);
 * - one zoo member for N steps: DDIM with the uniform or quadratic skip and any eta (what `sample`
 *   always did, `sampleWithDdim`), or single-step DPM-Solver with N NFEs and the DPM-Solver code's
 *   order mix, the observation's single-model schedule (`dpmSolverSingleModel`).
 */
import { modelIndex, zooMember, type ResolvedExperiment } from '../config/index';
import { GROUP_SIZE, SOLVERS, nfe, parseEntries, validateSchedule, type SolverName } from '../schedule/index';
import { KitError, isKitError } from '../util/errors';
import { dpmSolverSingleModel } from './first-observation';

/** What the user asked for (the CLI's options, parsed but not yet checked against each other). */
export interface SampleSpec {
  solver: SolverName;
  /** a model schedule, as text (`1,0,2`, `[1, 0, 2]`) or entries */
  schedule?: string | readonly number[];
  /** the length the schedule must have; default the experiment's schedule length for the solver */
  length?: number;
  /** one zoo member (its id) for `steps` steps (DDIM) or NFEs (DPM-Solver) */
  model?: string;
  steps?: number;
  /** DDIM only: timestep spacing of a single-model run (default uniform) */
  skip?: string;
  /** DDIM only: eta of a single-model run (default 0, deterministic) */
  eta?: number;
}

export interface SingleModelRun {
  id: string;
  steps: number;
  skip: 'uniform' | 'quadratic';
  eta: number;
}

export interface SamplePlan {
  solver: SolverName;
  /**
   * The model schedule run (official encoding): every schedule run and single-model DPM-Solver.
   * null for single-model DDIM, which runs `sampleWithDdim` as before (its quadratic skip and
   * eta > 0 have no schedule form; uniform with eta 0 equals the schedule of N positions).
   */
  schedule: number[] | null;
  /** the member and its settings when the run was named by --model */
  model: SingleModelRun | null;
  /** zoo ids the run calls, in zoo order: only these are loaded */
  members: string[];
  nfe: number;
  /** one line for the CLI: 'ddim schedule 0,1,0,2 (2 NFE: a x1, b x1)' */
  label: string;
}

/** The length of this experiment's schedules for `solver`: what search, collection and the predictor use. */
export function configuredScheduleLength(exp: ResolvedExperiment, solver: SolverName): number {
  const c = exp.config.collection;
  return solver === 'ddim' ? c.ddimLength : c.dpmSolverLength;
}

function zooLegend(exp: ResolvedExperiment): string {
  return exp.config.zoo.map((m, i) => `${i + 1} = ${m.id}`).join(', ');
}

function allowedEntries(exp: ResolvedExperiment, solver: SolverName, length: number): string {
  const rules = solver === 'dpm-solver' ? `, in ${length / GROUP_SIZE} groups of ${GROUP_SIZE} with each group's non-zero entries first` : '';
  return `${length} comma-separated entries, each 0 (null model) or a zoo model ${zooLegend(exp)}${rules}, at least one non-zero`;
}

function planSchedule(exp: ResolvedExperiment, spec: SampleSpec, input: string | readonly number[]): SamplePlan {
  const { solver } = spec;
  const cfg = exp.config;
  const entries = typeof input === 'string' ? parseEntries(input) : [...input];
  const configured = configuredScheduleLength(exp, solver);
  const length = spec.length ?? configured;
  const key = solver === 'ddim' ? 'collection.ddimLength' : 'collection.dpmSolverLength';
  if (entries.length !== length) {
    const why = spec.length === undefined ? `this experiment's ${solver} schedules have length ${configured} (${key}; what search and collect use)` : `--length is ${length}`;
    throw new KitError(`${solver} schedule has length ${entries.length}, but ${why}`, {
      hint: `give ${allowedEntries(exp, solver, length)}; for a valid schedule of another length (e.g. a front's single-model baseline) add --length ${entries.length}`,
    });
  }
  try {
    validateSchedule(solver, entries, cfg.zoo.length, length, { timesteps: cfg.diffusion.timesteps });
  } catch (e) {
    if (!isKitError(e)) throw e;
    throw new KitError(e.message, { hint: `${e.hint ? `${e.hint}. ` : ''}Allowed: ${allowedEntries(exp, solver, length)}`, cause: e });
  }
  const used = cfg.zoo.filter((_, i) => entries.includes(i + 1));
  const counts = used.map((m) => `${m.id} x${entries.filter((x) => x === modelIndex(cfg, m.id)).length}`).join(', ');
  return {
    solver,
    schedule: entries,
    model: null,
    members: used.map((m) => m.id),
    nfe: nfe(entries),
    label: `${solver} schedule ${entries.join(',')} (${nfe(entries)} NFE: ${counts})`,
  };
}

function planModel(exp: ResolvedExperiment, spec: SampleSpec, id: string): SamplePlan {
  const { solver } = spec;
  zooMember(exp.config, id); // unknown id: a KitError listing the zoo
  if (spec.steps === undefined) throw new KitError(`--model ${id} needs --steps N`, { hint: `add --steps N (DDIM steps or DPM-Solver NFEs), e.g. --steps 10` });
  const steps = spec.steps;
  if (!Number.isInteger(steps) || steps < 1) throw new KitError(`--steps must be a positive integer, got ${steps}`);
  if (solver === 'dpm-solver') {
    if (spec.skip !== undefined || spec.eta !== undefined) {
      throw new KitError('--skip and --eta are DDIM settings; single-model DPM-Solver has neither', {
        hint: 'drop them, or sample with --solver ddim; DPM-Solver runs single-step with the DPM-Solver code order mix (e.g. 10 NFE -> orders 3,3,3,1) at logSNR-uniform times',
      });
    }
    const schedule = dpmSolverSingleModel(modelIndex(exp.config, id), steps);
    return { solver, schedule, model: { id, steps, skip: 'uniform', eta: 0 }, members: [id], nfe: steps, label: `${id} alone, DPM-Solver ${steps} NFE (schedule ${schedule.join(',')})` };
  }
  const T = exp.config.diffusion.timesteps;
  if (steps > T) throw new KitError(`--steps ${steps} is more DDIM steps than the ${T} timesteps`, { hint: `use 1..${T} steps` });
  const skip = spec.skip ?? 'uniform';
  if (skip !== 'uniform' && skip !== 'quadratic') throw new KitError(`--skip must be uniform or quadratic, got '${skip}'`);
  const eta = spec.eta ?? 0;
  if (!Number.isFinite(eta) || eta < 0) throw new KitError(`--eta must be a number >= 0, got ${eta}`, { hint: '0 is deterministic DDIM (what OMS-DPM uses), 1 is DDPM-like' });
  const settings = `${skip === 'uniform' ? '' : `, ${skip} skip`}${eta === 0 ? '' : `, eta ${eta}`}`;
  return { solver, schedule: null, model: { id, steps, skip, eta }, members: [id], nfe: steps, label: `${id} alone, DDIM ${steps} steps${settings}` };
}

/** Checks the spec (one of schedule or model, options that fit the solver) and says what to run. */
export function planSampling(exp: ResolvedExperiment, spec: SampleSpec): SamplePlan {
  if (!(SOLVERS as readonly string[]).includes(spec.solver)) throw new KitError(`unknown solver '${spec.solver}'`, { hint: `allowed solvers: ${SOLVERS.join(', ')}` });
  const hasSchedule = spec.schedule !== undefined;
  const hasModel = spec.model !== undefined;
  if (hasSchedule === hasModel) {
    throw new KitError(hasSchedule ? 'give either --schedule or --model, not both' : 'nothing to sample: give --schedule LIST or --model ID --steps N', {
      hint: `--schedule 1,0,2,... runs a model schedule (zoo: ${zooLegend(exp)}); --model ID --steps N runs one zoo member alone`,
    });
  }
  if (hasSchedule) {
    const extra = (['steps', 'skip', 'eta'] as const).filter((k) => spec[k] !== undefined);
    if (extra.length > 0) {
      throw new KitError(`--${extra.join(', --')} belong${extra.length === 1 ? 's' : ''} to --model runs; a schedule fixes its own steps`, {
        hint: `drop ${extra.length === 1 ? 'it' : 'them'}: the schedule says which model runs at which step (0 = skipped)`,
      });
    }
    return planSchedule(exp, spec, spec.schedule as string | readonly number[]);
  }
  if (spec.length !== undefined) throw new KitError('--length applies to --schedule only', { hint: 'drop --length; --steps sets a single-model run' });
  return planModel(exp, spec, spec.model as string);
}
