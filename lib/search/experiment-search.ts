/**
 * The search stage of an experiment (method doc §6): the trained predictor scores each generation
 * in one batched call, the latency table of the sampling engine prices schedules, and the final
 * population is written with predicted scores and costs. The predictor scores on ONNX Runtime when it
 * loads (batched-scorer.ts), else on TF.js. Optionally the top-k are re-ranked with
 * real FID (fixed noise bank) and the best re-evaluated with more images. The searched length is
 * the predictor's (the collected dataset's) schedule length.
 */
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import type { FidContext } from '../evaluation/schedule-fid';
import { scoreSchedule } from '../evaluation/schedule-fid';
import { batchedScorer, type ScorerChoice } from '../predictor/batched-scorer';
import { loadExperimentPredictor } from '../predictor/experiment-predictor';
import { latencyByModelIndex, readLatencyFile, type SolverName } from '../schedule/index';
import { writeJsonAtomic } from '../util/atomic-file';
import { latencyFile, resultsDir } from '../zoo/workspace';
import { evolutionarySearch, type GenerationReport, type SearchIndividual } from './evolution';
import { frontSearch, type FrontGenerationReport } from './front-search';
import { wholeFrontGenerations } from './front-search-settings';

export interface SearchRun {
  budget: number;
  engine: string;
  /** engine the predictor scored on (batched-scorer.ts) */
  scorer: string;
  population: SearchIndividual[];
  reranked: { schedule: number[]; cost: number; nfe: number; predicted: number; fid: number; images: number }[] | null;
  best: { schedule: number[]; cost: number; nfe: number; fid: number; images: number } | null;
  seconds: number;
}

export function searchFile(exp: ResolvedExperiment, solver: SolverName, budget: number): string {
  return path.join(resultsDir(exp), `search-${solver}`, `budget-${budget}.json`);
}

/** Latency per model index [0, m1..mN] from the experiment's table for `engine`. */
export function experimentLatency(exp: ResolvedExperiment, engine: string): number[] {
  const file = latencyFile(exp, engine);
  return latencyByModelIndex(exp.config.zoo.map((m) => m.id), readLatencyFile(file, exp.config.name), file);
}

export async function runSearch(
  exp: ResolvedExperiment,
  solver: SolverName,
  budget: number,
  engine: string,
  opts: { rerank?: FidContext; onGeneration?: (r: GenerationReport) => void; scorer?: ScorerChoice; predictorDir?: string } = {},
): Promise<SearchRun> {
  const t0 = Date.now();
  const predictor = loadExperimentPredictor(exp, solver, opts.predictorDir);
  const latency = experimentLatency(exp, engine);
  const s = exp.config.search;
  let population: SearchIndividual[];
  let scorer: Awaited<ReturnType<typeof batchedScorer>> | null = null;
  try {
    scorer = await batchedScorer(predictor, opts.scorer);
    const score = scorer.score;
    population = await evolutionarySearch({
      solver,
      length: predictor.config.length,
      numModels: exp.config.zoo.length,
      latency,
      budget,
      score,
      seed: s.seed,
      settings: { generations: s.generations, populationSize: s.populationSize, childrenPerGeneration: s.childrenPerGeneration, maxMutationAttempts: s.mutationAttempts },
      onGeneration: opts.onGeneration,
    });
  } finally {
    await scorer?.release();
    predictor.dispose();
  }
  let reranked: SearchRun['reranked'] = null;
  let best: SearchRun['best'] = null;
  if (opts.rerank) {
    reranked = [];
    for (const ind of population.slice(0, s.rerankTopK)) {
      const r = await scoreSchedule(opts.rerank, solver, ind.schedule, s.rerankImages);
      reranked.push({ schedule: ind.schedule, cost: ind.cost, nfe: ind.nfe, predicted: ind.score, fid: r.fid, images: r.images });
    }
    reranked.sort((a, b) => a.fid - b.fid);
    const top = reranked[0];
    const final = await scoreSchedule(opts.rerank, solver, top.schedule, s.finalImages);
    best = { schedule: top.schedule, cost: top.cost, nfe: top.nfe, fid: final.fid, images: final.images };
  }
  return { budget, engine, scorer: scorer.engine, population, reranked, best, seconds: (Date.now() - t0) / 1000 };
}

export interface FrontSearchRun {
  engine: string;
  /** engine the predictor scored on (batched-scorer.ts) */
  scorer: string;
  /** the final population at each budget of the grid, best predicted first */
  byBudget: Map<number, SearchIndividual[]>;
  generations: number;
  scoredCount: number;
  seconds: number;
}

/**
 * The whole-front search (front-search.ts) of an experiment: one run answers every budget of
 * `budgets`, with the trained predictor and the search.* settings (generations, population,
 * children, mutation attempts, seed), as the per-budget `runSearch` uses them at one budget.
 */
export async function runFrontSearch(
  exp: ResolvedExperiment,
  solver: SolverName,
  budgets: readonly number[],
  engine: string,
  opts: { onGeneration?: (r: FrontGenerationReport) => void; scorer?: ScorerChoice; predictorDir?: string } = {},
): Promise<FrontSearchRun> {
  const t0 = Date.now();
  const predictor = loadExperimentPredictor(exp, solver, opts.predictorDir);
  const s = exp.config.search;
  let scorer: Awaited<ReturnType<typeof batchedScorer>> | null = null;
  try {
    scorer = await batchedScorer(predictor, opts.scorer);
    const result = await frontSearch({
      solver,
      length: predictor.config.length,
      numModels: exp.config.zoo.length,
      latency: experimentLatency(exp, engine),
      budgets,
      score: scorer.score,
      seed: s.seed,
      settings: { generations: wholeFrontGenerations(s.generations, budgets), populationSize: s.populationSize, childrenPerGeneration: s.childrenPerGeneration, maxMutationAttempts: s.mutationAttempts },
      onGeneration: opts.onGeneration,
    });
    const byBudget = new Map(result.byBudget.map((b) => [b.budget, b.population]));
    return { engine, scorer: scorer.engine, byBudget, generations: result.generations, scoredCount: result.scoredCount, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await scorer?.release();
    predictor.dispose();
  }
}

export function writeSearch(exp: ResolvedExperiment, solver: SolverName, run: SearchRun, provenance: unknown): string {
  const file = searchFile(exp, solver, run.budget);
  writeJsonAtomic(file, { experiment: exp.config.name, solver, ...run, settings: exp.config.search, configHash: exp.hash, provenance });
  return file;
}
