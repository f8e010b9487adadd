import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillNormal, streamRng } from '../../lib/util/rng';
import {
  basicInterval,
  bootstrapFid,
  fidInterval,
  frechetToReference,
  pairedFidDifference,
  prepareReference,
  resampleWeights,
  verdictOf,
} from '../../lib/metrics/fid-bootstrap';
import { featureStats, frechetDistance, weightedFeatureStats, type GaussianStats } from '../../lib/metrics/frechet-distance';

function identity(d: number): GaussianStats {
  const sigma = new Float64Array(d * d);
  for (let i = 0; i < d; i++) sigma[i * d + i] = 1;
  return { mu: new Float64Array(d), sigma, dim: d };
}

/** n rows of N(shift, diag(scale^2)), from stream (seed, t). */
function gaussianRows(n: number, d: number, shift: number, scale: (j: number) => number, seed: number, t: number): Float32Array {
  const f = new Float32Array(n * d);
  fillNormal(f, streamRng(seed, 'rows', t));
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) f[r * d + j] = shift + scale(j) * f[r * d + j];
  return f;
}

test('frechetToReference equals frechetDistance, and unit weights give featureStats', () => {
  const d = 6;
  const ref = featureStats(gaussianRows(300, d, 0, () => 1, 1, 0), 300, d);
  const f = gaussianRows(200, d, 0.4, (j) => 1 + j / 5, 2, 0);
  const plain = featureStats(f, 200, d);
  const weighted = weightedFeatureStats(f, new Uint32Array(200).fill(1), 200, d);
  for (let i = 0; i < d * d; i++) assert.ok(Math.abs(plain.sigma[i] - weighted.sigma[i]) < 1e-12);
  assert.ok(Math.abs(frechetToReference(prepareReference(ref), plain) - frechetDistance(plain, ref)) < 1e-9);
});

test('weights are a resample: row i counted w_i times gives the statistics of the duplicated rows', () => {
  const d = 3;
  const f = gaussianRows(5, d, 0, () => 1, 3, 0);
  const w = Uint32Array.from([2, 0, 1, 0, 2]);
  const rows = [0, 0, 2, 4, 4].flatMap((r) => Array.from(f.subarray(r * d, r * d + d)));
  const a = weightedFeatureStats(f, w, 5, d);
  const b = featureStats(rows, 5, d);
  for (let i = 0; i < d * d; i++) assert.ok(Math.abs(a.sigma[i] - b.sigma[i]) < 1e-12);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(a.mu[i] - b.mu[i]) < 1e-12);
  const r = resampleWeights(1000, 5, 7);
  assert.equal(r.reduce((s, x) => s + x, 0), 1000);
  assert.deepEqual(resampleWeights(1000, 5, 7), r, 'resample b depends only on (seed, b)');
});

/**
 * Coverage of the true Frechet distance by 95% intervals over repeated Gaussian samples. The FID
 * estimate is biased upwards (here by about 0.3 at d = 16, n = 400: a tenth of the distance), and the
 * bootstrap doubles that bias; the basic interval corrects it, the percentile interval does not.
 */
function coverage(d: number, n: number, trials: number): { basic: number; percentile: number } {
  const ref = prepareReference(identity(d));
  const scale = (j: number) => (j % 2 ? 1.5 : 1);
  const gen: GaussianStats = { mu: new Float64Array(d).fill(0.3), sigma: new Float64Array(d * d), dim: d };
  for (let j = 0; j < d; j++) gen.sigma[j * d + j] = scale(j) ** 2;
  const truth = frechetDistance(gen, identity(d));
  let basic = 0;
  let percentile = 0;
  for (let t = 0; t < trials; t++) {
    const b = bootstrapFid({ features: gaussianRows(n, d, 0.3, scale, 11, t), count: n, dim: d }, ref, { resamples: 200, seed: t });
    const iv = fidInterval(b);
    if (iv.lo <= truth && truth <= iv.hi) basic++;
    const s = Float64Array.from(b.resampled).sort();
    if (s[Math.floor(0.025 * 199)] <= truth && truth <= s[Math.ceil(0.975 * 199)]) percentile++;
  }
  return { basic: basic / trials, percentile: percentile / trials };
}

test('the 95% bootstrap interval covers the true Frechet distance at about the nominal rate', () => {
  const small = coverage(4, 400, 200);
  // 200 trials: the binomial sd at 0.95 is 0.015; measured 0.945
  assert.ok(small.basic >= 0.9 && small.basic <= 0.99, `coverage ${small.basic}`);
  const wide = coverage(16, 400, 60);
  // measured 0.93 (basic) against 0.2 (percentile): the bias correction is what makes it cover
  assert.ok(wide.basic >= 0.85, `basic coverage at d = 16: ${wide.basic}`);
  assert.ok(wide.percentile < 0.6, `percentile coverage at d = 16: ${wide.percentile}`);
});

test('a paired difference of a schedule with itself is exactly 0 with a zero-width interval (a tie)', () => {
  const d = 8;
  const ref = prepareReference(identity(d));
  const f = gaussianRows(300, d, 0.2, () => 1.2, 4, 0);
  const a = bootstrapFid({ features: f, count: 300, dim: d }, ref, { resamples: 200, seed: 9 });
  const b = bootstrapFid({ features: Float32Array.from(f), count: 300, dim: d }, ref, { resamples: 200, seed: 9 });
  const diff = pairedFidDifference(a, b);
  assert.equal(diff.value, 0);
  assert.equal(diff.lo, 0);
  assert.equal(diff.hi, 0);
  assert.equal(verdictOf(diff), 'tie');
});

test('pairing removes the shared noise: a clearly better set wins although the unpaired intervals overlap', () => {
  const d = 8;
  const ref = prepareReference(identity(d));
  const n = 300;
  // the same starting noises, the better set 5% closer to the reference in mean and scale
  const base = gaussianRows(n, d, 0, () => 1, 5, 0);
  const worse = base.map((x) => 0.3 + 1.3 * x);
  const better = base.map((x) => 0.285 + 1.285 * x);
  const o = { resamples: 300, seed: 1 };
  const bw = bootstrapFid({ features: worse, count: n, dim: d }, ref, o);
  const bb = bootstrapFid({ features: better, count: n, dim: d }, ref, o);
  const iw = fidInterval(bw);
  const ib = fidInterval(bb);
  assert.ok(ib.hi > iw.lo, 'the unpaired intervals overlap');
  const diff = pairedFidDifference(bb, bw);
  assert.ok(diff.value < 0);
  assert.equal(verdictOf(diff), 'win', `paired difference ${diff.value} [${diff.lo}, ${diff.hi}]`);
  assert.equal(verdictOf(pairedFidDifference(bw, bb)), 'loss');
});

test('bad inputs: unpaired sets, too few resamples, a bad level', () => {
  const d = 2;
  const ref = prepareReference(identity(d));
  const f = gaussianRows(50, d, 0, () => 1, 6, 0);
  const a = bootstrapFid({ features: f, count: 50, dim: d }, ref, { resamples: 20, seed: 0 });
  const b = bootstrapFid({ features: f, count: 50, dim: d }, ref, { resamples: 20, seed: 1 });
  assert.throws(() => pairedFidDifference(a, b), /same images and resamples/);
  assert.throws(() => bootstrapFid({ features: f, count: 50, dim: d }, ref, { resamples: 1, seed: 0 }), /resamples must be an integer >= 2/);
  assert.throws(() => fidInterval(a, 1.2), /level must lie in \(0, 1\)/);
  assert.throws(() => bootstrapFid({ features: f, count: 1, dim: d }, ref, { resamples: 20, seed: 0 }), /at least 2 images/);
});

test('basic interval golden: reflected quantiles around the estimate', () => {
  const iv = basicInterval(10, Float64Array.from([9, 10, 11, 12, 13]), 0.5);
  // quantiles 0.25 -> 10, 0.75 -> 12: [2*10 - 12, 2*10 - 10]
  assert.deepEqual([iv.lo, iv.hi], [8, 10]);
});
