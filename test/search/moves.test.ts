/**
 * The search's mutation move (method doc §6). Checked in the official code:
 * code/predictor/search_utils.py, `dpmsolver_model_schedule.mutate` and `ddim_model_schedule.mutate`
 * (1..step_size distinct positions, each redrawn among the indices the packing rule allows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamRng } from '../../lib/util/rng';
import { SolverName, nfe, sampleRandomSchedule, validateSchedule } from '../../lib/schedule/index';
import { ScheduleMutator, mutate, randomInitialSchedule } from '../../lib/search/index';
import { KitError } from '../../lib/util/errors';

const CASES: { solver: SolverName; length: number }[] = [
  { solver: 'ddim', length: 20 },
  { solver: 'ddim', length: 100 },
  { solver: 'dpm-solver', length: 9 },
  { solver: 'dpm-solver', length: 90 },
];

function differences(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

test('mutate: thousands of seeded chains of mutations stay valid schedules, for both solvers', () => {
  for (const { solver, length } of CASES) {
    const N = 4;
    const rng = streamRng(11, 'mutation-trials', solver, length);
    for (let start = 0; start < 20; start++) {
      let entries = [...sampleRandomSchedule(solver, { numModels: N, length }, rng).entries];
      for (let step = 0; step < 150; step++) {
        const child = mutate(entries, solver, N, rng, 10);
        validateSchedule(solver, child, N, length);
        assert.ok(differences(entries, child) <= 10, 'at most maxPositions entries change');
        entries = child;
      }
    }
  }
});

test('mutate: a schedule with a single NFE never loses it (the official move could null it)', () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const rng = streamRng(3, 'single-nfe', solver);
    for (let t = 0; t < 2000; t++) {
      const entries = new Array<number>(6).fill(0);
      entries[solver === 'ddim' ? t % 6 : 3 * (t % 2)] = 1 + (t % 3);
      const child = mutate(entries, solver, 3, rng, 10);
      assert.ok(nfe(child) >= 1, `[${child.join(', ')}] from [${entries.join(', ')}]`);
      validateSchedule(solver, child, 3);
    }
  }
});

test('mutate: reaches every packed group shape and the null model, and leaves its input alone', () => {
  const rng = streamRng(5, 'coverage');
  const shapes = new Set<string>();
  let entries = [1, 2, 0, 3, 0, 0];
  const frozen = [...entries];
  mutate(frozen, 'dpm-solver', 3, rng, 10);
  assert.deepEqual(frozen, entries);
  for (let t = 0; t < 3000; t++) {
    entries = mutate(entries, 'dpm-solver', 3, rng, 10);
    for (let g = 0; g < 2; g++) shapes.add(entries.slice(3 * g, 3 * g + 3).map((m) => (m === 0 ? '0' : 'm')).join(''));
  }
  assert.deepEqual([...shapes].sort(), ['000', 'm00', 'mm0', 'mmm']);
});

test('mutate: with maxPositions 1 exactly one position is drawn (it may keep its model)', () => {
  const rng = streamRng(6, 'one-position');
  let changedOnce = 0;
  for (let t = 0; t < 500; t++) {
    const entries = randomInitialSchedule('ddim', 30, 5, rng);
    const d = differences(entries, mutate(entries, 'ddim', 5, rng, 1));
    assert.ok(d <= 1);
    changedOnce += d;
  }
  assert.ok(changedOnce > 300, `changed ${changedOnce} of 500`);
});

test('lighter / heavier moves never make any entry heavier / lighter', () => {
  const latency = new Float64Array([0, 4, 1, 9, 2.5]);
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const m = new ScheduleMutator(solver, 30, 4, 10, latency);
    const rng = streamRng(8, 'directed', solver);
    for (let t = 0; t < 1000; t++) {
      const before = randomInitialSchedule(solver, 30, 4, rng);
      const lighter = before.slice();
      m.move(lighter, rng, 'lighter', 0.5);
      const heavier = before.slice();
      m.move(heavier, rng, 'heavier', 0.5);
      before.forEach((b, i) => {
        assert.ok(latency[lighter[i]] <= latency[b]);
        assert.ok(latency[heavier[i]] >= latency[b]);
      });
      validateSchedule(solver, lighter, 4);
      validateSchedule(solver, heavier, 4);
    }
  }
});

test('mutate: an invalid input or maxPositions is a KitError', () => {
  const rng = streamRng(1, 'bad');
  assert.throws(() => mutate([0, 1, 0], 'dpm-solver', 3, rng), KitError);
  assert.throws(() => mutate([0, 0, 0], 'ddim', 3, rng), KitError);
  assert.throws(() => mutate([1, 0, 0], 'ddim', 3, rng, 0), KitError);
});

test('randomInitialSchedule: valid, and DPM-Solver group orders are uniform over 0..3 (official first draw)', () => {
  const rng = streamRng(9, 'initial');
  const orders = [0, 0, 0, 0];
  for (let t = 0; t < 500; t++) {
    const e = randomInitialSchedule('dpm-solver', 30, 6, rng);
    validateSchedule('dpm-solver', e, 6, 30);
    for (let g = 0; g < 10; g++) orders[e.slice(3 * g, 3 * g + 3).filter((m) => m !== 0).length]++;
    validateSchedule('ddim', randomInitialSchedule('ddim', 3, 6, rng), 6, 3);
  }
  for (const count of orders) assert.ok(Math.abs(count / 5000 - 0.25) < 0.03, `orders ${orders}`);
});
