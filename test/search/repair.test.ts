/**
 * The first schedule and its repair into [0.9 C, C] (method doc §6 step 1). Checked in the official
 * code: code/predictor/search_utils.py, `model_schedule.correct_cost` with `mutate(mode="lighter" |
 * "heavier", mutate_prob=init_correct_prob)` and `random_init_ms`; there a failed repair opens a
 * debugger, here it is a KitError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamRng } from '../../lib/util/rng';
import { SolverName, sampleRandomSchedule, scheduleCost, validateSchedule } from '../../lib/schedule/index';
import { RepairRoundsExhausted, firstSchedule, randomInitialSchedule, repairToBudget, thinToCost } from '../../lib/search/index';
import { KitError } from '../../lib/util/errors';

const LATENCY = [0, 11.5, 19, 27.25, 40, 58, 83];

test('repair: many random starts and budgets end inside [0.9 C, C] with valid (packed) schedules', () => {
  const cases: { solver: SolverName; length: number }[] = [
    { solver: 'ddim', length: 100 },
    { solver: 'dpm-solver', length: 90 },
    { solver: 'dpm-solver', length: 12 },
  ];
  for (const { solver, length } of cases) {
    const rng = streamRng(21, 'repair', solver, length);
    for (let t = 0; t < 40; t++) {
      // Starts from the official first draw and from the dataset distribution (§4); budgets from
      // 10% to 80% of the dearest schedule (smaller ones: see the firstSchedule test).
      const budget = (0.1 + 0.7 * rng()) * length * 83;
      const start = t % 2 === 0 ? randomInitialSchedule(solver, length, 6, rng) : [...sampleRandomSchedule(solver, { numModels: 6, length }, rng).entries];
      const repaired = repairToBudget(start, solver, LATENCY, budget, rng);
      validateSchedule(solver, repaired, 6, length);
      const cost = scheduleCost(repaired, LATENCY);
      assert.ok(cost <= budget && cost >= 0.9 * budget, `${solver} L=${length}: cost ${cost} for budget ${budget}`);
    }
  }
});

test('firstSchedule: from budgets of one light NFE up, a schedule in the window or a KitError showing the window is empty', () => {
  let gaps = 0;
  for (const [solver, length] of [['ddim', 100], ['dpm-solver', 90], ['dpm-solver', 12]] as const) {
    const rng = streamRng(22, 'first', solver, length);
    for (let t = 0; t < 40; t++) {
      const budget = t < 20 ? 12 + 8 * 83 * rng() : 12 + (0.8 * length * 83 - 12) * rng();
      let first: number[];
      try {
        first = firstSchedule(solver, length, LATENCY, budget, rng);
      } catch (e) {
        // Only a provably empty window may fail: the nearest costs straddle it.
        assert.ok(e instanceof KitError, String(e));
        const m = /nearest possible costs are ([\d.]+) and ([\d.]+)/.exec(e.message);
        assert.ok(m, e.message);
        assert.ok(Number(m[1]) < 0.9 * budget && Number(m[2]) > budget, e.message);
        gaps++;
        continue;
      }
      validateSchedule(solver, first, 6, length);
      const cost = scheduleCost(first, LATENCY);
      assert.ok(cost <= budget && cost >= 0.9 * budget, `${solver} L=${length}: cost ${cost} for budget ${budget}`);
    }
  }
  assert.ok(gaps <= 6, `${gaps} empty windows`);
});

test('thinToCost: keeps the packing and at least one NFE, and lands near the target on average', () => {
  const table = new Float64Array(LATENCY);
  const rng = streamRng(23, 'thin');
  let total = 0;
  for (let t = 0; t < 200; t++) {
    const drawn = randomInitialSchedule('dpm-solver', 90, 6, rng);
    const thin = thinToCost(drawn, 'dpm-solver', table, 200, rng);
    validateSchedule('dpm-solver', thin, 6, 90);
    total += scheduleCost(thin, LATENCY);
  }
  assert.ok(Math.abs(total / 200 - 200) < 30, `mean cost ${total / 200}`);
});

test('repair: a schedule already in the window comes back unchanged', () => {
  const s = [1, 2, 0, 0, 0, 0];
  assert.deepEqual(repairToBudget(s, 'dpm-solver', LATENCY, 32, streamRng(1, 'r')), s);
});

test('repair: no schedule fits the budget -> KitError naming the cheapest possible cost and the budget', () => {
  const start = [3, 3, 0, 1, 0, 0];
  assert.throws(
    () => repairToBudget(start, 'dpm-solver', LATENCY, 10, streamRng(1, 'r')),
    (e: unknown) => e instanceof KitError && /11\.5/.test(e.message) && /budget 10\b/.test(e.message) && /at least 11\.5/.test(e.hint ?? ''),
  );
});

test('repair: a budget no schedule of the length can spend -> KitError naming the dearest cost', () => {
  assert.throws(
    () => repairToBudget([1, 0, 0], 'ddim', LATENCY, 1000, streamRng(1, 'r')),
    (e: unknown) => e instanceof KitError && /249/.test(e.message) && /1000/.test(e.message),
  );
});

test('repair: a window no combination of models reaches is a KitError naming the nearest costs', () => {
  // One model of 50 ms: costs are multiples of 50, none in [72, 80].
  assert.throws(
    () => repairToBudget([1, 1, 0, 0], 'ddim', [0, 50], 80, streamRng(1, 'r')),
    (e: unknown) => e instanceof KitError && /nearest possible costs are 50 and 100/.test(e.message) && /at least 100/.test(e.hint ?? ''),
  );
});

test('repair: running out of rounds is a KitError (RepairRoundsExhausted), not a hang or a debugger', () => {
  // 50 NFEs of 1 ms cannot come down to [9, 10] in 3 moves of at most 10 positions.
  assert.throws(
    () => repairToBudget(new Array<number>(50).fill(1), 'ddim', [0, 1], 10, streamRng(1, 'r'), { maxRounds: 3 }),
    (e: unknown) => e instanceof RepairRoundsExhausted && /3 rounds/.test(e.message) && (e.hint ?? '').length > 0,
  );
});

test('repair: bad inputs are KitErrors', () => {
  const rng = streamRng(1, 'r');
  assert.throws(() => repairToBudget([0, 1, 0], 'dpm-solver', LATENCY, 50, rng), KitError);
  assert.throws(() => repairToBudget([1, 0, 0], 'dpm-solver', LATENCY, -5, rng), KitError);
  assert.throws(() => repairToBudget([1, 0, 0], 'dpm-solver', [0, NaN], 50, rng), KitError);
  assert.throws(() => repairToBudget([7, 0, 0], 'dpm-solver', LATENCY, 50, rng), KitError);
  assert.throws(() => repairToBudget([1, 0, 0], 'dpm-solver', LATENCY, 50, rng, { tolerance: 1.5 }), KitError);
});
