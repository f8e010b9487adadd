/**
 * What a front run is given (`FrontRun`: the latency table, the scorer, the search, the training
 * set, the identities its results depend on) and how its file is started or taken up again: the
 * stored front is kept only when it was made with the same config hash.
 */
import * as fs from 'node:fs';
import type { ScheduleRecord } from '../collection/dataset-file';
import { hashOf } from '../config/index';
import type { FidContext } from '../evaluation/schedule-fid';
import { measureSchedule, scoreSchedule } from '../evaluation/schedule-fid';
import type { ScoringBackend } from '../evaluation/scoring-backend';
import type { SolverName } from '../schedule/index';
import type { SearchIndividual } from '../search/evolution';
import { DEFAULT_SEARCH_SETTINGS } from '../search/settings';
import type { FrontData, FrontPoint, FrontSeriesName } from './front-data';
import { INTERVAL_METHOD, type FrontMeasurer, type HeldOutEvaluator } from './held-out';
import type { FrontSettings } from './settings';

/** Real FID of a schedule on `images` images (the fixed noise bank). */
export type FrontScorer = (solver: SolverName, schedule: readonly number[], images: number) => Promise<{ fid: number; images: number; engine: string; seconds: number }>;

/**
 * The scorer of a FID context: `scoreSchedule` on this process (sampling on the context's engine).
 * runFront asks for several FIDs at once; here they run one after another, since one process's
 * sampling and feature extraction are not meant to interleave.
 */
export function fidContextScorer(ctx: FidContext): FrontScorer {
  let last: Promise<unknown> = Promise.resolve();
  return (solver, schedule, images) => {
    const r = last.then(async () => {
      const s = await scoreSchedule(ctx, solver, schedule, images);
      return { fid: s.fid, images: s.images, engine: s.engine, seconds: s.seconds };
    });
    last = r.catch(() => undefined);
    return r;
  };
}

/** The measurer of a FID context, on this process, one sampling at a time (as fidContextScorer). */
export function fidContextMeasurer(ctx: FidContext): FrontMeasurer {
  let last: Promise<unknown> = Promise.resolve();
  return (solver, schedule, start, count) => {
    const r = last.then(async () => {
      const t0 = Date.now();
      const measures = await measureSchedule(ctx, solver, schedule, start, count);
      return { measures, engine: ctx.engine, seconds: (Date.now() - t0) / 1000 };
    });
    last = r.catch(() => undefined);
    return r;
  };
}

/** The scorer of a scoring backend (local pool or queue): the FIDs runFront asks for at once are spread over the workers. */
export function poolScorer(pool: ScoringBackend): FrontScorer {
  return async (solver, schedule, images) => {
    const r = await pool.score(solver, schedule, images);
    return { fid: r.fid, images: r.images, engine: pool.engine, seconds: r.seconds };
  };
}

/** The measurer of a scoring backend (held-out evaluations spread over the workers). */
export function poolMeasurer(pool: ScoringBackend): FrontMeasurer {
  return async (solver, schedule, start, count) => {
    const r = await pool.measure(solver, schedule, start, count);
    return { measures: r.measures, engine: pool.engine, seconds: r.seconds };
  };
}

export type FrontEvent =
  | { kind: 'resume'; points: number; scores: number }
  | { kind: 'reset'; why: string }
  | { kind: 'search'; budget: number; seconds: number; population: number }
  | { kind: 'score'; series: FrontSeriesName; budget: number; label: string; cost: number; nfe: number; fid: number; seconds: number }
  | { kind: 'held-out'; series: FrontSeriesName; budget: number; label: string; fid: number; images: number; seconds: number }
  | { kind: 'point'; series: FrontSeriesName; budget: number; point: FrontPoint | null; why?: string; done: number; total: number };

/** Everything a front run needs; experiment-front.ts builds it for an experiment. */
export interface FrontRun {
  experiment: string;
  experimentConfigHash: string;
  solver: SolverName;
  engine: string;
  /** latency per model index, entry 0 = null model (ms per batch on `engine`) */
  latency: number[];
  modelIds: string[];
  /** the predictor's schedule length L */
  length: number;
  /** T, the discrete timesteps */
  timesteps: number;
  budgets: number[];
  budgetRule: string;
  /** selection images of every choice (search.rerankImages): noise-bank images 0..images-1 */
  images: number;
  /** where and how every pick is reported (held-out images, bootstrap) */
  heldOut: HeldOutEvaluator;
  rerankTopK: number;
  /** the dataset's random-schedule distribution */
  randomDistribution: { alpha: number; nullProb: number };
  settings: FrontSettings;
  featureNetwork: string;
  /** what a FID depends on (weights, sampler, reference, engine): the FID cache's identity */
  scoreIdentity: string;
  /** the other inputs of the points (predictor weights, training set, search settings) */
  inputsIdentity: string;
  score: FrontScorer;
  /** the final population of the search at a budget, best predicted first */
  search: (budget: number) => Promise<SearchIndividual[]>;
  /** the schedule-FID dataset's records (read when the training-set series first needs them) */
  trainingRecords: () => ScheduleRecord[];
  provenance: unknown;
  file: string;
  scoresFile: string;
  onEvent?: (e: FrontEvent) => void;
}

/** The hash stored as the front's configHash: every input of a point except its series and budget. */
export function frontConfigHash(run: FrontRun): string {
  const { series: _series, ...settings } = run.settings;
  return hashOf({
    experimentConfigHash: run.experimentConfigHash,
    solver: run.solver,
    engine: run.engine,
    latency: run.latency,
    length: run.length,
    timesteps: run.timesteps,
    images: run.images,
    heldOut: run.heldOut.settings,
    qualityRange: run.heldOut.qualityRange,
    rerankTopK: run.rerankTopK,
    randomDistribution: run.randomDistribution,
    settings,
    featureNetwork: run.featureNetwork,
    scoreIdentity: run.scoreIdentity,
    inputsIdentity: run.inputsIdentity,
  });
}

export const FRONT_NOTE =
  'Every series chooses its pick on the selection images (noise-bank images 0..selectionImages-1: the search re-ranks there, the baselines take their best setting there, ' +
  'the schedule-FID dataset was scored there) and every pick is reported on the held-out images (heldOut), which played no part in any choice: ' +
  'fid is the held-out FID with its bootstrap interval [fidLow, fidHigh], selectionFid the FID it was chosen by. ' +
  'comparisons: OMS-DPM minus each baseline on the same held-out images, a win or loss only when the interval excludes 0. ' +
  'Costs are scheduleCost over the latency table of the engine (ms per batch). Enumerated baselines use their natural encodings (see lib/front/candidate.ts).';

export function freshData(run: FrontRun, configHash: string): FrontData {
  return {
    kind: 'oms-dpm-front',
    version: 2,
    experiment: run.experiment,
    solver: run.solver,
    engine: run.engine,
    configHash,
    experimentConfigHash: run.experimentConfigHash,
    featureNetwork: run.featureNetwork,
    selectionImages: run.images,
    heldOut: { ...run.heldOut.settings, interval: INTERVAL_METHOD },
    note: FRONT_NOTE,
    length: run.length,
    latency: run.latency,
    modelIds: run.modelIds,
    budgets: [],
    budgetRule: run.budgetRule,
    settings: { ...run.settings, rerankTopK: run.rerankTopK, randomDistribution: run.randomDistribution, repairTolerance: DEFAULT_SEARCH_SETTINGS.repairTolerance },
    series: [],
    empty: [],
    comparisons: [],
    provenance: run.provenance,
  };
}

/** The stored front when it was made with the same config hash; otherwise null and why. */
export function loadFront(file: string, configHash: string): { data: FrontData | null; why: string | null } {
  if (!fs.existsSync(file)) return { data: null, why: null };
  let old: FrontData;
  try {
    old = JSON.parse(fs.readFileSync(file, 'utf8')) as FrontData;
  } catch {
    return { data: null, why: `${file} is not valid JSON; starting again` };
  }
  if (old.kind !== 'oms-dpm-front' || old.version !== 2 || old.configHash !== configHash) {
    return { data: null, why: `${file} was made with other settings (config hash ${old.configHash}, now ${configHash}); its points are recomputed (FIDs come from the cache where they still apply)` };
  }
  return { data: old, why: null };
}
