/**
 * The timing of the whole-front search loop alone (lib/bench/front-search-bench.ts), run here for a
 * few generations only: the shape of its report, not the time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchFrontSearch } from '../../lib/bench/front-search-bench';

test('benchFrontSearch: times the whole-front search (and optionally the per-budget loop) on the 5-budget front grid, L = 90', async () => {
  const r = await benchFrontSearch({ numModels: 3, latency: [0, 10, 20, 30], latencySource: 'test', generations: 5, withPerBudgetLoop: true });
  assert.equal(r.solver, 'dpm-solver');
  assert.equal(r.length, 90);
  assert.equal(r.budgets.length, 5);
  assert.equal(r.wholeFrontGenerations, 25, 'the whole-front run gets the per-budget loop\'s total: 5 generations x 5 budgets');
  for (const run of [r.wholeFront, r.perBudgetLoop]) {
    assert.ok(run !== null);
    assert.ok(run.seconds > 0 && run.scoreCalls > 0 && run.schedulesScored >= run.scoreCalls);
    assert.equal(run.bestScoreByBudget.length, 5);
  }
  assert.deepEqual(r.wholeFront.failures, []);
  const without = await benchFrontSearch({ numModels: 3, latency: [0, 10, 20, 30], latencySource: 'test', generations: 2 });
  assert.equal(without.perBudgetLoop, null);
  assert.deepEqual(without.wholeFrontWithPredictor, []);
  assert.equal(without.wholeFrontShortWithPredictor, null);
});

test('benchFrontSearch: the predictor runs, one per ONNX Runtime thread count, and the short run of the generations asked for in all', async () => {
  const r = await benchFrontSearch({ numModels: 3, latency: [0, 10, 20, 30], latencySource: 'test', generations: 2, withPredictor: true, predictorThreads: [1, 2], predictorGenerationsInAll: 3 });
  assert.deepEqual(r.wholeFrontWithPredictor.map((p) => [p.threads, p.generations]), [[1, 10], [2, 10]]);
  assert.deepEqual(r.wholeFrontShortWithPredictor && [r.wholeFrontShortWithPredictor.threads, r.wholeFrontShortWithPredictor.generations], [1, 3]);
  for (const p of [...r.wholeFrontWithPredictor, r.wholeFrontShortWithPredictor!]) {
    assert.ok(p.seconds > 0 && p.schedulesScored >= p.scoreCalls && p.scoreCalls > 0);
    assert.equal(p.bestScoreByBudget.length, 5);
  }
  // same seed, same random predictor: the thread count changes the time, not the search
  assert.deepEqual(r.wholeFrontWithPredictor[1].bestScoreByBudget.map((x) => x!.toFixed(4)), r.wholeFrontWithPredictor[0].bestScoreByBudget.map((x) => x!.toFixed(4)));
});
