/**
 * The FID-vs-cost front of one experiment and solver (the data of the paper's Fig. 1):
 * results/<experiment>/front-<solver>.json. One series per method, one point per time budget C:
 * the schedule that method picks with cost <= C, its cost (scheduleCost over the sampling engine's
 * latency table), NFE and real FID. The file carries what the points depend on (configHash) so a
 * rerun keeps the points it already has and computes only the missing ones.
 *
 * Two image sets: every method *chooses* its pick on the selection images (noise-bank images
 * 0..selectionImages-1, which the schedule-FID dataset was also scored on), and every pick is
 * *reported* on the held-out images [heldOut.start, heldOut.start + heldOut.images), which played
 * no part in any choice. `fid` is the held-out FID, with its bootstrap interval; `selectionFid`
 * stays beside it. Each budget's paired comparisons (OMS-DPM minus each baseline, on the same
 * held-out images) say win, tie or loss.
 */
import type { PairedVerdict } from '../metrics/fid-bootstrap';
import type { SampleQuality } from '../metrics/sample-quality';
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
  /** FID on the held-out images (the reported number) */
  fid: number;
  /** its basic bootstrap interval (FrontData.heldOut.level) */
  fidLow: number;
  fidHigh: number;
  /** held-out images of `fid` */
  images: number;
  /** FID on the selection images, where the pick was chosen (a recorded training-set FID: on the collection's images) */
  selectionFid: number;
  selectionImages: number;
  nfe: number;
  /** the picked schedule in its solver's official encoding (its own length: see candidate.ts) */
  schedule: number[];
  /** how the schedule was made, for tables and hover text */
  label: string;
  /** candidates that fit the budget and were compared (re-ranked, scored or looked up) */
  candidates: number;
  /** the held-out samples' quality (label classifier, intensity range); absent without a label classifier */
  quality?: SampleQuality;
  /** random: selection FIDs of the n repaired random schedules, their mean, and their mean cost */
  selectionMeanFid?: number;
  meanCost?: number;
  selectionFids?: number[];
  /** best-in-training-set: the record's id and its FID as collected */
  recordId?: number;
  recordedFid?: number;
  recordedImages?: number;
  /** oms-dpm: the winner's predicted score and its rank (0 = best) in the final population (absent when a training record won) */
  predicted?: number;
  predictedRank?: number;
  /** oms-dpm: every candidate re-ranked on the selection images, with why it was in the set (oms-dpm-pick.ts) */
  reranked?: RerankedCandidate[];
  /** oms-dpm: the reason of the candidate that won the re-rank */
  pickReason?: RerankedCandidate['reason'];
}

/** One candidate of OMS-DPM's re-rank at a budget (lib/front/oms-dpm-pick.ts). */
export interface RerankedCandidate {
  /** predicted: the search's top k; trusted: best predicted inside the records' support; record: a training record */
  reason: 'predicted' | 'trusted' | 'record';
  /** the reason in words, with the candidate's distance from the records */
  why: string;
  schedule: number[];
  cost: number;
  nfe: number;
  selectionFid: number;
  /** its predicted score (null for a training record) */
  predicted: number | null;
  /** inside the training records' support (null: fewer than 2 records) */
  insideSupport: boolean | null;
  /** the ensemble spread and its threshold (lib/front/ensemble-spread.ts); absent without a support ensemble (front.supportEnsemble 0, older fronts) */
  spread?: number;
  spreadThreshold?: number;
  recordId?: number;
}

export interface FrontSeries {
  name: FrontSeriesName;
  /** sorted by budget */
  points: FrontPoint[];
}

/** OMS-DPM's held-out FID minus a baseline's at one budget, on the same held-out images. */
export interface PairedComparison {
  budget: number;
  baseline: FrontSeriesName;
  /** FID(oms-dpm) - FID(baseline): negative = OMS-DPM better */
  difference: number;
  low: number;
  high: number;
  /** win: the interval lies below 0; loss: above 0; tie: it contains 0 */
  verdict: PairedVerdict;
}

/** A (series, budget) with no point: nothing of that method fits the budget. Kept so reruns skip it. */
export interface EmptyPoint {
  series: FrontSeriesName;
  budget: number;
  why: string;
}

export interface FrontData {
  kind: 'oms-dpm-front';
  version: 2;
  experiment: string;
  solver: SolverName;
  /** engine tag of the latency table and of the sampling ('onnxruntime-cpu', 'tfjs-wasm', ...) */
  engine: string;
  /** hash of everything a point depends on except its series and budget (see run-front.ts) */
  configHash: string;
  /** the resolved experiment config's hash */
  experimentConfigHash: string;
  featureNetwork: string;
  /** images every pick is chosen on: noise-bank images 0..selectionImages-1 (search.rerankImages) */
  selectionImages: number;
  /** where every pick is reported: noise-bank images [start, start + images), and how the intervals are made */
  heldOut: { start: number; images: number; resamples: number; seed: number; level: number; interval: string };
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
  /** per budget, OMS-DPM against each baseline that has a point there */
  comparisons: PairedComparison[];
  provenance: unknown;
}

/** The series named `name`, or undefined. */
export function seriesOf(data: Pick<FrontData, 'series'>, name: FrontSeriesName): FrontSeries | undefined {
  return data.series.find((s) => s.name === name);
}
