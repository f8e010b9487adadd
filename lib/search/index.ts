/**
 * The predictor-based evolutionary search of OMS-DPM (method doc §6, "Algorithm 1"): a population
 * of model schedules under a time budget, grown by mutation and ranked by a batched predictor.
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
