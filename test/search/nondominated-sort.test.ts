/**
 * NSGA-II's building blocks (Deb et al. 2002): fast non-dominated sorting (§III-A), crowding
 * distance (§III-B), and the two selections built on them (§III-C), on small hand-made point sets
 * whose ranks and distances are worked out in the comments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crowdingDistance } from '../../lib/search/crowding-distance';
import { crowdedTournament, survivors } from '../../lib/search/crowded-selection';
import { dominates, nondominatedSort } from '../../lib/search/nondominated-sort';

// Both objectives minimised.
//   0 A (1, 9)   nothing is below-left of it                           -> front 0
//   1 B (2, 6)                                                          -> front 0
//   2 C (4, 5)                                                          -> front 0
//   3 D (7, 1)                                                          -> front 0
//   4 E (3, 7)   B (2, 6) is no worse in both and better in both        -> front 1
//   5 F (5, 8)   dominated by B, C and E; E is in front 1               -> front 2
//   6 G (7, 1)   a copy of D: equal points do not dominate each other   -> front 0
//   7 H (8, 2)   dominated by D and G only                              -> front 1
const POINTS = [
  [1, 9],
  [2, 6],
  [4, 5],
  [7, 1],
  [3, 7],
  [5, 8],
  [7, 1],
  [8, 2],
];

test('dominates: no worse in every objective and better in one', () => {
  assert.equal(dominates([2, 6], [3, 7]), true);
  assert.equal(dominates([2, 6], [2, 7]), true);
  assert.equal(dominates([2, 6], [2, 6]), false, 'a copy does not dominate');
  assert.equal(dominates([1, 9], [2, 6]), false, 'better in one, worse in the other');
});

test('fast non-dominated sort: the hand-made set splits into the fronts worked out above', () => {
  const { fronts, rank } = nondominatedSort(POINTS);
  assert.deepEqual(fronts, [[0, 1, 2, 3, 6], [4, 7], [5]]);
  assert.deepEqual(Array.from(rank), [0, 0, 0, 0, 1, 2, 0, 1]);
  assert.deepEqual(nondominatedSort([]).fronts, []);
  // Three objectives: (1,1,1) dominates (1,2,1); (2,0,5) is incomparable with both.
  assert.deepEqual(nondominatedSort([[1, 2, 1], [1, 1, 1], [2, 0, 5]]).fronts, [[1, 2], [0]]);
});

test('crowding distance: the ends are infinite, the others add neighbour gaps over the range', () => {
  // Front A (1, 9), B (2, 6), C (4, 5), D (7, 1).
  //   objective 1, range 7 - 1 = 6, order A B C D:  B += (4 - 1) / 6 = 1/2,  C += (7 - 2) / 6 = 5/6
  //   objective 2, range 9 - 1 = 8, order D C B A:  C += (6 - 1) / 8 = 5/8,  B += (9 - 5) / 8 = 1/2
  //   A and D are ends: infinite.  B = 1/2 + 1/2 = 1,  C = 5/6 + 5/8 = 35/24.
  const d = crowdingDistance(POINTS, [0, 1, 2, 3]);
  assert.equal(d[0], Infinity);
  assert.ok(Math.abs(d[1] - 1) < 1e-12, `B: ${d[1]}`);
  assert.ok(Math.abs(d[2] - 35 / 24) < 1e-12, `C: ${d[2]}`);
  assert.equal(d[3], Infinity);

  // An objective that is constant on the front adds nothing and marks no ends:
  //   (1, 3), (2, 3), (4, 3): objective 1, range 3: ends infinite, middle (4 - 1) / 3 = 1; objective 2, range 0.
  assert.deepEqual(Array.from(crowdingDistance([[1, 3], [2, 3], [4, 3]], [0, 1, 2])), [Infinity, 1, Infinity]);
  // Every point of a front of one or two is an end.
  assert.deepEqual(Array.from(crowdingDistance(POINTS, [4, 7])), [Infinity, Infinity]);
  assert.deepEqual(Array.from(crowdingDistance(POINTS, [5])), [Infinity]);
});

interface P { name: string; f: number[]; rank: number; crowding: number }
const members = (): P[] => POINTS.map((f, i) => ({ name: 'ABCDEFGH'[i], f, rank: -1, crowding: -1 }));

test('survivors: whole fronts while they fit, the cut front by crowding distance', () => {
  // Size 6: front 0 (A B C D G, 5 points) fits; front 1 (E, H) has room for one. Both are ends of
  // a two-point front (infinite distance), so the earlier pool member, E, is kept.
  assert.deepEqual(survivors(members(), 6, (m) => m.f).map((m) => m.name), ['A', 'B', 'C', 'D', 'G', 'E']);
  // Size 3 cuts front 0 itself. Its distances:
  //   objective 1, range 6, order A B C D G (ties in pool order): A, G ends; B 3/6, C 5/6, D (7 - 4)/6 = 1/2
  //   objective 2, range 8, order D G C B A: D, A ends; G (5 - 1)/8 = 1/2, C 5/8, B 1/2
  //   A inf, B 1, C 35/24, D inf, G inf  ->  the three infinite ones, in pool order: A, D, G.
  const pool = members();
  assert.deepEqual(survivors(pool, 3, (m) => m.f).map((m) => m.name), ['A', 'D', 'G']);
  // Every pool member got its rank and distance, survivors or not.
  assert.deepEqual(pool.map((m) => m.rank), [0, 0, 0, 0, 1, 2, 0, 1]);
  assert.equal(pool[1].crowding, 1);
  assert.ok(Math.abs(pool[2].crowding - 35 / 24) < 1e-12);
  assert.equal(pool[5].crowding, Infinity);
});

test('crowded tournament: lower rank wins, then larger crowding distance, then the first drawn', () => {
  const pop = [
    { rank: 1, crowding: Infinity },
    { rank: 0, crowding: 0.5 },
    { rank: 0, crowding: 2 },
    { rank: 2, crowding: Infinity },
  ];
  // rng values v pick index floor(v * 4).
  const draws = (...v: number[]) => () => v.shift() as number;
  assert.equal(crowdedTournament(pop, 2, draws(0.3, 0.6)), pop[2], 'same rank: larger crowding');
  assert.equal(crowdedTournament(pop, 2, draws(0.0, 0.8)), pop[0], 'rank 1 beats rank 2');
  // 0.3 -> index 1, 0.3 -> index 1 again (members are distinct: drawn again), 0.1 -> index 0; rank 0 wins.
  assert.equal(crowdedTournament(pop, 2, draws(0.3, 0.3, 0.1)), pop[1]);
  // A population no larger than the tournament: the best of all.
  assert.equal(crowdedTournament(pop.slice(0, 2), 2, draws()), pop[1]);
});
