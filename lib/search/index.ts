/**
 * The predictor-based evolutionary search of OMS-DPM (method doc §6, "Algorithm 1"): a population
 * of model schedules under a time budget, grown by mutation and ranked by a batched predictor; and
 * the whole-front search, one NSGA-II run that answers every budget of a grid.
 */
export { evolutionarySearch } from './evolution';
export type { GenerationReport, SearchIndividual, SearchOptions } from './evolution';

export { DEFAULT_SEARCH_SETTINGS, resolveSearchSettings } from './settings';
export type { SearchSettings } from './settings';

export { ScheduleMutator, mutate } from './moves';
export type { MoveMode } from './moves';

export { RepairRoundsExhausted, repairToBudget } from './repair';
export type { RepairOptions } from './repair';
export { firstSchedule, randomInitialSchedule, thinToCost } from './initial';

export { assertBudgetReachable, costOf, countNfe, formatCost, latencyTable } from './budget';

export { ScoreCache, scheduleKey } from './score-cache';
export type { ScoreFunction } from './score-cache';

export { frontSearch } from './front-search';
export type { BudgetPicks, FrontGenerationReport, FrontSearchOptions, FrontSearchResult } from './front-search';
export { resolveFrontSearchSettings } from './front-search-settings';
export type { FrontSearchSettings } from './front-search-settings';
export { BudgetArchive } from './budget-archive';
export type { ArchivedSchedule } from './budget-archive';
export { checkBudgetGrid, gridCost } from './budget-grid';
export { dominates, nondominatedSort } from './nondominated-sort';
export type { NondominatedSorting, Objectives } from './nondominated-sort';
export { crowdingDistance } from './crowding-distance';
export { crowdedBetter, crowdedTournament, survivors } from './crowded-selection';
export type { RankedMember } from './crowded-selection';
