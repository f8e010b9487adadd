/**
 * runFront on an analytic FID: the file format (selection and held-out FIDs, intervals, paired
 * comparisons), FIDs cached across budgets and series, resuming after a kill without rescoring,
 * recomputing (from the cache) when settings change, and budgets where a method has nothing to offer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { FRONT_SERIES, runFront, singleModelCandidates, twoSegmentCandidates, type FrontData, type FrontEvent } from '../../lib/front/index';
import { nfe, scheduleCost, validateSchedule } from '../../lib/schedule/index';
import { isKitError } from '../../lib/util/errors';
import { HELD_OUT, LATENCY, analyticFid, makeRun, syntheticMeasures, tempDir, trainingRecords, type Counters } from './helpers';
import { bootstrapFid, prepareReference } from '../../lib/metrics/fid-bootstrap';

const STANDARD_NORMAL = { mu: new Float64Array(4), sigma: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), dim: 4 };

const counters = (): Counters => ({ scored: [], searches: [] });

const POINT_KEYS = ['budget', 'candidates', 'cost', 'fid', 'fidHigh', 'fidLow', 'images', 'label', 'nfe', 'quality', 'schedule', 'selectionFid', 'selectionImages'];
const EXTRA_KEYS: Record<string, string[]> = {
  // predicted / predictedRank only when a searched schedule (not a training record) won the re-rank
  'oms-dpm': ['pickReason', 'reranked'],
  'best-single-model': [],
  'best-in-training-set': ['recordId', 'recordedFid', 'recordedImages'],
  random: ['meanCost', 'selectionFids', 'selectionMeanFid'],
  'two-segment': [],
};

test('the front file: every series, one point per budget, each the best of its candidates under the budget', async () => {
  const dir = tempDir();
  const c = counters();
  const run = makeRun(dir, c);
  const data = await runFront(run);
  const file = JSON.parse(fs.readFileSync(run.file, 'utf8')) as FrontData;
  assert.deepEqual(file, JSON.parse(JSON.stringify(data)));
  assert.deepEqual(Object.keys(file).sort(), [
    'budgetRule', 'budgets', 'comparisons', 'configHash', 'empty', 'engine', 'experiment', 'experimentConfigHash', 'featureNetwork', 'heldOut', 'kind', 'latency', 'length', 'modelIds', 'note', 'provenance', 'selectionImages', 'series', 'settings', 'solver', 'version',
  ]);
  assert.equal(file.kind, 'oms-dpm-front');
  assert.equal(file.version, 2);
  assert.equal(file.selectionImages, 16);
  assert.deepEqual(file.heldOut, { ...HELD_OUT, interval: 'basic bootstrap over held-out images (reference statistics fixed)' });
  assert.match(file.note, /held-out images/);
  assert.deepEqual(file.budgets, [10, 30, 60]);
  assert.deepEqual(file.series.map((s) => s.name), [...FRONT_SERIES]);
  assert.deepEqual(file.empty, []);
  for (const s of file.series) {
    assert.deepEqual(s.points.map((p) => p.budget), [10, 30, 60], s.name);
    for (const p of s.points) {
      const searched = s.name === 'oms-dpm' && p.pickReason !== 'record' ? ['predicted', 'predictedRank'] : [];
      assert.deepEqual(Object.keys(p).sort(), [...POINT_KEYS, ...EXTRA_KEYS[s.name], ...searched].sort(), s.name);
      validateSchedule('ddim', p.schedule, 3);
      assert.ok(p.cost <= p.budget, `${s.name} at ${p.budget}: cost ${p.cost}`);
      assert.equal(p.cost, scheduleCost(p.schedule, LATENCY));
      assert.equal(p.nfe, nfe(p.schedule));
      // chosen on the selection images, reported on the held-out ones
      assert.equal(p.selectionFid, analyticFid(p.schedule));
      assert.equal(p.selectionImages, 16);
      assert.equal(p.images, HELD_OUT.images);
      const held = bootstrapFid(syntheticMeasures(p.schedule, HELD_OUT.start, HELD_OUT.images), prepareReference(STANDARD_NORMAL), HELD_OUT);
      assert.equal(p.fid, held.fid);
      assert.ok(p.fidLow < p.fidHigh && Math.abs(p.fid - p.selectionFid) < 3, `${s.name}: held-out ${p.fid} vs ${p.selectionFid}`);
      assert.equal(p.quality!.confident, 1);
    }
  }
  // paired comparisons: OMS-DPM minus each baseline at each budget, the difference of the held-out FIDs
  assert.equal(file.comparisons.length, 3 * 4);
  for (const x of file.comparisons) {
    const fidOf = (name: string) => file.series.find((s) => s.name === name)!.points.find((p) => p.budget === x.budget)!.fid;
    assert.ok(Math.abs(x.difference - (fidOf('oms-dpm') - fidOf(x.baseline))) < 1e-9);
    assert.equal(x.verdict, x.high < 0 ? 'win' : x.low > 0 ? 'loss' : 'tie');
  }
  const points = (name: string) => file.series.find((s) => s.name === name)!.points;
  // best single model = the minimum over every candidate that fits
  const singles = singleModelCandidates('ddim', LATENCY, 60, { modelIds: ['s', 'm', 'l'], timesteps: 1000 });
  const pairs = twoSegmentCandidates('ddim', LATENCY, 60, { modelIds: ['s', 'm', 'l'], timesteps: 1000, fractions: [0.25, 0.5, 0.75] });
  for (const p of points('best-single-model')) {
    const fit = singles.filter((x) => x.cost <= p.budget);
    assert.equal(p.candidates, fit.length);
    assert.equal(p.selectionFid, Math.min(...fit.map((x) => analyticFid(x.schedule))));
  }
  for (const p of points('two-segment')) assert.equal(p.selectionFid, Math.min(...pairs.filter((x) => x.cost <= p.budget).map((x) => analyticFid(x.schedule))));
  // random: best and mean of n, each in the window [0.9 C, C], on the searched length
  for (const p of points('random')) {
    assert.equal(p.selectionFids!.length, 3);
    assert.equal(p.selectionFid, Math.min(...p.selectionFids!));
    assert.ok(Math.abs(p.selectionMeanFid! - p.selectionFids!.reduce((a, b) => a + b) / 3) < 1e-12);
    assert.ok(p.meanCost! >= 0.9 * p.budget && p.meanCost! <= p.budget);
    assert.equal(p.schedule.length, 10);
  }
  // training set: the lowest recorded FID that fits, re-scored on the front's images
  const records = trainingRecords('ddim', 10).filter((r) => r.split === 'train');
  for (const p of points('best-in-training-set')) {
    const fit = records.filter((r) => scheduleCost(r.schedule, LATENCY) <= p.budget);
    assert.equal(p.recordedFid, Math.min(...fit.map((r) => r.fid)));
    assert.equal(p.recordedImages, 32);
    assert.equal(p.selectionFid, analyticFid(p.schedule));
  }
  // oms-dpm: the best real FID among the top 3 of the population (ranked by a noisy score), the best
  // predicted inside the records' support and the 2 best training records that fit
  for (const p of points('oms-dpm')) {
    const reasons = p.reranked!.map((r) => r.reason);
    assert.deepEqual(reasons.filter((r) => r === 'predicted').length, 3);
    assert.ok(reasons.filter((r) => r === 'trusted').length <= 2 && reasons.filter((r) => r === 'record').length <= 2, reasons.join());
    assert.equal(p.candidates, p.reranked!.length);
    assert.equal(p.selectionFid, Math.min(...p.reranked!.map((r) => r.selectionFid)));
    assert.equal(p.reranked!.find((r) => r.selectionFid === p.selectionFid)!.reason, p.pickReason);
    for (const r of p.reranked!) assert.equal(r.selectionFid, analyticFid(r.schedule));
    // the re-rank may only improve on the best record it scored: OMS-DPM is at least the training set's best there
    const best = points('best-in-training-set').find((q) => q.budget === p.budget);
    if (best && reasons.includes('record')) assert.ok(p.selectionFid <= best.selectionFid);
  }
  assert.deepEqual(c.searches, [10, 30, 60]);
});

test('a candidate is scored once for every budget and series it serves; the cache file holds each FID', async () => {
  const dir = tempDir();
  const c = counters();
  const run = makeRun(dir, c);
  await runFront(run);
  assert.equal(new Set(c.scored).size, c.scored.length, 'no schedule scored twice');
  const singles = singleModelCandidates('ddim', LATENCY, 60, { modelIds: ['s', 'm', 'l'], timesteps: 1000 });
  // every single-model candidate under the largest budget is scored exactly once, though the
  // cheap ones fit all three budgets
  for (const s of singles) assert.equal(c.scored.filter((k) => k === `ddim:${s.schedule.join(',')}`).length, 1);
  assert.equal(new Set(c.measured).size, c.measured!.length, 'no schedule measured on the held-out images twice');
  const lines = fs.readFileSync(run.scoresFile, 'utf8').trim().split('\n');
  assert.equal(JSON.parse(lines[0]).identity, 'scores-v1');
  assert.equal(lines.length - 1, c.scored.length + c.measured!.length);
});

test('resume: a killed run keeps its points and FIDs; the rerun scores only what is missing and ends where an uninterrupted run ends', async () => {
  const whole = counters();
  const reference = await runFront(makeRun(tempDir(), whole));

  const dir = tempDir();
  const first = counters();
  await assert.rejects(runFront(makeRun(dir, first, { failAfter: 70 })), /killed/);
  const partial = JSON.parse(fs.readFileSync(makeRun(dir, first).file, 'utf8')) as FrontData;
  const donePoints = partial.series.reduce((n, s) => n + s.points.length, 0);
  assert.ok(donePoints >= 1 && donePoints < 15, `${donePoints} points before the kill`);
  const cached = fs.readFileSync(makeRun(dir, first).scoresFile, 'utf8').trim().split('\n').length - 1;
  assert.equal(cached, 70 + first.measured!.length);

  const second = counters();
  const events: FrontEvent[] = [];
  const resumed = await runFront({ ...makeRun(dir, second), onEvent: (e) => events.push(e) });
  assert.equal(first.scored.length + second.scored.length, whole.scored.length, 'nothing scored twice across the kill');
  assert.ok(events.some((e) => e.kind === 'resume' && e.points === donePoints && e.scores === cached));
  assert.equal(first.measured!.length + (second.measured?.length ?? 0), whole.measured!.length, 'nothing measured twice across the kill');
  // the points made before the kill are not recomputed (no search repeated for their budgets)
  const omsDone = partial.series.find((s) => s.name === 'oms-dpm')!.points.map((p) => p.budget);
  assert.deepEqual(second.searches.filter((b) => omsDone.includes(b)), []);
  assert.deepEqual(resumed.series, reference.series);
  assert.deepEqual(resumed.comparisons, reference.comparisons);

  // a third run has nothing to do
  const third = counters();
  const again = await runFront(makeRun(dir, third));
  assert.deepEqual(third, { scored: [], searches: [] });
  assert.deepEqual(again.series, reference.series);
});

test('changed settings recompute the points from the cached FIDs; another FID identity starts the cache again', async () => {
  const dir = tempDir();
  await runFront(makeRun(dir, counters()));
  const c = counters();
  const events: FrontEvent[] = [];
  const more = await runFront({ ...makeRun(dir, c, { settings: { randomCount: 4 } }), onEvent: (e) => events.push(e) });
  assert.ok(events.some((e) => e.kind === 'reset' && /other settings/.test(e.why)));
  // random draw i depends on (seed, budget, i) only: one new draw per budget is all that is scored
  assert.equal(c.scored.length, 3);
  assert.deepEqual(c.searches, [10, 30, 60]);
  assert.ok(more.series.find((s) => s.name === 'random')!.points.every((p) => p.selectionFids!.length === 4));

  const d = counters();
  const fresh: FrontEvent[] = [];
  await runFront({ ...makeRun(dir, d, { settings: { randomCount: 4 } }), scoreIdentity: 'scores-v2', onEvent: (e) => fresh.push(e) });
  assert.ok(fresh.some((e) => e.kind === 'reset' && /another zoo/.test(e.why)));
  assert.ok(d.scored.length > 100, 'every FID again');
});

test('new budgets extend a front; a budget where a method has nothing is recorded once, not retried', async () => {
  const dir = tempDir();
  const c = counters();
  const run = makeRun(dir, c, { budgets: [1, 12], settings: { series: ['best-single-model', 'best-in-training-set'] } });
  const data = await runFront(run);
  assert.deepEqual(data.series.map((s) => s.name), ['best-single-model', 'best-in-training-set']);
  assert.deepEqual(data.empty.map((e) => [e.series, e.budget]), [['best-single-model', 1], ['best-in-training-set', 1]]);
  assert.match(data.empty[0].why, /no single-model setting/);
  const c2 = counters();
  const wider = await runFront(makeRun(dir, c2, { budgets: [12, 20], settings: { series: ['best-single-model'] } }));
  assert.deepEqual(wider.budgets, [1, 12, 20]);
  assert.deepEqual(wider.series.find((s) => s.name === 'best-single-model')!.points.map((p) => p.budget), [12, 20]);
  assert.equal(wider.series.find((s) => s.name === 'best-in-training-set')!.points.length, 1, 'other series kept');
  assert.ok(c2.scored.length > 0 && c2.scored.every((k) => !c.scored.includes(k)));
});

test('recorded training-set FIDs choose without sampling the selection images; the pick is still reported on held-out images', async () => {
  const c = counters();
  const data = await runFront(makeRun(tempDir(), c, { settings: { series: ['best-in-training-set'], rescoreTrainingBest: false } }));
  assert.deepEqual(c.scored, []);
  for (const p of data.series[0].points) {
    assert.equal(p.selectionImages, 32);
    assert.equal(p.selectionFid, p.recordedFid);
    assert.equal(p.images, HELD_OUT.images);
  }
});

test('a schedule against itself: a difference of exactly 0 with a zero-width interval, a tie', async () => {
  // the search proposes exactly the best single model's pick: OMS-DPM and that baseline are one schedule
  const c = counters();
  const run = makeRun(tempDir(), c, { budgets: [30], settings: { series: ['oms-dpm', 'best-single-model'] } });
  const single = await runFront({ ...makeRun(tempDir(), counters(), { budgets: [30], settings: { series: ['best-single-model'] } }) });
  const pick = single.series[0].points[0];
  run.search = async () => [{ schedule: pick.schedule, score: 0, cost: pick.cost, nfe: pick.nfe }];
  const data = await runFront(run);
  assert.deepEqual(data.comparisons.map((x) => [x.baseline, x.difference, x.low, x.high, x.verdict]), [['best-single-model', 0, 0, 0, 'tie']]);
});

test('the DPM-Solver front has valid schedules in every series', async () => {
  const data = await runFront(makeRun(tempDir(), counters(), { solver: 'dpm-solver', budgets: [15, 40] }));
  for (const s of data.series) {
    assert.equal(s.points.length, 2, s.name);
    for (const p of s.points) {
      validateSchedule('dpm-solver', p.schedule, 3);
      assert.ok(p.cost <= p.budget);
    }
  }
});

test('a budget the search cannot meet is a KitError before anything is scored', async () => {
  const c = counters();
  await assert.rejects(runFront(makeRun(tempDir(), c, { budgets: [1, 30] })), (e: unknown) => isKitError(e) && /budget 1/.test((e as Error).message));
  assert.deepEqual(c, { scored: [], searches: [] });
});

test('concurrent scoring: FIDs asked for at once, each schedule scored once, the same front as one at a time', async () => {
  // the search's best schedule appears twice in its top 3, so two FIDs of it are asked for at once
  const withRepeat = (r: ReturnType<typeof makeRun>) => {
    const search = r.search;
    r.search = async (budget) => {
      const pop = await search(budget);
      return [pop[0], pop[0], ...pop.slice(1)];
    };
    return r;
  };
  const sequential = await runFront(withRepeat(makeRun(tempDir(), counters())));
  const c = counters();
  const run = withRepeat(makeRun(tempDir(), c));
  let inFlight = 0;
  let most = 0;
  const base = run.score;
  // answers arrive out of order: a delay that depends on the schedule, not on the asking order
  run.score = async (s, schedule, images) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, (schedule.reduce((a, m, i) => a + m * (i + 1), 0) % 7) * 2));
    inFlight--;
    return base(s, schedule, images);
  };
  const data = await runFront(run);
  assert.ok(most > 1, `at most ${most} FID in flight`);
  assert.equal(new Set(c.scored).size, c.scored.length, 'a schedule was scored twice');
  const strip = (d: FrontData) => JSON.stringify({ ...d, provenance: null });
  assert.equal(strip(data), strip(sequential));
});
