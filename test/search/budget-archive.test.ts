/**
 * The budget archive of the whole-front search: per budget, the best-scored distinct schedules seen
 * that cost at most the budget, best first, older first on equal scores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetArchive } from '../../lib/search/budget-archive';
import { gridCost } from '../../lib/search/budget-grid';

const s = (key: string, score: number, cost: number) => ({ entries: [cost], key, score, cost });

test('each budget keeps its best `size` schedules that fit, best first', () => {
  const archive = new BudgetArchive([10, 20], 2);
  archive.offer(s('a', 5, 15)); // fits 20 only
  archive.offer(s('b', 3, 8)); // fits both
  archive.offer(s('c', 4, 9)); // fits both; at 20 it pushes out a (5)
  archive.offer(s('b', 3, 8)); // already kept: no copy
  archive.offer(s('d', 4, 5)); // ties the worst kept (4) with full lists: the older c stays
  archive.offer(s('e', 1, 20)); // fits 20 only (cost = budget), best there
  assert.deepEqual(archive.at(0).map((x) => x.key), ['b', 'c']);
  assert.deepEqual(archive.at(1).map((x) => x.key), ['e', 'b']);
  assert.deepEqual(archive.bestScores(), [3, 1]);
  assert.deepEqual(new BudgetArchive([10], 3).bestScores(), [Infinity]);
});

test('grid cost: the number of the smallest budget a cost fits', () => {
  const grid = [6, 15, 36];
  assert.deepEqual([0, 6, 6.5, 15, 36, 37].map((c) => gridCost(c, grid)), [0, 0, 1, 1, 2, 3]);
});

test('an identity makes copies one schedule: the better-scored copy is kept, in its place', () => {
  // identity: the first letter (think: a DPM-Solver sampler and its copies in other groups)
  const archive = new BudgetArchive([10], 3, (x) => x.key[0]);
  archive.offer(s('a1', 5, 5));
  archive.offer(s('b1', 4, 5));
  archive.offer(s('a2', 5, 6)); // a copy of a1, no better: not kept
  archive.offer(s('c1', 6, 5));
  assert.deepEqual(archive.at(0).map((x) => x.key), ['b1', 'a1', 'c1']);
  archive.offer(s('a3', 3, 7)); // a better copy of a1: replaces it, now best
  assert.deepEqual(archive.at(0).map((x) => x.key), ['a3', 'b1', 'c1']);
  archive.offer(s('d1', 5.5, 5)); // a full list: pushes out c1, and c's identity is free again
  archive.offer(s('c2', 5.7, 5)); // worse than the last kept (5.5): not kept
  archive.offer(s('c3', 1, 5));
  assert.deepEqual(archive.at(0).map((x) => x.key), ['c3', 'a3', 'b1']);
});
