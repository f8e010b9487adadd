import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureStats, frechetDistance, type GaussianStats } from '../../lib/metrics/frechet-distance';
import { fillNormal, streamRng } from '../../lib/util/rng';

function diag(mu: number[], variances: number[]): GaussianStats {
  const n = mu.length;
  const sigma = new Float64Array(n * n);
  variances.forEach((v, i) => (sigma[i * n + i] = v));
  return { mu: Float64Array.from(mu), sigma, dim: n };
}

test('closed form: diagonal Gaussians give |dmu|^2 + sum (sqrt(v1) - sqrt(v2))^2', () => {
  const a = diag([0, 1, 2], [1, 4, 9]);
  const b = diag([1, 1, 0], [4, 1, 1]);
  const expected = 1 + 0 + 4 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 1) ** 2;
  assert.ok(Math.abs(frechetDistance(a, b) - expected) < 1e-9, `${frechetDistance(a, b)} vs ${expected}`);
  assert.ok(Math.abs(frechetDistance(a, a)) < 1e-9);
});

test('closed form with a full covariance: a rotated Gaussian against itself is 0, against a scaled copy (1-c)^2 tr S', () => {
  const n = 2;
  const s = Float64Array.from([2, 0.6, 0.6, 1]);
  const a: GaussianStats = { mu: Float64Array.from([0.5, -1]), sigma: s, dim: n };
  assert.ok(Math.abs(frechetDistance(a, a)) < 1e-9);
  // N(mu, c^2 S): Tr(S + c^2 S - 2 c S) = (1 - c)^2 Tr S
  const c = 1.7;
  const b: GaussianStats = { mu: a.mu, sigma: s.map((x) => x * c * c), dim: n };
  assert.ok(Math.abs(frechetDistance(a, b) - (1 - c) ** 2 * 3) < 1e-9);
});

test('two draws of one distribution: small FID that shrinks with more samples', () => {
  const dim = 8;
  const draw = (seed: number, count: number) => {
    const f = fillNormal(new Float32Array(count * dim), streamRng(seed, 'fid-test'));
    return featureStats(f, count, dim);
  };
  const small = frechetDistance(draw(1, 500), draw(2, 500));
  const large = frechetDistance(draw(3, 8000), draw(4, 8000));
  assert.ok(small > 0 && small < 0.2, `FID of two 500-sample draws ${small}`);
  assert.ok(large < small, `more samples should give a smaller FID: ${large} vs ${small}`);
});

test('featureStats matches numpy.cov (rowvar=False) on a hand example', () => {
  const f = [1, 2, 3, 6, 5, 4]; // rows (1,2), (3,6), (5,4)
  const s = featureStats(f, 3, 2);
  assert.deepEqual([...s.mu], [3, 4]);
  // cov: var x = 4, var y = 4, cov xy = 2
  assert.deepEqual([...s.sigma], [4, 2, 2, 4]);
});
