/**
 * Cost of the whole-front search loop alone (lib/search/front-search.ts): one NSGA-II run for a
 * 5-budget grid over DPM-Solver schedules of length L = 90, scored by the synthetic additive table
 * of the search bench (one lookup per position), so the time is the search's own (mutation, repair,
 * cost sums, non-dominated sorting, crowding, the archive) and not a predictor's. Optionally the
 * per-budget loop it replaces (evolution.ts once per budget, same generations and seed) is timed
 * beside it, and the whole-front run again scored by a paper-sized predictor with random weights on the
 * kit's scorer (the time a front's search takes), as `npm run bench`'s search section reports.
 *
 * The grid is the front's default rule (lib/front/budgets.ts) with 5 budgets: geometric from 3 NFEs
 * of the cheapest model to 20 NFEs of the dearest.
 */
import { frontBudgets } from '../front/budgets';
import { evolutionarySearch } from '../search/evolution';
import { frontSearch, type FrontSearchOptions } from '../search/front-search';
import { wholeFrontGenerations } from '../search/front-search-settings';
import { batchedScorer } from '../predictor/batched-scorer';
import { SchedulePredictor } from '../predictor/predictor';
import type { ScoreFunction } from '../search/score-cache';
import { BENCH_SEARCH_LENGTH, BENCH_SEARCH_SOLVER, syntheticScoreTable } from './search-bench';
import { isKitError } from '../util/errors';
import { secondsOf } from './timing';

export const BENCH_FRONT_BUDGET_COUNT = 5;

export interface FrontSearchBenchOptions {
  numModels: number;
  /** latency per model index [0, model 1, ..., model N] (ms per batch) */
  latency: readonly number[];
  /** where the latencies come from, recorded as is */
  latencySource: string;
  /** generations per budget, default 1000 (official); the whole-front run gets this x the number of budgets */
  generations?: number;
  seed?: number;
  /** default: the front's grid rule with 5 budgets */
  budgets?: number[];
  /** also time the per-budget loop (default false) */
  withPerBudgetLoop?: boolean;
  /** also time the whole-front run scored by a paper-sized predictor, random weights (default false) */
  withPredictor?: boolean;
  /** ONNX Runtime threads of those predictor runs (default [1]); each count is one timed run */
  predictorThreads?: readonly number[];
  /** also time a predictor run of this many generations in all (1 thread), e.g. the literal 1000 */
  predictorGenerationsInAll?: number;
}

export interface FrontSearchRunStats {
  seconds: number;
  /** score-function calls (batches) */
  scoreCalls: number;
  /** schedules handed to the score function (each distinct within a run) */
  schedulesScored: number;
  /** best synthetic score found at each budget, ascending budgets (null where the search failed) */
  bestScoreByBudget: (number | null)[];
  /** KitErrors of searches that failed (per-budget loop: one per failed budget) */
  failures: string[];
}

export interface FrontSearchBench {
  solver: typeof BENCH_SEARCH_SOLVER;
  length: number;
  numModels: number;
  /** generations per budget: the per-budget loop's at each budget */
  generations: number;
  /** the whole-front run's: generations x the number of budgets, as a front runs it */
  wholeFrontGenerations: number;
  budgets: number[];
  latency: number[];
  latencySource: string;
  wholeFront: FrontSearchRunStats;
  /** the same budgets searched one at a time, when asked for */
  perBudgetLoop: FrontSearchRunStats | null;
  /** the whole-front run scored by the predictor on `scorer`, once per thread count, when asked for */
  wholeFrontWithPredictor: PredictorRunStats[];
  /** the same with `predictorGenerationsInAll` generations in all, 1 thread, when asked for */
  wholeFrontShortWithPredictor: PredictorRunStats | null;
}

export type PredictorRunStats = FrontSearchRunStats & { scorer: string; threads: number; generations: number };

/** A counting synthetic scorer (the search bench's additive table). */
function countingSyntheticScore(table: Float64Array[]): { score: ScoreFunction; calls: () => number; scored: () => number } {
  let calls = 0;
  let scored = 0;
  const score: ScoreFunction = (schedules) => {
    calls++;
    scored += schedules.length;
    return schedules.map((e) => {
      let s = 0;
      for (let p = 0; p < e.length; p++) s += table[p][e[p]];
      return s;
    });
  };
  return { score, calls: () => calls, scored: () => scored };
}

export async function benchFrontSearch(o: FrontSearchBenchOptions): Promise<FrontSearchBench> {
  const seed = o.seed ?? 0;
  const generations = o.generations ?? 1000;
  const length = BENCH_SEARCH_LENGTH;
  const budgets = o.budgets ?? frontBudgets(o.latency, length, BENCH_FRONT_BUDGET_COUNT);
  const table = syntheticScoreTable(length, o.numModels, seed);
  const common = { solver: BENCH_SEARCH_SOLVER, length, numModels: o.numModels, latency: [...o.latency], seed };

  const front = countingSyntheticScore(table);
  const frontGenerations = wholeFrontGenerations(generations, budgets);
  const timedFront = await secondsOf(() => frontSearch({ ...common, budgets, score: front.score, settings: { generations: frontGenerations } }));
  const wholeFront: FrontSearchRunStats = {
    seconds: timedFront.seconds,
    scoreCalls: front.calls(),
    schedulesScored: front.scored(),
    bestScoreByBudget: timedFront.value.byBudget.map((p) => p.population[0].score),
    failures: [],
  };

  let perBudgetLoop: FrontSearchRunStats | null = null;
  if (o.withPerBudgetLoop) {
    const loop = countingSyntheticScore(table);
    const failures: string[] = [];
    const timedLoop = await secondsOf(async () => {
      const best: (number | null)[] = [];
      for (const budget of budgets) {
        try {
          best.push((await evolutionarySearch({ ...common, budget, score: loop.score, settings: { generations } }))[0].score);
        } catch (e) {
          if (!isKitError(e)) throw e;
          failures.push(`budget ${budget}: ${e.message}`);
          best.push(null);
        }
      }
      return best;
    });
    perBudgetLoop = { seconds: timedLoop.seconds, scoreCalls: loop.calls(), schedulesScored: loop.scored(), bestScoreByBudget: timedLoop.value, failures };
  }
  const wholeFrontWithPredictor: PredictorRunStats[] = [];
  if (o.withPredictor) for (const threads of o.predictorThreads ?? [1]) wholeFrontWithPredictor.push(await timedWithPredictor({ ...common, budgets, settings: { generations: frontGenerations } }, threads));
  const short = o.withPredictor && o.predictorGenerationsInAll ? await timedWithPredictor({ ...common, budgets, settings: { generations: o.predictorGenerationsInAll } }, 1) : null;
  return { solver: BENCH_SEARCH_SOLVER, length, numModels: o.numModels, generations, wholeFrontGenerations: frontGenerations, budgets, latency: [...o.latency], latencySource: o.latencySource, wholeFront, perBudgetLoop, wholeFrontWithPredictor, wholeFrontShortWithPredictor: short };
}

/** The whole-front search scored by a paper-sized predictor (random weights) on the kit's scorer; kernels warmed outside the timing. */
async function timedWithPredictor(options: Omit<FrontSearchOptions, 'score'>, threads: number): Promise<PredictorRunStats> {
  const predictor = SchedulePredictor.create({ solver: BENCH_SEARCH_SOLVER, numModels: options.numModels, length: options.length }, options.seed);
  const scorer = await batchedScorer(predictor, 'auto', { threads });
  try {
    await scorer.score([Array.from({ length: options.length }, (_, i) => (i % 3 === 0 ? 1 : 0))]);
    let calls = 0;
    let scored = 0;
    const timed = await secondsOf(() =>
      frontSearch({
        ...options,
        score: (schedules) => {
          calls++;
          scored += schedules.length;
          return scorer.score(schedules);
        },
      }),
    );
    return { seconds: timed.seconds, scoreCalls: calls, schedulesScored: scored, bestScoreByBudget: timed.value.byBudget.map((p) => p.population[0].score), failures: [], scorer: scorer.engine, threads, generations: options.settings?.generations ?? 0 };
  } finally {
    await scorer.release();
    predictor.dispose();
  }
}
