/**
 * Cost of the evolutionary search (method doc §6) for `npm run bench`: the real search loop
 * (lib/search/evolution.ts) over DPM-Solver schedules of length L = 90 for the experiment's zoo
 * size, run twice with the same seed and settings:
 *
 *   - scored by a SchedulePredictor at the paper's default sizes (PAPER_PREDICTOR_SIZES) with
 *     random initial weights, on the engine the kit's search uses (batched-scorer.ts: ONNX Runtime
 *     when it loads): what a real search costs, since every generation's unseen children go to the
 *     predictor in one batched call (a trained predictor costs the same per call);
 *   - the same on the TF.js forward (the fallback, and the engine the predictor trains on);
 *   - scored by a synthetic additive table (one lookup per position), which isolates the cost of
 *     the search loop itself (mutation, repair, cost sums, sorting).
 *
 * The two runs visit different schedules (scores steer the population), so the numbers of
 * predictor calls and of scored schedules are reported with each.
 */
import { streamRng } from '../util/rng';
import { batchedScorer, type ScorerChoice } from '../predictor/batched-scorer';
import { SchedulePredictor } from '../predictor/predictor';
import { evolutionarySearch, type SearchOptions } from '../search/evolution';
import type { SearchSettings } from '../search/settings';
import { secondsOf } from './timing';

export const BENCH_SEARCH_SOLVER = 'dpm-solver' as const;
export const BENCH_SEARCH_LENGTH = 90;
/** The budget is the cost of this many NFEs of the mean zoo model. */
export const BENCH_SEARCH_BUDGET_NFE = 30;

export interface SearchBenchOptions {
  numModels: number;
  /** latency per model index [0, model 1, ..., model N] (ms per batch) */
  latency: readonly number[];
  /** where the latencies come from, recorded as is */
  latencySource: string;
  generations: number;
  seed?: number;
  /** population / children / attempts (the experiment's `search` section) */
  settings?: Partial<SearchSettings>;
}

export interface SearchRunStats {
  seconds: number;
  /** score-function calls (one per generation with unseen children, plus the first schedule) */
  scoreCalls: number;
  /** distinct schedules scored */
  schedulesScored: number;
  bestScore: number;
}

export interface SearchBench {
  solver: typeof BENCH_SEARCH_SOLVER;
  length: number;
  numModels: number;
  generations: number;
  budget: number;
  budgetRule: string;
  latency: number[];
  latencySource: string;
  predictor: { sizes: 'paper defaults (PAPER_PREDICTOR_SIZES)'; weights: 'random (seed 0)'; parameters: number };
  /** on the kit's default scorer (`scorer`) */
  withPredictor: SearchRunStats;
  scorer: string;
  /** on the TF.js forward */
  withPredictorTfjs: SearchRunStats;
  syntheticScore: SearchRunStats;
}

/** A cheap deterministic additive score: table[p][m], 0 for the null model, heavier models better on average. */
export function syntheticScoreTable(length: number, numModels: number, seed = 0): Float64Array[] {
  const rng = streamRng(seed, 'bench-synthetic-score');
  return Array.from({ length }, () => Float64Array.from({ length: numModels + 1 }, (_, m) => (m === 0 ? 0 : -(m * 0.6 + 1.5 * rng()))));
}

async function timedSearch(base: Omit<SearchOptions, 'score' | 'onGeneration'>, score: SearchOptions['score']): Promise<SearchRunStats> {
  let calls = 0;
  let scored = 0;
  let best = NaN;
  const counted: SearchOptions['score'] = (s) => {
    calls++;
    return score(s);
  };
  const { seconds } = await secondsOf(() =>
    evolutionarySearch({
      ...base,
      score: counted,
      onGeneration: (r) => {
        scored = r.scoredCount;
        best = r.bestScore;
      },
    }),
  );
  return { seconds, scoreCalls: calls, schedulesScored: scored, bestScore: best };
}

export async function benchSearch(o: SearchBenchOptions): Promise<SearchBench> {
  const seed = o.seed ?? 0;
  const models = o.latency.slice(1);
  const meanLatency = models.reduce((a, b) => a + b, 0) / models.length;
  const budget = BENCH_SEARCH_BUDGET_NFE * meanLatency;
  const base: Omit<SearchOptions, 'score' | 'onGeneration'> = {
    solver: BENCH_SEARCH_SOLVER,
    length: BENCH_SEARCH_LENGTH,
    numModels: o.numModels,
    latency: [...o.latency],
    budget,
    seed,
    settings: { ...o.settings, generations: o.generations },
  };

  const predictor = SchedulePredictor.create({ solver: BENCH_SEARCH_SOLVER, numModels: o.numModels, length: BENCH_SEARCH_LENGTH }, seed);
  const parameters = predictor.parameterCount();
  const warm = [Array.from({ length: BENCH_SEARCH_LENGTH }, (_, i) => (i % 3 === 0 ? 1 : 0))];
  /** The timed search with the predictor scoring on `choice`, and the engine that scored. */
  const searchOn = async (choice: ScorerChoice): Promise<{ stats: SearchRunStats; engine: string }> => {
    const s = await batchedScorer(predictor, choice);
    try {
      await s.score(warm); // kernels for these shapes are set up outside the timed search
      return { stats: await timedSearch(base, s.score), engine: s.engine };
    } finally {
      await s.release();
    }
  };
  let kit: { stats: SearchRunStats; engine: string };
  let tfjs: { stats: SearchRunStats; engine: string };
  try {
    kit = await searchOn('auto');
    tfjs = await searchOn('tfjs');
  } finally {
    predictor.dispose();
  }

  const table = syntheticScoreTable(BENCH_SEARCH_LENGTH, o.numModels, seed);
  const syntheticScore = await timedSearch(base, (schedules) =>
    schedules.map((e) => {
      let s = 0;
      for (let p = 0; p < e.length; p++) s += table[p][e[p]];
      return s;
    }),
  );
  return {
    solver: BENCH_SEARCH_SOLVER,
    length: BENCH_SEARCH_LENGTH,
    numModels: o.numModels,
    generations: o.generations,
    budget,
    budgetRule: `${BENCH_SEARCH_BUDGET_NFE} NFEs of the mean zoo model`,
    latency: [...o.latency],
    latencySource: o.latencySource,
    predictor: { sizes: 'paper defaults (PAPER_PREDICTOR_SIZES)', weights: 'random (seed 0)', parameters },
    withPredictor: kit.stats,
    scorer: kit.engine,
    withPredictorTfjs: tfjs.stats,
    syntheticScore,
  };
}
