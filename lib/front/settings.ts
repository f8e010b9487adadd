/**
 * What a front run compares, beyond the experiment config: which series, how many random
 * schedules, and the NFE and split grids of the enumerated baselines. Every value is stored in the
 * front file and enters its config hash, so changing one recomputes the points (from the FID cache
 * where the schedules are the same).
 */
import { KitError } from '../util/errors';
import { FRONT_SERIES, type FrontSeriesName } from './front-data';

export interface FrontSettings {
  /** series to compute (a subset of FRONT_SERIES; stored points of others are kept) */
  series: FrontSeriesName[];
  /** random schedules per budget (mean and best of n) */
  randomCount: number;
  /** NFEs of the single-model baseline; null = `singleModelNfeGrid` up to what the largest budget affords */
  singleModelNfes: number[] | null;
  /** NFEs of the two-segment baseline; null = `twoSegmentNfeGrid` */
  twoSegmentNfes: number[] | null;
  /** split points of the two-segment baseline, as fractions of the steps run by the first model */
  splitFractions: number[];
  /**
   * Re-score the training set's pick at search.rerankImages (true, default: comparable with the
   * other series) or report its FID as collected (false: no sampling, but on the collection's
   * image count, which biases FID upwards when it is smaller).
   */
  rescoreTrainingBest: boolean;
  /** oms-dpm: best-predicted candidates inside the training records' support added to the re-rank (oms-dpm-pick.ts) */
  rerankTrusted: number;
  /** oms-dpm: lowest-FID training records that fit the budget added to the re-rank */
  rerankRecords: number;
  /**
   * oms-dpm: members of the support ensemble, whose spread (ensemble-spread.ts) joins NFE range and
   * model mix in saying where the predictor may be trusted (support-ensemble.ts); 0 = off, else at least 2
   */
  supportEnsemble: number;
  /** seed of the random schedules */
  seed: number;
}

export const DEFAULT_RANDOM_COUNT = 10;
export const DEFAULT_SPLIT_FRACTIONS: readonly number[] = [0.25, 0.5, 0.75];
export const DEFAULT_RERANK_TRUSTED = 2;
export const DEFAULT_RERANK_RECORDS = 2;
/** as many members as active collection's ensemble (collection.active.ensembleSize, BANANAS' 5) */
export const DEFAULT_SUPPORT_ENSEMBLE = 5;

export function defaultFrontSettings(seed: number): FrontSettings {
  return { series: [...FRONT_SERIES], randomCount: DEFAULT_RANDOM_COUNT, singleModelNfes: null, twoSegmentNfes: null, splitFractions: [...DEFAULT_SPLIT_FRACTIONS], rescoreTrainingBest: true, rerankTrusted: DEFAULT_RERANK_TRUSTED, rerankRecords: DEFAULT_RERANK_RECORDS, supportEnsemble: DEFAULT_SUPPORT_ENSEMBLE, seed };
}

/** NFEs from `start` to `max` with the step growing as given by [below, step] pairs, then `last`. */
function grid(start: number, max: number, steps: readonly (readonly [number, number])[], last: number): number[] {
  const out: number[] = [];
  for (let n = start; n <= max; ) {
    out.push(n);
    const rule = steps.find(([below]) => n < below);
    n += rule ? rule[1] : last;
  }
  return out;
}

/**
 * The single-model NFEs: every NFE 2..10, then 12..20 by 2, 25..50 by 5, 60..100 by 10, then by
 * 50; dense where FID changes fast, sparse where it has flattened.
 */
export function singleModelNfeGrid(max: number): number[] {
  return grid(2, max, [[10, 1], [20, 2], [50, 5], [100, 10]], 50);
}

/** The two-segment NFEs, coarser (each NFE brings pairs x splits candidates): 3, 4, 6, 8, 10, 15, 20, 30, 40, 60, 80, 100, 150, ... */
export function twoSegmentNfeGrid(max: number): number[] {
  return grid(3, max, [[4, 1], [10, 2], [20, 5], [40, 10], [100, 20]], 50);
}

/** Checks a settings object (KitError naming the bad field). */
export function checkFrontSettings(s: FrontSettings): FrontSettings {
  for (const name of s.series) {
    if (!(FRONT_SERIES as readonly string[]).includes(name)) throw new KitError(`unknown front series '${name}'`, { hint: `series: ${FRONT_SERIES.join(', ')}` });
  }
  if (s.series.length === 0) throw new KitError('no front series selected', { hint: `choose from ${FRONT_SERIES.join(', ')}` });
  if (!Number.isInteger(s.randomCount) || s.randomCount < 1) throw new KitError(`random schedules per budget must be a positive integer, got ${s.randomCount}`, { hint: `the default is ${DEFAULT_RANDOM_COUNT}` });
  for (const [key, list] of [['singleModelNfes', s.singleModelNfes], ['twoSegmentNfes', s.twoSegmentNfes]] as const) {
    if (list !== null && (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))) {
      throw new KitError(`front setting ${key} must be a non-empty list of positive integers, got [${list.join(', ')}]`, { hint: 'or null for the default grid' });
    }
  }
  for (const [key, n] of [['rerankTrusted', s.rerankTrusted], ['rerankRecords', s.rerankRecords]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new KitError(`front setting ${key} must be a non-negative integer, got ${n}`, { hint: `0 leaves these candidates out of OMS-DPM's re-rank; the default is 2` });
  }
  checkSupportEnsemble(s.supportEnsemble);
  if (s.splitFractions.length === 0 || s.splitFractions.some((f) => !(f > 0 && f < 1))) {
    throw new KitError(`split fractions must be numbers in (0, 1), got [${s.splitFractions.join(', ')}]`, { hint: `the default is [${DEFAULT_SPLIT_FRACTIONS.join(', ')}]` });
  }
  return s;
}

/** front.supportEnsemble: 0 (off) or at least 2 members (one member's spread is always 0). */
export function checkSupportEnsemble(n: number): void {
  if (Number.isInteger(n) && (n === 0 || n >= 2)) return;
  throw new KitError(`front.supportEnsemble must be 0 or an integer of at least 2, got ${n}`, {
    hint: `0 leaves the ensemble spread out of the records' support; 2 or more members measure it (one member cannot disagree with itself); the default is ${DEFAULT_SUPPORT_ENSEMBLE}`,
  });
}

/** `--series a,b`: names from FRONT_SERIES, in canonical order. */
export function parseSeries(text: string): FrontSeriesName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!(FRONT_SERIES as readonly string[]).includes(n)) throw new KitError(`unknown front series '${n}'`, { hint: `--series takes a comma-separated subset of ${FRONT_SERIES.join(', ')}` });
  }
  return FRONT_SERIES.filter((s) => names.includes(s));
}
