/**
 * The FID-vs-cost front of one experiment and solver (the data of the paper's Fig. 1):
 * results/<experiment>/front-<solver>.json. One series per method, one point per time budget C:
 * the schedule that method picks with cost <= C, its cost (scheduleCost over the sampling engine's
 * latency table), NFE and real FID. The file carries what the points depend on (configHash) so a
 * rerun keeps the points it already has and computes only the missing ones.
 */
import type { SolverName } from '../schedule/index';

/** The methods compared at equal budget, in the order they are computed and stored. */
export const FRONT_SERIES = ['oms-dpm', 'best-single-model', 'best-in-training-set', 'random', 'two-segment'] as const;
export type FrontSeriesName = (typeof FRONT_SERIES)[number];

/** One method's pick at one budget. */
export interface FrontPoint {
  /** the time budget C this point answers (ms per batch) */
  budget: number;
  /** the picked schedule's cost, <= budget */
  cost: number;
  fid: number;
  nfe: number;
  /** the picked schedule in its solver's official encoding (its own length: see candidate.ts) */
  schedule: number[];
  /** images of this FID (search.rerankImages, except recorded training-set FIDs) */
  images: number;
  /** how the schedule was made, for tables and hover text */
  label: string;
  /** candidates that fit the budget and were compared (re-ranked, scored or looked up) */
  candidates: number;
  /** random: mean FID and mean cost of the n repaired random schedules, and every FID */
  meanFid?: number;
  meanCost?: number;
  fids?: number[];
  /** best-in-training-set: the record's id and its FID as collected */
  recordId?: number;
  recordedFid?: number;
  recordedImages?: number;
  /** oms-dpm: the winner's predicted score and its rank (0 = best) in the final population */
  predicted?: number;
  predictedRank?: number;
}

export interface FrontSeries {
  name: FrontSeriesName;
  /** sorted by budget */
  points: FrontPoint[];
}

/** A (series, budget) with no point: nothing of that method fits the budget. Kept so reruns skip it. */
export interface EmptyPoint {
  series: FrontSeriesName;
  budget: number;
  why: string;
}

export interface FrontData {
  kind: 'oms-dpm-front';
  version: 1;
  experiment: string;
  solver: SolverName;
  /** engine tag of the latency table and of the sampling ('onnxruntime-cpu', 'tfjs-wasm', ...) */
  engine: string;
  /** hash of everything a point depends on except its series and budget (see run-front.ts) */
  configHash: string;
  /** the resolved experiment config's hash */
  experimentConfigHash: string;
  featureNetwork: string;
  /** images of every FID the front computes (search.rerankImages) */
  images: number;
  /** why the FIDs are comparable, and the exceptions */
  note: string;
  /** length L of the predictor's (searched, random, training-set) schedules */
  length: number;
  /** latency per model index [0 (null model), model 1, ..., model N] (ms per batch) */
  latency: number[];
  modelIds: string[];
  /** every budget asked for so far (computed or still to compute), ascending */
  budgets: number[];
  budgetRule: string;
  settings: Record<string, unknown>;
  series: FrontSeries[];
  empty: EmptyPoint[];
  provenance: unknown;
}

/** The series named `name`, or undefined. */
export function seriesOf(data: Pick<FrontData, 'series'>, name: FrontSeriesName): FrontSeries | undefined {
  return data.series.find((s) => s.name === name);
}
