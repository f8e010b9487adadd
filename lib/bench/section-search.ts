/**
 * The bench's search section (--skip-search skips it): a 1000-generation evolutionary search,
 * DPM-Solver L = 90, over the zoo's size, priced by this run's measured TF.js forward times, scored
 * by a paper-sized predictor with random weights (on the kit's scorer and on TF.js), and again with
 * a synthetic score: the search loop alone (lib/bench/search-bench.ts). Then the whole-front search
 * (front.search whole-front) for the front's 5-budget grid, 1000 generations per budget (5000 in
 * all, as a front runs it), L = 90, with the predictor (ONNX Runtime on 1 and on 2 threads) and with
 * the synthetic score, beside the per-budget loop it replaces, and once more with the predictor at
 * 1000 generations in all, the issue's literal reading of its 5 s target (lib/bench/front-search-bench.ts).
 */
import { engineTag } from '../zoo/workspace';
import type { BenchContext } from './bench-context';
import type { BenchModelRow } from './report';
import { benchSearch, type SearchBench } from './search-bench';
import { benchFrontSearch, type FrontSearchBench } from './front-search-bench';

export async function searchSection(ctx: BenchContext, models: readonly BenchModelRow[], generations: number): Promise<SearchBench & { wholeFront: FrontSearchBench }> {
  const { exp, log } = ctx;
  const s = exp.config.search;
  const search = await benchSearch({
    numModels: exp.config.zoo.length,
    latency: [0, ...models.map((r) => r.forwardMs)],
    latencySource: `measured TF.js forward ms at batch ${ctx.batch} (${engineTag('tfjs', ctx.info.backend)}), this run`,
    generations,
    seed: s.seed,
    settings: { populationSize: s.populationSize, childrenPerGeneration: s.childrenPerGeneration, maxMutationAttempts: s.mutationAttempts },
  });
  log('');
  log(`search: ${search.generations} generations, ${search.solver} L=${search.length}, ${search.numModels} models, budget ${search.budget.toFixed(1)} ms (${search.budgetRule}; latency: ${search.latencySource})`);
  log(`  with the predictor (paper sizes, random weights, ${search.predictor.parameters} parameters) on ${search.scorer}: ${search.withPredictor.seconds.toFixed(2)} s, ${search.withPredictor.scoreCalls} calls, ${search.withPredictor.schedulesScored} schedules scored`);
  log(`  the same predictor on TF.js:                               ${search.withPredictorTfjs.seconds.toFixed(2)} s, ${search.withPredictorTfjs.scoreCalls} calls, ${search.withPredictorTfjs.schedulesScored} schedules scored`);
  log(`  with a synthetic score (search loop alone):                ${search.syntheticScore.seconds.toFixed(2)} s, ${search.syntheticScore.scoreCalls} calls, ${search.syntheticScore.schedulesScored} schedules scored`);
  const front = await benchFrontSearch({ numModels: exp.config.zoo.length, latency: search.latency, latencySource: search.latencySource, generations, seed: s.seed, withPerBudgetLoop: true, withPredictor: true, predictorThreads: [1, 2], predictorGenerationsInAll: generations });
  const loop = front.perBudgetLoop!;
  log(`whole-front search: ${front.wholeFrontGenerations} generations (${front.generations} per budget, as a front runs it), ${front.solver} L=${front.length}, grid ${front.budgets.map((b) => b.toFixed(1)).join(', ')} ms`);
  for (const p of [...front.wholeFrontWithPredictor, ...(front.wholeFrontShortWithPredictor ? [front.wholeFrontShortWithPredictor] : [])]) {
    log(`  with the predictor on ${p.scorer}, ${p.threads} thread${p.threads > 1 ? 's' : ''}, ${p.generations} generations in all: ${p.seconds.toFixed(2)} s, ${p.scoreCalls} calls, ${p.schedulesScored} schedules scored (target: at most 5 s)`);
  }
  log(`  with a synthetic score (search loop alone): ${front.wholeFront.seconds.toFixed(2)} s, ${front.wholeFront.schedulesScored} schedules scored; the per-budget loop over the same grid: ${loop.seconds.toFixed(2)} s, ${loop.schedulesScored} schedules scored${loop.failures.length ? ` (${loop.failures.length} budget(s) failed)` : ''}`);
  return { ...search, wholeFront: front };
}
