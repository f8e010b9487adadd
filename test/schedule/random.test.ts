/**
 * The random-schedule distribution of the schedule-FID dataset (method doc §4).
 *
 * Checked in the official code: get_model_schedule with type "multinomial+hierarchical" in
 * code/diffusion/examples/ddpm_and_guided-diffusion/utils/model_schedule_util.py (Dirichlet
 * preference, categorical models 1..N, randomly_set_null, correct_for_dpm_solver packing) and the
 * dataset_generate section of configs/cifar10.yml (alpha 0.4, set_zero_prob 0.8, ms_length 60).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamRng } from '../../lib/util/rng';
import {
  DEFAULT_RANDOM_LENGTH,
  GROUP_SIZE,
  packGroups,
  randomSchedules,
  sampleCategorical,
  sampleDirichlet,
  sampleGamma,
  sampleRandomSchedule,
  validateSchedule,
} from '../../lib/schedule/index';
import { KitError } from '../../lib/util/errors';

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length };
}

test('Gamma (Marsaglia-Tsang): mean and variance equal the shape, for shape < 1 and > 1', () => {
  const rng = streamRng(1, 'gamma-test');
  for (const shape of [0.4, 2.5]) {
    const xs = Array.from({ length: 4000 }, () => sampleGamma(shape, rng));
    assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
    const { mean, variance } = meanVar(xs);
    assert.ok(Math.abs(mean - shape) < 0.06 * Math.max(1, shape), `shape ${shape}: mean ${mean}`);
    assert.ok(Math.abs(variance - shape) < 0.2 * Math.max(1, shape), `shape ${shape}: variance ${variance}`);
  }
  assert.throws(() => sampleGamma(0, rng), /positive/);
});

test('Dirichlet(0.4): on the simplex, mean 1/N per coordinate, and peaked (few models dominate)', () => {
  const rng = streamRng(2, 'dirichlet-test');
  const N = 6;
  const draws = Array.from({ length: 1500 }, () => sampleDirichlet(0.4, N, rng));
  for (const p of draws) {
    assert.equal(p.length, N);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(p.every((x) => x >= 0));
  }
  for (let i = 0; i < N; i++) {
    const { mean } = meanVar(draws.map((p) => p[i]));
    assert.ok(Math.abs(mean - 1 / N) < 0.02, `coordinate ${i}: mean ${mean}`);
  }
  // E[max p] for Dirichlet(0.4 x 6) is well above the uniform 1/6.
  const { mean: maxMean } = meanVar(draws.map((p) => Math.max(...p)));
  assert.ok(maxMean > 0.4, `mean of the largest preference ${maxMean}`);
});

test('categorical draws follow p; zero-probability indices never appear', () => {
  const rng = streamRng(3, 'categorical-test');
  const p = [0.5, 0, 0.3, 0.2];
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 5000; i++) counts[sampleCategorical(p, rng)]++;
  assert.equal(counts[1], 0);
  p.forEach((pi, i) => assert.ok(Math.abs(counts[i] / 5000 - pi) < 0.03, `index ${i}: ${counts[i]}`));
});

test('packGroups moves non-zero entries to the front of each group, keeping their order', () => {
  assert.deepEqual(packGroups([0, 2, 1, 0, 0, 3, 4, 5, 6]), [2, 1, 0, 3, 0, 0, 4, 5, 6]);
});

test('random schedules are valid, packed, reproducible under a seed, with about 80% nulls', () => {
  const opts = { seed: 7, length: DEFAULT_RANDOM_LENGTH['dpm-solver'], numModels: 6 };
  const batch = randomSchedules('dpm-solver', 200, opts);
  let nulls = 0;
  for (const s of batch) {
    assert.equal(s.solver, 'dpm-solver');
    assert.equal(s.entries.length, 60);
    validateSchedule('dpm-solver', s.entries, 6, 60); // throws if not packed / out of range / all null
    for (let g = 0; g < 60; g += GROUP_SIZE) {
      const group = s.entries.slice(g, g + GROUP_SIZE);
      const k = group.filter((m) => m !== 0).length;
      assert.ok(group.slice(0, k).every((m) => m >= 1 && m <= 6) && group.slice(k).every((m) => m === 0));
    }
    nulls += s.entries.filter((m) => m === 0).length;
  }
  const frac = nulls / (200 * 60);
  assert.ok(Math.abs(frac - 0.8) < 0.02, `null fraction ${frac}`);

  // Determinism: same seed, same schedules; schedule i does not depend on the count.
  assert.deepEqual(randomSchedules('dpm-solver', 200, opts), batch);
  assert.deepEqual(randomSchedules('dpm-solver', 5, opts), batch.slice(0, 5));
  assert.notDeepEqual(randomSchedules('dpm-solver', 5, { ...opts, seed: 8 }), batch.slice(0, 5));

  const ddim = randomSchedules('ddim', 50, { seed: 7, length: 100, numModels: 6 });
  for (const s of ddim) validateSchedule('ddim', s.entries, 6, 100);
  const ddimNulls = ddim.reduce((a, s) => a + s.entries.filter((m) => m === 0).length, 0) / (50 * 100);
  assert.ok(Math.abs(ddimNulls - 0.8) < 0.03, `DDIM null fraction ${ddimNulls}`);
});

test('a draw never has zero NFEs, even when nulls are almost certain', () => {
  const rng = streamRng(9, 'all-null');
  for (let i = 0; i < 20; i++) {
    const s = sampleRandomSchedule('dpm-solver', { length: 3, numModels: 2, nullProb: 0.95 }, rng);
    assert.ok(s.entries.some((m) => m !== 0));
  }
});

test('bad options are KitErrors naming the rule', () => {
  const rng = streamRng(0, 'x');
  assert.throws(() => sampleRandomSchedule('dpm-solver', { length: 10, numModels: 6 }, rng), (e: unknown) => e instanceof KitError && /length 10/.test(e.message));
  assert.throws(() => sampleRandomSchedule('ddim', { length: 10, numModels: 0 }, rng), (e: unknown) => e instanceof KitError && /number of models/.test(e.message));
  assert.throws(() => sampleRandomSchedule('ddim', { length: 10, numModels: 3, nullProb: 1 }, rng), (e: unknown) => e instanceof KitError && /null probability/.test(e.message));
  assert.throws(() => sampleRandomSchedule('ddim', { length: 1001, numModels: 3 }, rng), (e: unknown) => e instanceof KitError && /length 1001/.test(e.message));
});
