/**
 * One budget of a front looked at on its own (lib/front/budget-pick.ts), on the analytic front of
 * helpers.ts: the front's FID cache read without writing, the searched top re-ranked from it, the
 * best single model at a budget of the front (its point) and off the grid (the best scored setting
 * that fits, counting those never scored), and the default budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { bestSingleModelAt, frontPointAt, middleFrontBudget, readFront, rerankOnSelection } from '../../lib/front/budget-pick';
import { frontBudgets, runFront, singleModelCandidates } from '../../lib/front/index';
import { FrontScoreStore } from '../../lib/front/score-store';
import type { FidContext } from '../../lib/evaluation/schedule-fid';
import { LATENCY, analyticFid, makeRun, tempDir } from './helpers';

const noFid = {} as FidContext; // every FID below comes from the cache: computing one would throw

test('best single model and searched re-rank at a budget, from the front and its FID cache (read only)', async () => {
  const dir = tempDir();
  const run = makeRun(dir, { scored: [], searches: [] });
  const front = await runFront(run);
  const stored = fs.readFileSync(run.scoresFile);
  const cache = FrontScoreStore.read(run.scoresFile, run.scoreIdentity);
  assert.ok(cache && cache.size > 0);
  assert.equal(FrontScoreStore.read(run.scoresFile, 'another zoo'), null);
  assert.equal(FrontScoreStore.read(path.join(dir, 'missing.jsonl'), run.scoreIdentity), null);
  assert.deepEqual(fs.readFileSync(run.scoresFile), stored, 'reading the cache wrote to it');

  // a budget of the front: its own best-single-model point
  const point = frontPointAt(front, 'best-single-model', 30)!;
  const on = bestSingleModelAt(front, 30, 1000, cache);
  assert.ok(!('why' in on));
  assert.equal(on.source, 'front-point');
  assert.deepEqual(on.schedule, point.schedule);
  assert.deepEqual(on.heldOut, { fid: point.fid, low: point.fidLow, high: point.fidHigh, images: point.images });

  // off the grid: the lowest cached selection FID among the settings of the front's grid that fit
  const fitting = (budget: number) => singleModelCandidates('ddim', LATENCY, Math.max(budget, 60), { nfes: null, modelIds: front.modelIds, timesteps: 1000 }).filter((c) => c.cost <= budget);
  const off = bestSingleModelAt(front, 45, 1000, cache);
  assert.ok(!('why' in off));
  const best = fitting(45).reduce((a, b) => (analyticFid(b.schedule) < analyticFid(a.schedule) || (analyticFid(b.schedule) === analyticFid(a.schedule) && b.cost < a.cost) ? b : a));
  assert.equal(off.source, 'front-scores');
  assert.deepEqual(off.schedule, best.schedule);
  assert.equal(off.selectionFid, analyticFid(best.schedule));
  assert.deepEqual([off.candidates, off.unscored, off.heldOut], [fitting(45).length, 0, null]);
  // beyond the grid, settings that fit only there were never scored: counted, not guessed
  const beyond = bestSingleModelAt(front, 100, 1000, cache);
  assert.ok(!('why' in beyond) && beyond.unscored > 0 && beyond.candidates === fitting(100).length);
  const none = bestSingleModelAt(front, 45, 1000, null);
  assert.ok('why' in none && /was scored by the front/.test(none.why));

  // the search's top 3 re-ranked by their cached selection FIDs: the front's own pick
  for (const budget of front.budgets) {
    const top = (await run.search(budget)).slice(0, 3);
    const reranked = await rerankOnSelection(top, { solver: 'ddim', images: front.selectionImages, cache, fid: noFid });
    assert.ok(reranked.every((r) => r.cached));
    assert.deepEqual(reranked.map((r) => r.selectionFid), top.map((t) => analyticFid(t.schedule)).sort((a, b) => a - b));
    assert.deepEqual(reranked[0].schedule, frontPointAt(front, 'oms-dpm', budget)!.schedule);
  }
  await assert.rejects(rerankOnSelection([{ schedule: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], score: 0, cost: 20, nfe: 10 }], { solver: 'ddim', images: 999, cache, fid: noFid }));
});

test('the default budget: the middle of the front file\'s grid, else of the grid the front would use', () => {
  const root = tempDir();
  process.env.OMS_DPM_RESULTS = root;
  try {
    const exp = loadExperiment(path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml'));
    fs.mkdirSync(path.join(root, 'tiny-mnist'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tiny-mnist', 'latency-test-engine.json'), JSON.stringify({ models: { a: { medianMs: 10 }, b: { medianMs: 25 } } }));
    assert.equal(readFront(exp, 'ddim'), null);
    assert.equal(middleFrontBudget(exp, 'ddim', 'test-engine'), frontBudgets([0, 10, 25], 10, exp.config.front.budgetCount, { low: exp.config.front.lowNfe, high: exp.config.front.highNfe })[0]);
    const file = path.join(root, 'tiny-mnist', 'front-ddim.json');
    for (const [budgets, middle] of [[[10, 30, 60], 30], [[10, 30, 60, 90], 30], [[7], 7]] as const) {
      fs.writeFileSync(file, JSON.stringify({ kind: 'oms-dpm-front', version: 2, budgets }));
      assert.equal(middleFrontBudget(exp, 'ddim', 'test-engine'), middle);
    }
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
