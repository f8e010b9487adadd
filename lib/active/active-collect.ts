/**
 * Active collection of an experiment (collection.strategy: active; `oms-dpm collect --strategy
 * active`): the loop of active-loop.ts on real FIDs. Records are scored on the scoring backend
 * random collection uses (the local pool of worker processes, or the queue) and appended to the
 * active dataset, results/<experiment>/schedule-fid-<solver>.active.jsonl, the moment they arrive;
 * each round's plan is written beside it, schedule-fid-<solver>.active.plan.json, before it is
 * scored. The ensemble is the LSTM predictor's (lib/predictor/lstm-ensemble.ts), trained with the
 * predictor.* settings, collection.active.trainingProcesses members at a time in child processes.
 * The searches run over the front's budget grid (front.budgetCount, front.lowNfe, front.highNfe;
 * lib/front/budgets.ts) priced with the engine's latency table, with the search.* settings.
 * When the random dataset is there, its records of the first batch (validation records and the
 * random start, the same draws) are taken over rather than scored again.
 */
import * as fs from 'node:fs';
import type { ResolvedExperiment } from '../config/index';
import { datasetFile, openCollection, progressMeter, recordKey, startRecordScoring, type CollectOptions, type RecordScoring } from '../collection/collect';
import { appendRecord, readDataset, type DatasetHeader, type ScheduleRecord } from '../collection/dataset-file';
import { jobFor, splitOf } from '../collection/schedule-job';
import { frontBudgets } from '../front/budgets';
import type { EnsembleTrainer } from '../predictor/ensemble';
import { lstmEnsembleTrainer } from '../predictor/lstm-ensemble';
import { ensembleMemberEpochs } from '../predictor/member-training';
import type { PredictorEvaluation } from '../predictor/train';
import { latencyByModelIndex, readLatencyFile, type SolverName } from '../schedule/index';
import { DEFAULT_POLISH_SHARE, type FrontSearchSettings } from '../search/front-search-settings';
import { KitError } from '../util/errors';
import { latencyFile } from '../zoo/workspace';
import { planIdentity, runActiveCollection, type ActiveJob, type ActiveSettings } from './active-loop';
import { openPlan, planFileStore, type RoundPlan } from './active-plan';

/** The plan of the active dataset of `solver`, beside it. */
export function activePlanFile(exp: ResolvedExperiment, solver: SolverName): string {
  return datasetFile(exp, solver, 'active').replace(/\.jsonl$/, '.plan.json');
}

export interface ActiveCollectOptions extends CollectOptions {
  /** told how many records of the random dataset were taken over (validation records and the random start) */
  onCopied?: (records: number, from: string) => void;
  /** told each round's plan once written, before its records are scored */
  onRound?: (plan: RoundPlan) => void;
  /** told when a round's ensemble starts training, and on how many training records */
  onTraining?: (round: number, records: number) => void;
  /** told when a member starts training (evaluation null) and after each of its evaluations */
  onMember?: (round: number, member: number, evaluation: PredictorEvaluation | null) => void;
  /** the ensemble trainer (default: the LSTM ensemble of lib/predictor/lstm-ensemble.ts) */
  trainer?: EnsembleTrainer;
}

/** collection.active as the loop takes it, with the collection seed. */
export function activeSettings(exp: ResolvedExperiment): ActiveSettings {
  const { seed, active } = exp.config.collection;
  return { ensembleSize: active.ensembleSize, initialRecords: active.initialRecords, perRound: active.perRound, acquisition: active.acquisition, seed };
}

/**
 * search.* as the whole-front search takes it. Unlike the front (runFrontSearch), a round's search
 * runs search.generations in all, not per budget: under Thompson sampling it runs once per member and only
 * proposes schedules to score, so the front's B-fold generations would be paid K times a round for little.
 */
function searchSettings(exp: ResolvedExperiment): Partial<FrontSearchSettings> {
  const s = exp.config.search;
  // polishShare spelled out so a stored plan's identity records it (a changed default then shows as a changed plan)
  return { generations: s.generations, populationSize: s.populationSize, childrenPerGeneration: s.childrenPerGeneration, maxMutationAttempts: s.mutationAttempts, polishShare: DEFAULT_POLISH_SHARE };
}

/** What a stored plan must match besides the loop's own settings: every other input of the choices. */
function experimentIdentity(exp: ResolvedExperiment, solver: SolverName, header: DatasetHeader): Record<string, unknown> {
  const c = exp.config.collection;
  const p = exp.config.predictor;
  return {
    experiment: exp.config.name,
    solver,
    recordKey: recordKey(exp, solver),
    length: header.length,
    numModels: header.numModels,
    random: { dirichletAlpha: c.dirichletAlpha, nullProbability: c.nullProbability, splitSeed: c.splitSeed, trainRatio: c.trainRatio },
    members: { epochs: ensembleMemberEpochs(exp), batchSize: p.batchSize, learningRate: p.learningRate, loss: p.loss, evalEvery: p.evalEvery, seed: p.seed },
  };
}

/** The engine's latency per model index, or a KitError saying how to measure it. */
function engineLatency(exp: ResolvedExperiment, engine: string): number[] {
  const file = latencyFile(exp, engine);
  if (!fs.existsSync(file)) {
    throw new KitError(`active collection searches the front's budget grid, which is priced with the latency table of ${engine}, and there is none (${file})`, {
      hint: `measure it first: oms-dpm profile-latency --experiment ${exp.config.name}${engine.startsWith('onnx') ? ' --engine onnx' : ''}`,
    });
  }
  return latencyByModelIndex(exp.config.zoo.map((z) => z.id), readLatencyFile(file, exp.config.name), file);
}

/** A dataset set aside as superseded takes its plan with it (same suffix), so the new dataset starts with no rounds. */
function supersedePlanToo(exp: ResolvedExperiment, solver: SolverName, opts: ActiveCollectOptions): ActiveCollectOptions['onSuperseded'] {
  return (aside) => {
    const plan = activePlanFile(exp, solver);
    if (fs.existsSync(plan)) fs.renameSync(plan, aside.replace(/\.jsonl$/, '.plan.json'));
    opts.onSuperseded?.(aside);
  };
}

/** What makes two datasets' FIDs the same measurements (the strategy aside). */
const measuredAlike = (a: DatasetHeader, b: DatasetHeader) =>
  (['experiment', 'solver', 'length', 'numModels', 'recordKey', 'featureNetwork', 'images', 'scheduleSeed', 'splitSeed', 'trainRatio'] as const).every((k) => a[k] === b[k]);

/**
 * Copies into the active dataset the records of the random dataset that its first batch would
 * score again: every validation id and the random start's training ids are random collection's
 * own draws (same ids, same schedules, active-loop.ts), and a dataset with the same record key
 * scored them with the same zoo, sampler, images and FID reference, so their FIDs are those
 * measurements. Saves |validation| + initialRecords FID evaluations when the random dataset is
 * there. Returns the records copied (appended to `file`).
 */
function copyRandomFirstBatch(exp: ResolvedExperiment, solver: SolverName, file: string, header: DatasetHeader, count: number, existing: readonly ScheduleRecord[]): ScheduleRecord[] {
  const randomFile = datasetFile(exp, solver, 'random');
  if (!fs.existsSync(randomFile)) return [];
  const random = readDataset(randomFile);
  if (!measuredAlike(random.header, header)) return [];
  const c = exp.config.collection;
  const initial = new Set<number>();
  for (let id = 0; id < count && initial.size < c.active.initialRecords; id++) if (splitOf(c, id) === 'train') initial.add(id);
  const have = new Set(existing.map((r) => r.id));
  const copied: ScheduleRecord[] = [];
  for (const r of random.records) {
    if (r.id >= count || have.has(r.id) || !(r.split === 'validation' || initial.has(r.id))) continue;
    const { schedule } = jobFor(c, solver, header.numModels, exp.config.diffusion.timesteps, r.id);
    if (JSON.stringify(schedule) !== JSON.stringify(r.schedule)) continue;
    appendRecord(file, r);
    copied.push(r);
  }
  return copied;
}

/** Grows the active dataset of `solver` to records 0..count-1; see the file comment. */
export async function collectActive(exp: ResolvedExperiment, solver: SolverName, count: number, opts: ActiveCollectOptions): Promise<ScheduleRecord[]> {
  const c = exp.config.collection;
  if (c.strategy !== 'active') {
    throw new KitError(`collection.strategy is '${c.strategy}', but this is active collection`, { hint: 'pass --strategy active (or --set collection.strategy=active)' });
  }
  const opened = await openCollection(exp, solver, { supersede: opts.supersede, onSuperseded: supersedePlanToo(exp, solver, opts) });
  const { file, header } = opened;
  const copied = copyRandomFirstBatch(exp, solver, file, header, count, opened.records);
  if (copied.length) opts.onCopied?.(copied.length, datasetFile(exp, solver, 'random'));
  const existing = [...opened.records, ...copied];
  const have = new Set(existing.map((r) => r.id));
  let todo = 0;
  for (let id = 0; id < count; id++) if (!have.has(id)) todo++;
  const workers = Math.max(1, opts.workers ?? c.workers);
  // a plan made under other settings is refused before any worker starts
  const plan = planFileStore(activePlanFile(exp, solver));
  const loop = { settings: activeSettings(exp), search: searchSettings(exp), identity: experimentIdentity(exp, solver, header) };
  openPlan(plan, planIdentity(loop));
  opts.onReady?.(existing.length, todo, todo ? workers : 0);
  if (todo === 0) return existing;

  const scoring = await startRecordScoring(exp, solver, file, workers, opts);
  try {
    const latency = engineLatency(exp, scoring.engine);
    const f = exp.config.front;
    const pc = exp.config.predictor;
    const timesteps = exp.config.diffusion.timesteps;
    const result = await runActiveCollection<ScheduleRecord>({
      solver,
      length: header.length,
      numModels: header.numModels,
      latency,
      budgets: frontBudgets(latency, header.length, f.budgetCount, { low: f.lowNfe, high: f.highNfe }),
      count,
      ...loop,
      randomSchedule: (id) => jobFor(c, solver, header.numModels, timesteps, id).schedule,
      splitOf: (id) => splitOf(c, id),
      records: existing,
      score: scoreJobs(scoring, progressMeter(existing.length, count, todo), opts),
      train:
        opts.trainer ??
        lstmEnsembleTrainer({ predictor: { solver, numModels: header.numModels, length: header.length, timesteps }, training: pc, epochs: ensembleMemberEpochs(exp), processes: c.active.trainingProcesses, onMember: opts.onMember }),
      plan,
      onRound: opts.onRound,
      onTraining: opts.onTraining,
    });
    return result.records;
  } finally {
    await scoring.close();
  }
}

/** The loop's score function: every job at once to the backend, each record appended and reported as it arrives. */
function scoreJobs(scoring: RecordScoring, progress: ReturnType<typeof progressMeter>, opts: ActiveCollectOptions): (jobs: ActiveJob[]) => Promise<ScheduleRecord[]> {
  return (jobs) =>
    Promise.all(
      jobs.map(async (j) => {
        const rec = await scoring.score(j);
        opts.onRecord?.(progress(rec));
        return rec;
      }),
    );
}
