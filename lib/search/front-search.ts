/**
 * One search for a whole grid of time budgets. The per-budget search (evolution.ts, method doc §6)
 * answers one budget C per run, so a front of B budgets takes B runs that each score their own
 * schedules. The budget only enters the search (method doc §1: one predictor serves every budget),
 * so this search answers every budget of the grid in one run, sharing one score cache: NSGA-II
 * (Deb, Pratap, Agarwal & Meyarivan, IEEE Trans. Evol. Comput. 6(2), 2002) on two objectives, both
 * minimised, the predicted score and the grid cost (budget-grid.ts: the number of the smallest budget
 * the schedule fits).
 *
 *   1. start: one schedule per budget of the grid, repaired into [0.9 C, C] exactly as the
 *      per-budget search starts (initial.ts), so each budget has a pick from the outset;
 *   2. each generation, up to `maxMutationAttempts` attempts make up to `childrenPerGeneration`
 *      children: the parent wins a binary tournament under NSGA-II's crowded comparison (rank,
 *      then crowding distance; crowded-selection.ts), and the child is one official mutation of it
 *      (moves.ts, which keeps the DPM-Solver packing rule). A child that costs more than its
 *      parent's budget (the smallest grid budget the parent fits) is dropped unscored, as the
 *      per-budget search drops a child over its budget; a child cheaper than 0.9 x the smallest
 *      budget is repaired up into [0.9 x smallest budget, parent's budget] (repair.ts), so the
 *      search does not drift to costs no budget asks about. Every child therefore keeps the packing
 *      rule and costs at most the largest budget;
 *   3. the children's unseen schedules are scored in one predictor call (score-cache.ts), each
 *      child is offered to the budget archive (budget-archive.ts), and parents plus children are cut
 *      back to the population size by non-dominated rank and crowding distance
 *      (nondominated-sort.ts, crowding-distance.ts);
 *   4. the last `polishShare` of the generations (of the scores under `maxScored`) polish each
 *      budget in turn: the per-budget search's elitist generations (evolution.ts evolveElitist),
 *      started from that budget's archive, children at most its budget, every child offered to the
 *      archive. The shared search finds good regions for every budget; the polish exploits them, as
 *      the per-budget search's truncation does (measured: front-search-settings.ts);
 *   5. the archive is the answer: for every budget the best-scored schedules seen that cost at most it.
 *
 * Why the grid cost and not the exact cost as the second objective, and why a child may not climb
 * above its parent's budget: both were measured on the synthetic oracle at equal predictor work
 * (see test/search/front-vs-per-budget.test.ts). On the exact cost, NSGA-II spends its population
 * on the whole trade-off curve, rewarding schedules for being cheaper inside a budget's range where
 * no pick values it, and its picks were worse than the per-budget search's at every budget (L = 90:
 * 15-20% from the optimum vs 5.5%). Children scored above their parent's budget land at the cheap end
 * of the next budget's range, where they rarely compete, so scoring them wastes the predictor;
 * repairing them down instead (random lighter moves) was also worse than dropping them.
 *
 * Everything is driven by seeded streams, so a seed fixes the result.
 */
import { Rng, streamRng } from '../util/rng';
import { SolverName, parseSolver, samplerKey } from '../schedule/index';
import { KitError, isKitError } from '../util/errors';
import { BudgetArchive } from './budget-archive';
import { costOf, countNfe, formatCost, latencyTable } from './budget';
import { checkBudgetGrid, formatGrid, gridCost } from './budget-grid';
import { crowdedTournament, survivors, type RankedMember } from './crowded-selection';
import { checkLength, evolveElitist, type SearchIndividual } from './evolution';
import { FrontSearchSettings, resolveFrontSearchSettings } from './front-search-settings';
import { firstSchedule } from './initial';
import { ScheduleMutator } from './moves';
import { RepairOptions, RepairRoundsExhausted, repairToBudget } from './repair';
import { ScoreCache, ScoreFunction, scheduleKey, withinScoreLimit } from './score-cache';

export interface FrontSearchOptions {
  solver: SolverName;
  /** Schedule length L (DPM-Solver: a multiple of 3; official 90 for CIFAR-10). */
  length: number;
  /** Zoo size N; models are 1..N. */
  numModels: number;
  /** Latency per model index: [0 (null model), model 1, ..., model N]. */
  latency: readonly number[];
  /** The grid of time budgets, in the latencies' unit (any order; duplicates count once). */
  budgets: readonly number[];
  /** Batched predictor, lower = better (the same scorer the per-budget search takes). */
  score: ScoreFunction;
  seed: number;
  /** Overrides of the defaults (front-search-settings.ts). */
  settings?: Partial<FrontSearchSettings>;
  onGeneration?: (report: FrontGenerationReport) => void;
}

/** What `onGeneration` is told after each generation. */
export interface FrontGenerationReport {
  /** 1-based number of the generation just finished. */
  generation: number;
  /** Distinct schedules scored so far, the initial ones included. */
  scoredCount: number;
  populationSize: number;
  /** Best predicted score kept for each budget of the (ascending) grid. */
  bestScoreByBudget: number[];
}

/** The search's answer at one budget: what the per-budget search returns for that budget. */
export interface BudgetPicks {
  budget: number;
  /** Best predicted first, distinct, every cost <= budget (at most `archiveSize` of them). */
  population: SearchIndividual[];
}

export interface FrontSearchResult {
  /** One entry per budget of the grid, ascending by budget. */
  byBudget: BudgetPicks[];
  /** Generations run (fewer than `generations` when `maxScored` stopped the search). */
  generations: number;
  /** Distinct schedules scored. */
  scoredCount: number;
}

interface Member extends RankedMember {
  entries: number[];
  key: string;
  score: number;
  cost: number;
  /** gridCost(cost): the number of the smallest budget the schedule fits. */
  slot: number;
}

/** What making a child needs besides the population. */
interface ChildMaker {
  solver: SolverName;
  latency: readonly number[];
  table: Float64Array;
  budgets: readonly number[];
  /** Children cheaper than this are repaired up: repairTolerance x smallest budget. */
  low: number;
  mutator: ScheduleMutator;
  repair: RepairOptions;
}

/** Runs the search; resolves to the picks at every budget of the grid. */
export async function frontSearch(options: FrontSearchOptions): Promise<FrontSearchResult> {
  const { solver, table, budgets, s } = checkedOptions(options);
  const { length, numModels, latency, seed } = options;
  const repair: RepairOptions = { tolerance: s.repairTolerance, probability: s.repairProbability, maxRounds: s.maxRepairRounds, maxPositions: s.maxMutatedPositions };
  const cache = new ScoreCache(options.score);
  const archive = new BudgetArchive(budgets, s.archiveSize, (a) => samplerKey(solver, a.entries));
  const member = (entries: number[], cost: number): Member => ({ entries, key: scheduleKey(entries), score: NaN, cost, slot: gridCost(cost, budgets), rank: 0, crowding: 0 });
  const objectives = (m: Member): [number, number] => [m.score, m.slot];

  // Step 1: the per-budget search's first schedule at every budget (same checks, same KitErrors).
  const starts: Member[] = [];
  budgets.forEach((budget, b) => {
    let entries: number[];
    try {
      entries = firstSchedule(solver, length, latency, budget, streamRng(seed, 'front-search', 'initial', b), { ...repair, draws: s.initialDraws });
    } catch (e) {
      if (!isKitError(e)) throw e;
      throw new KitError(`front search, budget ${formatCost(budget)} of the grid ${formatGrid(budgets)}: ${e.message}`, { hint: e.hint, cause: e });
    }
    const start = member(entries, costOf(entries, table));
    if (!starts.some((m) => m.key === start.key)) starts.push(start);
  });
  await scoreAndArchive(starts, cache, archive);
  let population = survivors(starts, s.populationSize, objectives);

  const maker: ChildMaker = {
    solver,
    latency,
    table,
    budgets,
    low: s.repairTolerance * budgets[0],
    mutator: new ScheduleMutator(solver, length, numModels, s.maxMutatedPositions),
    repair,
  };
  const report = (generation: number, populationSize: number) =>
    options.onGeneration?.({ generation, scoredCount: cache.size, populationSize, bestScoreByBudget: archive.bestScores() });
  const phase = polishPlan(s, budgets.length);
  let generation = 0;
  while (generation < phase.sharedGenerations && (phase.sharedScored === null || cache.size < phase.sharedScored)) {
    generation++;
    const rng = streamRng(seed, 'front-search', 'generation', generation);
    let children = makeChildren(population, maker, member, s, rng);
    if (phase.sharedScored !== null) children = withinScoreLimit(children, cache, phase.sharedScored);
    await scoreAndArchive(children, cache, archive);
    population = survivors(population.concat(children), s.populationSize, objectives);
    report(generation, population.length);
  }

  // Step 4: each budget's archive polished by the per-budget search's own elitist generations.
  for (let b = 0; b < budgets.length; b++) {
    if (phase.polishGenerations[b] === 0) continue;
    const start = archive.at(b).slice(0, s.populationSize).map((a) => ({ entries: a.entries.slice(), key: a.key, score: a.score, cost: a.cost }));
    const done = generation;
    await evolveElitist(start, {
      mutator: maker.mutator,
      table,
      budget: budgets[b],
      settings: s,
      cache,
      generations: phase.polishGenerations[b],
      rng: (g) => streamRng(seed, 'front-search', 'polish', b, g),
      maxScored: phase.polishScored?.[b],
      stallGenerations: POLISH_STALL_GENERATIONS,
      onScored: (child) => archive.offer(child),
      onGeneration: (g, current) => report((generation = done + g), current.length),
    });
  }

  const individual = (m: { entries: readonly number[]; score: number; cost: number }): SearchIndividual => ({ schedule: m.entries.slice(), score: m.score, cost: m.cost, nfe: countNfe(m.entries) });
  return {
    byBudget: budgets.map((budget, b) => ({ budget, population: archive.at(b).map(individual) })),
    generations: generation,
    scoredCount: cache.size,
  };
}

/** The options' solver, latency table, grid and settings, each checked (KitError naming the problem and the fix). */
function checkedOptions(options: FrontSearchOptions): { solver: SolverName; table: Float64Array; budgets: number[]; s: FrontSearchSettings } {
  const solver = parseSolver(options.solver);
  checkLength(solver, options.length);
  if (!Number.isInteger(options.numModels) || options.numModels < 1) {
    throw new KitError(`front search: number of models must be a positive integer, got ${options.numModels}`, { hint: 'pass the zoo size N' });
  }
  const table = latencyTable(options.latency, options.numModels);
  const budgets = checkBudgetGrid(options.budgets);
  const s = resolveFrontSearchSettings(options.settings);
  if (!Number.isFinite(options.seed)) throw new KitError(`front search: seed must be a number, got ${String(options.seed)}`, { hint: 'pass an integer seed' });
  if (typeof options.score !== 'function') throw new KitError('front search: no score function given', { hint: 'pass the batched predictor as score(schedules) => scores' });
  if (s.maxScored !== null && s.maxScored < budgets.length) {
    throw new KitError(`front search: maxScored ${s.maxScored} is less than the ${budgets.length} budgets of the grid`, { hint: 'each budget starts from one scored schedule; allow at least one score per budget' });
  }
  return { solver, table, budgets, s };
}

/** Scores the unseen members in one call, writes every member's score and offers it to the archive. */
async function scoreAndArchive(members: Member[], cache: ScoreCache, archive: BudgetArchive): Promise<void> {
  await cache.scoreUnseen(members);
  for (const m of members) {
    m.score = cache.get(m.key) as number;
    archive.offer(m);
  }
}

/**
 * One generation's children (unscored): mutated crowded-tournament winners that fit their parent's
 * budget, repaired up when too cheap, distinct from the population and from each other (unless
 * `keepDuplicates`).
 */
function makeChildren(population: readonly Member[], maker: ChildMaker, member: (entries: number[], cost: number) => Member, s: FrontSearchSettings, rng: Rng): Member[] {
  const taken = new Set<string>();
  if (!s.keepDuplicates) for (const m of population) taken.add(m.key);
  const children: Member[] = [];
  for (let attempt = 0; attempt < s.maxMutationAttempts && children.length < s.childrenPerGeneration; attempt++) {
    const parent = crowdedTournament(population, s.tournamentSize, rng);
    const ceiling = maker.budgets[parent.slot];
    let entries = parent.entries.slice();
    maker.mutator.move(entries, rng, 'any', s.mutationProbability);
    let cost = costOf(entries, maker.table);
    if (cost > ceiling) continue;
    if (cost < maker.low) {
      try {
        entries = repairToBudget(entries, maker.solver, maker.latency, ceiling, rng, { ...maker.repair, tolerance: maker.low / ceiling });
      } catch (e) {
        if (e instanceof RepairRoundsExhausted) continue;
        throw e;
      }
      cost = costOf(entries, maker.table);
    }
    const child = member(entries, cost);
    if (!s.keepDuplicates) {
      if (taken.has(child.key)) continue;
      taken.add(child.key);
    }
    children.push(child);
  }
  return children;
}

/**
 * A budget's polish ends after this many generations in a row without a schedule not scored before:
 * the schedules near its archive are used up, and spinning on would only burn generations.
 */
const POLISH_STALL_GENERATIONS = 50;

/** How the generations (and, under maxScored, the scores) divide between the shared search and each budget's polish. */
interface PolishPlan {
  sharedGenerations: number;
  /** Stop the shared search at this many scored schedules (null: no limit). */
  sharedScored: number | null;
  /** Generations of budget b's polish. */
  polishGenerations: number[];
  /** Budget b's polish stops at this many scored schedules in all (absent: no limit). */
  polishScored?: number[];
}

/**
 * `polishShare` of the generations goes to the polish, split evenly over the budgets in grid order;
 * the shared search gets the rest (polishShare 0: no polish). Under `maxScored` the scores are split
 * the same way and each part also stops at its share; shares are cumulative, so what a budget's
 * polish leaves unscored (it stalled) passes to the next budget's.
 */
function polishPlan(s: FrontSearchSettings, budgets: number): PolishPlan {
  const split = (total: number, offset: number) =>
    Array.from({ length: budgets }, (_, b) => offset + Math.round(((total - offset) * (b + 1)) / budgets));
  const sharedGenerations = Math.round(s.generations * (1 - s.polishShare));
  const ends = split(s.generations, sharedGenerations);
  const polishGenerations = ends.map((end, b) => end - (b === 0 ? sharedGenerations : ends[b - 1]));
  if (s.maxScored === null) return { sharedGenerations, sharedScored: null, polishGenerations };
  const sharedScored = Math.max(budgets, Math.round(s.maxScored * (1 - s.polishShare)));
  return { sharedGenerations, sharedScored, polishGenerations, polishScored: split(s.maxScored, sharedScored) };
}
