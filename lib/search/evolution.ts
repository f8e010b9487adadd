/**
 * Predictor-based evolutionary search of a model schedule under a time budget C (method doc §6,
 * "Algorithm 1"):
 *
 *   1. one random schedule, repaired into [0.9 C, C], is the population (initial.ts);
 *   2. each generation, up to 200 attempts make up to 40 children: the parent is the best-scored of
 *      2 random members, the child is one mutation of it, and a child costing more than C is dropped;
 *   3. population + children, sorted by predicted score (lower = better), truncated to 40;
 *   4. after 1000 generations the final population is the result.
 *
 * Checked in the official code (code/predictor/search_utils.py, class `controller`: `search`,
 * `step`, `get_initial_ms`; settings in code/predictor/configs/*.yml). Differences, all deliberate:
 * a generation's unseen children are scored in one predictor call and no schedule is ever scored
 * twice; children never have zero NFEs; the first draw is thinned towards the budget and redrawn
 * if its repair fails (initial.ts); identical schedules enter the population once unless
 * `keepDuplicates` is set (see settings.ts); everything is driven by seeded streams, so a seed
 * fixes the result.
 */
import { Rng, streamRng } from '../util/rng';
import { GROUP_SIZE, SolverName, parseSolver } from '../schedule/index';
import { KitError } from '../util/errors';
import { checkBudget, costOf, countNfe, latencyTable } from './budget';
import { firstSchedule } from './initial';
import { ScheduleMutator } from './moves';
import { ScoreCache, ScoreFunction, scheduleKey, withinScoreLimit } from './score-cache';
import { SearchSettings, resolveSearchSettings } from './settings';
import { tournament } from './tournament';

/** A member of the final population. */
export interface SearchIndividual {
  /** The schedule in the official integer-list form. */
  schedule: number[];
  /** Predicted score, lower = better. */
  score: number;
  /** Time cost (sum of latencies), at most the budget. */
  cost: number;
  nfe: number;
}

/** What `onGeneration` is told after each generation. */
export interface GenerationReport {
  /** 1-based number of the generation just finished. */
  generation: number;
  /** Best predicted score in the population. */
  bestScore: number;
  populationSize: number;
  /** Distinct schedules scored so far, the initial one included. */
  scoredCount: number;
}

export interface SearchOptions {
  solver: SolverName;
  /** Schedule length L (DPM-Solver: a multiple of 3; official 90 for CIFAR-10). */
  length: number;
  /** Zoo size N; models are 1..N. */
  numModels: number;
  /** Latency per model index: [0 (null model), model 1, ..., model N]. */
  latency: readonly number[];
  /** Time budget C, in the latencies' unit. */
  budget: number;
  /** Batched predictor, lower = better. */
  score: ScoreFunction;
  seed: number;
  /** Overrides of the official settings. */
  settings?: Partial<SearchSettings>;
  onGeneration?: (report: GenerationReport) => void;
}

/** Runs the search; resolves to the final population, best first. */
export async function evolutionarySearch(options: SearchOptions): Promise<SearchIndividual[]> {
  const solver = parseSolver(options.solver);
  const s = resolveSearchSettings(options.settings);
  checkLength(solver, options.length);
  if (!Number.isInteger(options.numModels) || options.numModels < 1) {
    throw new KitError(`search: number of models must be a positive integer, got ${options.numModels}`, { hint: 'pass the zoo size N' });
  }
  const table = latencyTable(options.latency, options.numModels);
  checkBudget(options.budget);
  if (!Number.isFinite(options.seed)) throw new KitError(`search: seed must be a number, got ${String(options.seed)}`, { hint: 'pass an integer seed' });
  if (typeof options.score !== 'function') throw new KitError('search: no score function given', { hint: 'pass the batched predictor as score(schedules) => scores' });

  const { length, numModels, budget, seed } = options;
  const cache = new ScoreCache(options.score);

  const initRng = streamRng(seed, 'evolutionary-search', 'initial');
  const first = firstSchedule(solver, length, options.latency, budget, initRng, {
    tolerance: s.repairTolerance,
    probability: s.repairProbability,
    maxRounds: s.maxRepairRounds,
    maxPositions: s.maxMutatedPositions,
    draws: s.initialDraws,
  });
  let population: ElitistMember[] = [{ entries: first, key: scheduleKey(first), score: NaN, cost: costOf(first, table) }];
  await cache.scoreUnseen(population);
  population[0].score = cache.get(population[0].key) as number;

  const mutator = new ScheduleMutator(solver, length, numModels, s.maxMutatedPositions);
  population = await evolveElitist(population, {
    mutator,
    table,
    budget,
    settings: s,
    cache,
    generations: s.generations,
    rng: (generation) => streamRng(seed, 'evolutionary-search', 'generation', generation),
    onGeneration: (generation, current) => options.onGeneration?.({ generation, bestScore: current[0].score, populationSize: current.length, scoredCount: cache.size }),
  });

  return population.map((m) => ({ schedule: m.entries.slice(), score: m.score, cost: m.cost, nfe: countNfe(m.entries) }));
}

/** What the elitist generations of Algorithm 1 need besides the population. */
export interface ElitistRun {
  mutator: ScheduleMutator;
  /** latencyTable(latency, numModels) */
  table: Float64Array;
  /** Children costing more than this are dropped. */
  budget: number;
  settings: SearchSettings;
  cache: ScoreCache;
  generations: number;
  /** Generation g's random stream (1-based g). */
  rng: (generation: number) => Rng;
  /** Stop once the cache holds this many schedules (the last children cut to fit); absent: no limit. */
  maxScored?: number;
  /** Stop after this many generations in a row that scored no new schedule; absent: never. */
  stallGenerations?: number;
  /** Told every scored child, e.g. to archive it. */
  onScored?: (child: ElitistMember) => void;
  onGeneration?: (generation: number, population: readonly ElitistMember[]) => void;
}

/** A scored schedule of an elitist population. */
export interface ElitistMember {
  entries: number[];
  key: string;
  score: number;
  cost: number;
}

/**
 * Steps 2-3 of Algorithm 1 for `run.generations` generations (fewer if `maxScored` is reached or
 * the search stalls):
 * children of tournament winners that fit the budget, scored in one call, then population +
 * children sorted by score and truncated. Resolves to the last population, best first.
 */
export async function evolveElitist(start: readonly ElitistMember[], run: ElitistRun): Promise<ElitistMember[]> {
  const s = run.settings;
  let population = start.slice();
  let stalled = 0;
  for (let generation = 1; generation <= run.generations; generation++) {
    if (run.maxScored !== undefined && run.cache.size >= run.maxScored) break;
    if (run.stallGenerations !== undefined && stalled >= run.stallGenerations) break;
    const before = run.cache.size;
    let children = makeChildren(population, run.mutator, run.table, run.budget, s, run.rng(generation));
    if (run.maxScored !== undefined) children = withinScoreLimit(children, run.cache, run.maxScored);
    await run.cache.scoreUnseen(children);
    stalled = run.cache.size > before ? 0 : stalled + 1;
    for (const c of children) {
      c.score = run.cache.get(c.key) as number;
      run.onScored?.(c);
    }
    // Stable sort: on equal scores, older members stay ahead of new children.
    population = population.concat(children).sort((a, b) => a.score - b.score);
    if (population.length > s.populationSize) population.length = s.populationSize;
    run.onGeneration?.(generation, population);
  }
  return population;
}

/** One generation's children (unscored): mutated tournament winners that fit the budget. */
function makeChildren(population: readonly ElitistMember[], mutator: ScheduleMutator, table: Float64Array, budget: number, s: SearchSettings, rng: Rng): ElitistMember[] {
  const taken = new Set<string>();
  if (!s.keepDuplicates) for (const m of population) taken.add(m.key);
  const children: ElitistMember[] = [];
  for (let attempt = 0; attempt < s.maxMutationAttempts && children.length < s.childrenPerGeneration; attempt++) {
    const entries = tournament(population, s.tournamentSize, rng, (a, b) => a.score < b.score).entries.slice();
    mutator.move(entries, rng, 'any', s.mutationProbability);
    const cost = costOf(entries, table);
    if (cost > budget) continue;
    const key = scheduleKey(entries);
    if (!s.keepDuplicates) {
      if (taken.has(key)) continue;
      taken.add(key);
    }
    children.push({ entries, key, score: NaN, cost });
  }
  return children;
}

/** KitError unless `length` is a schedule length the solver allows (shared with front-search.ts). */
export function checkLength(solver: SolverName, length: number): void {
  const ok = solver === 'ddim' ? Number.isInteger(length) && length >= 1 : Number.isInteger(length) && length >= GROUP_SIZE && length % GROUP_SIZE === 0;
  if (!ok) {
    throw new KitError(`search: ${solver} schedule length ${length} is not allowed`, {
      hint: solver === 'ddim' ? 'a DDIM length is a positive integer (code default 100)' : 'a DPM-Solver length is a positive multiple of 3 (code default 90)',
    });
  }
}
