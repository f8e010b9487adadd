/**
 * FID with a bootstrap interval, and the paired FID difference of two schedules on the same images.
 *
 * The generated images are resampled with replacement (B resamples of the n images; the reference
 * statistics of the training split stay fixed), and the FID recomputed from each resample's
 * features. Resample b is a draw of n image indices from its own stream (seed, 'fid-bootstrap', b),
 * so two schedules measured on the same noise-bank images get the *same* index draws: the paired
 * difference FID_A - FID_B is recomputed on each resample, and the noise of the shared starting
 * noises cancels. A schedule compared with itself gives exactly 0 on every resample.
 *
 * Interval: the basic (reverse-percentile) bootstrap, [2 t - q_hi, 2 t - q_lo] with q the resampled
 * statistic's quantiles. FID is biased upwards in the sample size (the covariance estimate adds to
 * the trace term) and a resample, holding about 63% distinct images, is biased further by about as
 * much; the percentile interval would inherit that shift, the basic interval subtracts it
 * (test/metrics/fid-bootstrap.test.ts measures the coverage of both on a Gaussian case).
 */
import { EigenvalueDecomposition, type Matrix } from 'ml-matrix';
import { streamRng } from '../util/rng';
import { KitError } from '../util/errors';
import { symmetricSqrt, toMatrix, weightedFeatureStats, type GaussianStats } from './frechet-distance';

export interface BootstrapOptions {
  /** resamples B (at least 200 for a 95% interval) */
  resamples: number;
  seed: number;
  /** coverage of the interval; default 0.95 */
  level?: number;
}

/** A statistic, its bootstrap interval, and how it was made. */
export interface BootstrapInterval {
  value: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
}

/** The reference statistics with S_ref^{1/2} computed once, since every resample is compared with them. */
export interface PreparedReference {
  stats: GaussianStats;
  /** S_ref^{1/2} */
  sqrtSigma: Matrix;
  traceSigma: number;
}

export function prepareReference(stats: GaussianStats): PreparedReference {
  const n = stats.dim;
  const sqrtSigma = symmetricSqrt(toMatrix(stats.sigma, n));
  let traceSigma = 0;
  for (let i = 0; i < n; i++) traceSigma += stats.sigma[i * n + i];
  return { stats, sqrtSigma, traceSigma };
}

/**
 * d^2 between N(mu, S) and the reference: |mu - mu_ref|^2 + Tr S + Tr S_ref - 2 Tr((S_ref^{1/2} S S_ref^{1/2})^{1/2})
 * (the same value as frechetDistance; Tr((S_ref S)^{1/2}) is symmetric in its two arguments).
 */
export function frechetToReference(ref: PreparedReference, s: GaussianStats): number {
  const n = ref.stats.dim;
  if (s.dim !== n) throw new Error(`feature dimensions differ: ${s.dim} vs ${n}`);
  let meanTerm = 0;
  let traceS = 0;
  for (let i = 0; i < n; i++) {
    meanTerm += (s.mu[i] - ref.stats.mu[i]) ** 2;
    traceS += s.sigma[i * n + i];
  }
  const a = ref.sqrtSigma;
  const m = a.mmul(toMatrix(s.sigma, n)).mmul(a);
  const evd = new EigenvalueDecomposition(m.add(m.transpose()).div(2), { assumeSymmetric: true });
  const traceSqrt = evd.realEigenvalues.reduce((t, x) => t + Math.sqrt(Math.max(x, 0)), 0);
  return meanTerm + traceS + ref.traceSigma - 2 * traceSqrt;
}

/** How often each of n images is drawn in resample b (n draws with replacement, stream (seed, b)). */
export function resampleWeights(n: number, seed: number, b: number): Uint32Array {
  const rng = streamRng(seed, 'fid-bootstrap', b);
  const w = new Uint32Array(n);
  for (let k = 0; k < n; k++) w[Math.min(n - 1, Math.floor(rng() * n))]++;
  return w;
}

function checkOptions(o: BootstrapOptions): number {
  if (!Number.isInteger(o.resamples) || o.resamples < 2) throw new KitError(`bootstrap resamples must be an integer >= 2, got ${o.resamples}`, { hint: 'use at least 200 for a 95% interval (search.bootstrapResamples)' });
  const level = o.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new KitError(`bootstrap level must lie in (0, 1), got ${level}`, { hint: 'e.g. 0.95' });
  return level;
}

/** The q-quantile (0..1) of sorted values, linear between order statistics. */
function quantileSorted(s: Float64Array, q: number): number {
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** The basic bootstrap interval of `value` from its resampled values. */
export function basicInterval(value: number, resampled: Float64Array, level: number): BootstrapInterval {
  const s = Float64Array.from(resampled).sort();
  const a = (1 - level) / 2;
  return { value, lo: 2 * value - quantileSorted(s, 1 - a), hi: 2 * value - quantileSorted(s, a), level, resamples: s.length };
}

/** A measured image set's features: `count` rows of `dim`. */
export interface FeatureSet {
  features: ArrayLike<number>;
  count: number;
  dim: number;
}

/**
 * A FID and its value on each bootstrap resample. Resample b's index draw depends only on (seed, b,
 * count), so two bootstrapped FIDs of the same images and seed are paired resample by resample.
 */
export interface BootstrappedFid {
  fid: number;
  /** FID on resample b, b = 0..B-1 */
  resampled: Float64Array;
  seed: number;
  /** images of the set */
  count: number;
}

/** FID of `set` against the reference, and on each of `o.resamples` bootstrap resamples of its images. */
export function bootstrapFid(set: FeatureSet, ref: PreparedReference, o: BootstrapOptions): BootstrappedFid {
  if (set.count < 2) throw new KitError(`a FID interval needs at least 2 images, got ${set.count}`);
  if (set.features.length !== set.count * set.dim) throw new RangeError(`feature set: ${set.features.length} values is not ${set.count} x ${set.dim}`);
  checkOptions(o);
  const fidOf = (w: ArrayLike<number>) => frechetToReference(ref, weightedFeatureStats(set.features, w, set.count, set.dim));
  const resampled = new Float64Array(o.resamples);
  for (let b = 0; b < o.resamples; b++) resampled[b] = fidOf(resampleWeights(set.count, o.seed, b));
  return { fid: fidOf(new Uint32Array(set.count).fill(1)), resampled, seed: o.seed, count: set.count };
}

/** The basic bootstrap interval of a bootstrapped FID. */
export function fidInterval(b: BootstrappedFid, level = 0.95): BootstrapInterval {
  return basicInterval(b.fid, b.resampled, checkOptions({ resamples: b.resampled.length, seed: b.seed, level }));
}

/**
 * FID(a) - FID(b) for two image sets made from the same noise-bank images (image i of each from the
 * same starting noise), with its basic bootstrap interval over their shared resamples.
 */
export function pairedFidDifference(a: BootstrappedFid, b: BootstrappedFid, level = 0.95): BootstrapInterval {
  if (a.count !== b.count || a.seed !== b.seed || a.resampled.length !== b.resampled.length) {
    throw new KitError(
      `a paired FID difference needs the same images and resamples on both sides, got ${a.count} images / seed ${a.seed} / ${a.resampled.length} resamples and ${b.count} / ${b.seed} / ${b.resampled.length}`,
      { hint: 'bootstrap both schedules on the same held-out noise-bank range with the same seed and resample count' },
    );
  }
  const diff = a.resampled.map((x, i) => x - b.resampled[i]);
  return basicInterval(a.fid - b.fid, diff, checkOptions({ resamples: diff.length, seed: a.seed, level }));
}

/** 'win' when the interval of OMS-DPM minus a baseline lies below 0, 'loss' above, else 'tie'. */
export type PairedVerdict = 'win' | 'tie' | 'loss';
export function verdictOf(d: Pick<BootstrapInterval, 'lo' | 'hi'>): PairedVerdict {
  if (d.hi < 0) return 'win';
  if (d.lo > 0) return 'loss';
  return 'tie';
}
