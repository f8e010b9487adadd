/**
 * The front's candidates: every baseline schedule is valid in its solver's encoding, costs at most
 * the budget (scheduleCost over the latency table), and is the sampler setting it claims to be;
 * the budget grid spans the rule's range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleRecord } from '../../lib/collection/dataset-file';
import {
  FRONT_HIGH_NFE,
  FRONT_LOW_NFE,
  bestTrainingRecord,
  frontBudgets,
  parseBudgets,
  parseSeries,
  randomBaselineSchedules,
  singleModelCandidates,
  singleModelNfeGrid,
  singleModelSchedule,
  twoSegmentCandidates,
  twoSegmentNfeGrid,
} from '../../lib/front/index';
import { quadraticSkipFits } from '../../lib/front/candidate';
import { ddimTimesteps } from '../../lib/samplers/ddim';
import { singlestepOrders } from '../../lib/samplers/dpm-solver';
import { dpmSolverSteps, evaluations, nfe, scheduleCost, validateSchedule } from '../../lib/schedule/index';
import { isKitError } from '../../lib/util/errors';
import { assertBudgetReachable, latencyTable } from '../../lib/search/budget';

const latency = [0, 2, 5, 11];
const ids = ['s', 'm', 'l'];

test('frontBudgets: geometric from 3 NFEs of the cheapest model to 20 of the dearest, 3 significant digits, capped at the length', () => {
  const b = frontBudgets(latency, 100, 6);
  assert.equal(b.length, 6);
  assert.equal(b[0], FRONT_LOW_NFE * 2);
  assert.equal(b[5], FRONT_HIGH_NFE * 11);
  for (let i = 1; i < b.length; i++) assert.ok(b[i] > b[i - 1]);
  // geometric: the ratios are close to (220 / 6)^(1/5)
  const r = (220 / 6) ** (1 / 5);
  for (let i = 1; i < b.length; i++) assert.ok(Math.abs(b[i] / b[i - 1] / r - 1) < 0.02, `ratio ${b[i] / b[i - 1]}`);
  for (const x of b) assert.equal(Number(x.toPrecision(3)), x);
  // the lowest is rounded up and the highest down, so both stay reachable
  const odd = frontBudgets([0, 3.4567, 12.3456], 100, 4);
  assert.ok(odd[0] >= 3 * 3.4567 && odd[0] < 3 * 3.4567 * 1.01, `low ${odd[0]}`);
  assert.ok(odd[3] <= 20 * 12.3456 && odd[3] > 20 * 12.3456 * 0.99, `high ${odd[3]}`);
  // a short schedule caps the NFEs: length 6 gives 6 NFEs of the dearest at most
  assert.equal(frontBudgets(latency, 6, 3)[2], 66);
  assert.deepEqual(frontBudgets(latency, 100, 1), [220]);
  assert.throws(() => frontBudgets([0, 0, 5], 10, 3), isKitError);
});

test('frontBudgets: a budget whose search window no schedule reaches moves up to the cheapest cost above it', () => {
  // models of 40 and 100 ms, schedules of at most 4 NFEs: the geometric grid 120, 179, 268, 400 has
  // nothing in [161.1, 179] (160, then 100 + 2 x 40 = 180) nor in [241.2, 268] (240, then 2 x 100 + 2 x 40 = 280)
  const lat = [0, 40, 100];
  const b = frontBudgets(lat, 4, 4);
  assert.deepEqual(b, [120, 180, 280, 400]);
  const table = latencyTable(lat);
  for (const c of b) assert.doesNotThrow(() => assertBudgetReachable('ddim', 4, table, c, 0.9), `budget ${c}`);
  assert.throws(() => assertBudgetReachable('ddim', 4, table, 268, 0.9), (e: unknown) => isKitError(e) && /at least 280/.test(e.hint ?? ''));
});

test('--budgets and --series parse to sorted, distinct values; bad input is a KitError', () => {
  assert.deepEqual(parseBudgets('200, 50,100,50'), [50, 100, 200]);
  for (const bad of ['', 'a,1', '0,10', '-5']) assert.throws(() => parseBudgets(bad), isKitError, bad);
  assert.deepEqual(parseSeries('random,oms-dpm'), ['oms-dpm', 'random']);
  assert.throws(() => parseSeries('oms-dpm,best'), (e: unknown) => isKitError(e) && /best-single-model/.test(e.hint ?? ''));
});

test('NFE grids are dense at small NFEs and sparse beyond', () => {
  assert.deepEqual(singleModelNfeGrid(30), [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25, 30]);
  assert.deepEqual(singleModelNfeGrid(1), []);
  assert.deepEqual(twoSegmentNfeGrid(100), [3, 4, 6, 8, 10, 15, 20, 30, 40, 60, 80, 100]);
});

test('single-model schedules are the sampler settings they name', () => {
  // uniform DDIM: the all-active schedule of length n
  assert.deepEqual(singleModelSchedule('ddim-uniform', 2, 4), [2, 2, 2, 2]);
  // quadratic DDIM: length T, active exactly at the quadratic-skip timesteps
  const q = singleModelSchedule('ddim-quadratic', 3, 10, 1000);
  assert.equal(q.length, 1000);
  assert.deepEqual(evaluations('ddim', q).map((e) => e.tInput), ddimTimesteps(1000, 10, 'quadratic'));
  // DPM-Solver: the order mix of the DPM-Solver code for that maximum order
  for (const order of [1, 2, 3]) {
    const s = singleModelSchedule(`dpm-solver-${order}` as 'dpm-solver-1', 1, 10);
    assert.deepEqual(dpmSolverSteps(s).map((x) => x.order), singlestepOrders(10, order, 'singlestep'));
    assert.equal(nfe(s), 10);
  }
});

test('single-model candidates: valid, within the budget, every model and setting that fits, no repeats', () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const max = 60;
    const cs = singleModelCandidates(solver, latency, max, { modelIds: ids, timesteps: 1000 });
    const keys = new Set(cs.map((c) => c.schedule.join(',')));
    assert.equal(keys.size, cs.length);
    for (const c of cs) {
      validateSchedule(solver, c.schedule, 3);
      assert.equal(c.cost, scheduleCost(c.schedule, latency));
      assert.ok(c.cost <= max, `${c.label} costs ${c.cost}`);
      assert.equal(new Set(c.schedule.filter((m) => m > 0)).size, 1, 'one model');
    }
    // model 3 (11 ms) affords 5 NFEs: 2..5 in every setting; for DPM-Solver the order-3 and order-2
    // mixes coincide at 2 NFE ([2]) and 3 NFE ([2, 1]), so they appear once
    const l = cs.filter((c) => c.schedule.includes(3));
    assert.deepEqual([...new Set(l.map((c) => c.nfe))].sort(), [2, 3, 4, 5]);
    assert.equal(l.length, solver === 'ddim' ? 8 : 4 * 3 - 2);
    // model 1 (2 ms) affords 30 NFEs, on the grid
    assert.equal(Math.max(...cs.filter((c) => c.schedule.includes(1)).map((c) => c.nfe)), 30);
    assert.ok(cs.some((c) => /^s alone, (ddim-quadratic|dpm-solver-2), 12 NFE$/.test(c.label)));
  }
  assert.deepEqual(singleModelCandidates('ddim', latency, 3, { modelIds: ids, timesteps: 1000 }), []);
});

test('the quadratic skip that does not fit T is skipped by a test, not a catch: other failures are not swallowed', () => {
  // fits: every 1 <= steps <= T (the top timestep is at most max(floor(0.8 T), steps - 1)); not: steps > T
  for (const T of [1, 2, 7, 10, 50]) {
    for (let n = 1; n <= T; n++) assert.equal(quadraticSkipFits(n, T), true, `T ${T}, ${n} steps`);
    assert.equal(quadraticSkipFits(T + 1, T), false);
  }
  assert.equal(quadraticSkipFits(1000, 1000), true);
  assert.equal(quadraticSkipFits(1001, 1000), false);
  // the schedule builder and the predicate agree: a run that does not fit is a KitError naming T
  assert.throws(() => singleModelSchedule('ddim-quadratic', 1, 11, 10), (e: unknown) => isKitError(e) && /11 steps does not fit T = 10/.test((e as Error).message));
  // invalid input is an error, not "does not fit"
  for (const [n, T] of [[0, 10], [2.5, 10], [-1, 10], [2, 0], [2, 1.5]]) assert.throws(() => quadraticSkipFits(n, T), Error, `${n} steps, T ${T}`);
  // so no run of at most T steps is skipped: at T = 10 with every NFE affordable, both DDIM settings
  // have their runs of 2, 5 and 10 NFE (quadratic 10 = T coincides with uniform 10 and is kept once),
  // and 11 > T is left out by the NFE cap
  const cs = singleModelCandidates('ddim', [0, 1], 1000, { modelIds: ['x'], timesteps: 10, nfes: [2, 5, 10, 11] });
  assert.deepEqual(cs.map((c) => c.label), ['x alone, ddim-uniform, 2 NFE', 'x alone, ddim-uniform, 5 NFE', 'x alone, ddim-uniform, 10 NFE', 'x alone, ddim-quadratic, 2 NFE', 'x alone, ddim-quadratic, 5 NFE']);
  // an unexpected failure (an invalid NFE in the grid) propagates, for every setting, instead of
  // silently dropping the run
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    for (const bad of [0, 2.5]) {
      assert.throws(() => singleModelCandidates(solver, latency, 60, { modelIds: ids, timesteps: 1000, nfes: [bad] }), Error, `${solver}, NFE ${bad}`);
    }
  }
});

test('two-segment candidates: the first k steps run one model and the rest another, within the budget', () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const cs = twoSegmentCandidates(solver, latency, 50, { modelIds: ids, timesteps: 1000, fractions: [0.25, 0.5, 0.75] });
    assert.ok(cs.length > 10);
    for (const c of cs) {
      validateSchedule(solver, c.schedule, 3);
      assert.ok(c.cost <= 50 && c.cost === scheduleCost(c.schedule, latency));
      const m = /^(\w) for (\d+) of (\d+) steps, then (\w), (\d+) NFE$/.exec(c.label);
      assert.ok(m, c.label);
      const [first, k, K, rest] = [ids.indexOf(m[1]) + 1, Number(m[2]), Number(m[3]), ids.indexOf(m[4]) + 1];
      assert.notEqual(first, rest);
      assert.ok(k >= 1 && k < K);
      // per step in calling order (a DPM-Solver step keeps one model for its NFEs)
      const perStep = solver === 'ddim' ? evaluations('ddim', c.schedule).map((e) => e.model) : dpmSolverSteps(c.schedule).map((s) => s.models[0]);
      assert.deepEqual(perStep, [...new Array<number>(k).fill(first), ...new Array<number>(K - k).fill(rest)], c.label);
      assert.equal(c.nfe, Number(m[5]));
    }
    // both orders of a pair are there
    assert.ok(cs.some((c) => c.label.startsWith('s for')) && cs.some((c) => c.label.startsWith('l for')));
  }
});

test('random baseline: dataset-distribution draws repaired into [0.9 C, C], reproducible per budget', () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const o = { solver, length: solver === 'ddim' ? 20 : 18, latency, count: 6, seed: 3, alpha: 0.4, nullProb: 0.8, timesteps: 1000 };
    for (const budget of [7, 40, 150]) {
      const xs = randomBaselineSchedules({ ...o, budget });
      assert.equal(xs.length, 6);
      for (const s of xs) {
        validateSchedule(solver, s, 3, o.length);
        const c = scheduleCost(s, latency);
        assert.ok(c <= budget && c >= 0.9 * budget, `${solver} C=${budget}: cost ${c}`);
      }
      assert.deepEqual(randomBaselineSchedules({ ...o, budget }), xs);
    }
    assert.notDeepEqual(randomBaselineSchedules({ ...o, budget: 40 }), randomBaselineSchedules({ ...o, budget: 41 }));
  }
  assert.throws(() => randomBaselineSchedules({ solver: 'ddim', length: 4, latency, count: 1, seed: 0, alpha: 0.4, nullProb: 0.8, timesteps: 1000, budget: 1 }), isKitError);
});

test('best in training set: lowest recorded FID among train records whose recomputed cost fits', () => {
  const rec = (id: number, split: 'train' | 'validation', schedule: number[], fid: number, costMs: number | null): ScheduleRecord => ({
    id, split, solver: 'ddim', schedule, fid, costMs, nfe: nfe(schedule), images: 64, seed: 0, configHash: 'h', engine: 'other', seconds: 0,
  });
  const records = [
    rec(0, 'train', [1, 1, 0, 0], 50, 4), // cost 4
    rec(1, 'train', [3, 3, 0, 0], 20, 1), // cost 22: its stored costMs (another engine) is ignored
    rec(2, 'validation', [1, 0, 0, 0], 5, 2), // validation records are not the training set
    rec(3, 'train', [2, 1, 1, 0], 30, null), // cost 9
    rec(4, 'train', [1, 1, 1, 1], 30, null), // cost 8: same FID, cheaper
  ];
  assert.equal(bestTrainingRecord(records, latency, 3), null);
  assert.equal(bestTrainingRecord(records, latency, 4)?.record.id, 0);
  const at10 = bestTrainingRecord(records, latency, 10)!;
  assert.equal(at10.record.id, 4);
  assert.equal(at10.cost, 8);
  assert.equal(at10.fitting, 3);
  assert.equal(bestTrainingRecord(records, latency, 22)?.record.id, 1);
});

test('frontBudgets: a narrower NFE range (front.lowNfe / highNfe) moves both ends; a bad range is a clear error', () => {
  const b = frontBudgets(latency, 100, 3, { low: 2, high: 10 });
  assert.equal(b[0], 2 * 2);
  assert.equal(b[2], 10 * 11);
  assert.throws(() => frontBudgets(latency, 100, 3, { low: 5, high: 4 }), (e: unknown) => isKitError(e) && /1 <= low <= high.*low 5, high 4/.test((e as Error).message));
});
