/**
 * An analytic FID oracle with a known front, for testing active collection without sampling: the
 * additive table of test/search/synthetic.ts (score(s) = sum_p table[p][s_p], lower = better, the
 * null model 0) turned into an FID by a monotone map,
 *
 *   FID(s) = FID_FLOOR + FID_SPAN * exp(score(s) / SCORE_SCALE),
 *
 * so the empty schedule has FID FLOOR + SPAN and more (or heavier) steps lower it with diminishing
 * returns, as real FIDs do. The map is increasing, so the best FID under a budget is the map of
 * the best table score, which `optimumUnderBudget` finds exactly by dynamic programming: the
 * oracle's front is known.
 *
 * Setting (as the whole-front search's comparison, test/search/front-vs-per-budget.test.ts):
 * DPM-Solver, L = 90, a zoo of 6 with integer latencies [2, 3, 4, 6, 8, 11] and the 5-budget grid
 * 6, 15, 36, 89, 220. The random schedules are random collection's (Dirichlet 0.4, null 0.8).
 */
import { jobFor, splitOf } from '../../lib/collection/schedule-job';
import type { ActiveRecord } from '../../lib/active/active-loop';
import { costOf, latencyTable } from '../../lib/search/budget';
import { makeTable, optimumUnderBudget, tableScore, type ScoreTable } from '../search/synthetic';

export const SOLVER = 'dpm-solver' as const;
export const LENGTH = 90;
export const LATENCY = [0, 2, 3, 4, 6, 8, 11];
export const NUM_MODELS = LATENCY.length - 1;
export const BUDGETS = [6, 15, 36, 89, 220];
const FID_FLOOR = 20;
const FID_SPAN = 400;
const SCORE_SCALE = 25;

/** The collection settings of random collection's draws with collection seed `seed` (the split seed too). */
const draws = (seed: number) => ({ ddimLength: LENGTH, dpmSolverLength: LENGTH, dirichletAlpha: 0.4, nullProbability: 0.8, seed, trainRatio: 0.5, splitSeed: seed });
/** Random collection's schedule of record `id` under collection seed `seed`. */
export const randomScheduleOf = (seed: number) => (id: number): number[] => jobFor(draws(seed), SOLVER, NUM_MODELS, 1000, id).schedule;
/** Random collection's split of record `id` under collection seed `seed`. */
export const splitOfIdWith = (seed: number) => (id: number): 'train' | 'validation' => splitOf(draws(seed), id);
export const randomSchedule = randomScheduleOf(0);
export const splitOfId = splitOfIdWith(0);

const fidOfScore = (score: number): number => FID_FLOOR + FID_SPAN * Math.exp(score / SCORE_SCALE);

export interface Oracle {
  table: ScoreTable;
  fid(schedule: readonly number[]): number;
  /** the lowest FID of a schedule costing at most each budget of BUDGETS */
  optimum: number[];
}

export function makeOracle(seed: number): Oracle {
  const table = makeTable(LENGTH, NUM_MODELS, seed);
  return {
    table,
    fid: (s) => fidOfScore(tableScore(table, s)),
    optimum: BUDGETS.map((b) => fidOfScore(optimumUnderBudget(SOLVER, table, LATENCY, b))),
  };
}

const priced = latencyTable(LATENCY, NUM_MODELS);

/**
 * How far the records come from the oracle's front: per budget, the FID of the best record that
 * fits it minus the optimum there (the empty schedule's FID when none fits), and their mean.
 */
export function regret(oracle: Oracle, records: readonly Pick<ActiveRecord, 'schedule' | 'fid'>[]): { perBudget: number[]; mean: number } {
  const perBudget = BUDGETS.map((b, i) => {
    let best = fidOfScore(0);
    for (const r of records) if (r.fid < best && costOf(r.schedule, priced) <= b) best = r.fid;
    return best - oracle.optimum[i];
  });
  return { perBudget, mean: perBudget.reduce((a, x) => a + x, 0) / perBudget.length };
}
