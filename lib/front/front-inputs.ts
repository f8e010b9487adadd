/**
 * What a front computation is given (`FrontInputs`: the latency table, the scorer, the search, the
 * training set, the identities its results depend on, its files), the events it reports, and the
 * hash of every input a point depends on. experiment-front.ts builds the inputs for an experiment;
 * run-front.ts computes the front from them.
 */
import type { ScheduleRecord } from '../collection/dataset-file';
import { hashOf } from '../config/index';
import type { EnsembleRecord, PredictorEnsemble } from '../predictor/ensemble';
import type { SolverName } from '../schedule/index';
import type { SearchIndividual } from '../search/evolution';
import type { FrontPoint, FrontSeriesName } from './front-data';
import type { HeldOutEvaluator } from './held-out';
import type { FrontSettings } from './settings';

/** Real FID of a schedule on `images` images (the fixed noise bank). */
export type FrontScorer = (solver: SolverName, schedule: readonly number[], images: number) => Promise<{ fid: number; images: number; engine: string; seconds: number }>;

/** The support ensemble, ready to score: trained now or reused (support-ensemble.ts), and how long it took. */
export interface SupportEnsembleReady { ensemble: PredictorEnsemble; reused: boolean; seconds: number }

/**
 * The members of the ensemble spread (ensemble-spread.ts) for `training`, the training-split records
 * (sorted by id): reused while current, else trained, `onTraining` told why before training starts.
 */
export type SupportEnsembleSource = (training: readonly EnsembleRecord[], onTraining?: (why: string) => void) => Promise<SupportEnsembleReady>;

export type FrontEvent =
  | { kind: 'resume'; points: number; scores: number }
  | { kind: 'support-training'; members: number; records: number; why: string }
  | { kind: 'support-ensemble'; members: number; records: number; reused: boolean; seconds: number; threshold: number }
  | { kind: 'reset'; why: string }
  | { kind: 'search'; budget: number; seconds: number; population: number }
  | { kind: 'score'; series: FrontSeriesName; budget: number; label: string; cost: number; nfe: number; fid: number; seconds: number }
  | { kind: 'held-out'; series: FrontSeriesName; budget: number; label: string; fid: number; images: number; seconds: number }
  | { kind: 'point'; series: FrontSeriesName; budget: number; point: FrontPoint | null; why?: string; done: number; total: number };

/** Everything a front computation needs; experiment-front.ts builds it for an experiment. */
export interface FrontInputs {
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
  /**
   * Where the ensemble spread's members come from when settings.supportEnsemble > 0
   * (experiment-front.ts makes it); absent, the support is NFE range and model mix only, whatever
   * the setting says (inputs made by hand, as in tests).
   */
  supportEnsemble?: SupportEnsembleSource;
  provenance: unknown;
  file: string;
  scoresFile: string;
  onEvent?: (e: FrontEvent) => void;
}

/** The hash stored as the front's configHash: every input of a point except its series and budget. */
export function frontConfigHash(run: FrontInputs): string {
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
