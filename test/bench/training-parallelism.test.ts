/**
 * The zoo's training-time plan (lib/bench/training-parallelism.ts) on hand-computed numbers:
 * longest-first scheduling, the two-at-a-time tail at alone speed, and the choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contendedMakespan, formatHours, lptMakespan, zooTrainingTimes, type MemberStepTimes } from '../../lib/bench/training-parallelism';

const close = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

test('lptMakespan: longest first, each job to the core that frees first', () => {
  // [5,4,3,3] on 2 cores: 5 -> c0 (5), 4 -> c1 (4), 3 -> c1 (7), 3 -> c0 (8): makespan 8 (also the optimum: 15/2 rounds up to 8)
  assert.equal(lptMakespan([5, 4, 3, 3], 2), 8);
  // [3,3,2,2,2] on 2 cores: 3 -> c0, 3 -> c1, 2 -> c0 (5), 2 -> c1 (5), 2 -> c0 (7): LPT gives 7, the optimum is 6 (3+3 | 2+2+2)
  assert.equal(lptMakespan([2, 3, 2, 3, 2], 2), 7);
  // [4,4,4] on 3 cores: one each
  assert.equal(lptMakespan([4, 4, 4], 3), 4);
});

test('lptMakespan: one job, more cores than jobs, and the errors', () => {
  assert.equal(lptMakespan([7], 2), 7);
  assert.equal(lptMakespan([3, 1], 4), 3); // two idle cores
  assert.equal(lptMakespan([3, 1], 1), 4); // one core: the sum
  assert.throws(() => lptMakespan([], 2), /no jobs to schedule/);
  assert.throws(() => lptMakespan([1], 0), /cores must be a positive integer, got 0/);
  assert.throws(() => lptMakespan([1, -2], 2), /job 1 must be a finite non-negative duration, got -2/);
});

test('contendedMakespan: equals lptMakespan without contention; the lone tail runs at alone speed', () => {
  for (const d of [[5, 4, 3, 3], [2, 3, 2, 3, 2], [7], [3, 1]]) {
    close(contendedMakespan(d.map((x) => ({ together: x, alone: x })), 2), lptMakespan(d, 2), d.join(','));
  }
  // together 10 / alone 6, and together 4 / alone 2, on 2 cores: both run together until the short
  // one ends at t = 4, when the long one has done 4/10 of its work; the remaining 6/10 alone take
  // 0.6 x 6 = 3.6: makespan 7.6 (10 if the tail were charged contention)
  close(contendedMakespan([{ together: 10, alone: 6 }, { together: 4, alone: 2 }], 2), 7.6);
  // one core: nothing runs together, the alone durations add up
  close(contendedMakespan([{ together: 10, alone: 6 }, { together: 4, alone: 2 }], 1), 8);
  assert.throws(() => contendedMakespan([], 2), /no jobs to schedule/);
});

// Three members, times in ms per step. Totals (ms x iterations; 1 h = 3.6e6 ms):
//   A: 10000 it, alone 360 -> 1.0 h, pair 450 -> 1.25 h, data-parallel 180 -> 0.5 h
//   B: 10000 it, alone 180 -> 0.5 h, pair 216 -> 0.6 h,  data-parallel 108 -> 0.3 h
//   C:  5000 it, alone 360 -> 0.5 h, pair 432 -> 0.6 h,  data-parallel 216 -> 0.3 h
const zoo: MemberStepTimes[] = [
  { id: 'A', iterations: 10000, aloneMs: 360, pairMs: 450, dataParallelMs: 180 },
  { id: 'B', iterations: 10000, aloneMs: 180, pairMs: 216, dataParallelMs: 108 },
  { id: 'C', iterations: 5000, aloneMs: 360, pairMs: 432, dataParallelMs: 216 },
];

test('zooTrainingTimes: core-hours, the three wall times and the choice, by hand', () => {
  const z = zooTrainingTimes(zoo);
  assert.equal(z.cores, 2);
  close(z.coreHours, 2.0, 'core-hours'); // 1.0 + 0.5 + 0.5
  close(z.wallHours['one-at-a-time'], 2.0, 'one at a time');
  // two at a time, longest first: A (1.25 h together) and B (0.6 h) start; B ends at 0.6 h with A
  // 0.6/1.25 = 0.48 done; C (0.6 h) starts and ends at 1.2 h with A 0.96 done; A's last 0.04
  // runs alone: 0.04 x 1.0 h = 0.04 h. Wall 1.24 h (plain LPT of the pair times would say 1.25).
  close(z.wallHours['two-at-a-time'], 1.24, 'two at a time');
  close(z.wallHours['data-parallel'], 1.1, 'data-parallel'); // 0.5 + 0.3 + 0.3
  assert.equal(z.choice, 'data-parallel');
  assert.match(z.reason, /smallest wall time: 1\.10 h, against one-at-a-time 2\.00 h and two-at-a-time 1\.24 h/);
});

test('zooTrainingTimes: an exchange that eats the data-parallel gain makes two at a time the choice', () => {
  // data-parallel no faster than alone: its wall time is the core-hours, 2.0 h, against 1.24 h
  const z = zooTrainingTimes(zoo.map((r) => ({ ...r, dataParallelMs: r.aloneMs })));
  close(z.wallHours['data-parallel'], 2.0);
  assert.equal(z.choice, 'two-at-a-time');
});

test('zooTrainingTimes: one member runs alone either way (a tie goes to the simpler plan); no members is an error', () => {
  const z = zooTrainingTimes([{ id: 'A', iterations: 10000, aloneMs: 360, pairMs: 450, dataParallelMs: 360 }]);
  close(z.wallHours['two-at-a-time'], 1.0); // nothing to share the machine with: alone speed
  assert.equal(z.choice, 'one-at-a-time');
  assert.throws(() => zooTrainingTimes([]), /no zoo members to plan/);
  assert.throws(() => zooTrainingTimes([{ ...zoo[0], iterations: 0 }]), /A has 0 iterations/);
});

test('formatHours: two decimals, and seconds when the hours round to nothing', () => {
  assert.equal(formatHours(1.244), '1.24 h');
  assert.equal(formatHours(0.5, 'core-hours'), '0.50 core-hours');
  assert.equal(formatHours(0.001), '0.00 h (3.6 s)');
});
