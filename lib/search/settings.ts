/**
 * Settings of the predictor-based evolutionary search (method doc §6, "Algorithm 1").
 *
 * Defaults are the official ones: every released search config of jsttlgdkycy/OMS-DPM
 * (code/predictor/configs/*.yml, section `search`) uses the same numbers, named there
 * max_population_size, max_num_next_generation, max_mutate_time_one_iter, max_candidate_parents,
 * step_size, mutate_prob, init_correct_prob, max_init_time, init_tolerance and epoch.
 */
import { KitError } from '../util/errors';

export interface SearchSettings {
  /** Individuals kept after each generation (official 40). */
  populationSize: number;
  /** Children wanted per generation (official 40). */
  childrenPerGeneration: number;
  /** Mutation attempts per generation, kept or not (official 200). */
  maxMutationAttempts: number;
  /** Random population members compared to pick a parent; the best-scored one wins (official 2). */
  tournamentSize: number;
  /** A mutation picks 1..this many distinct positions, uniformly (official step_size 10). */
  maxMutatedPositions: number;
  /** Chance that a picked position is actually redrawn by a child's mutation (official 1.0). */
  mutationProbability: number;
  /** Same chance for a repair move of the first schedule (official init_correct_prob 0.1). */
  repairProbability: number;
  /** Repair moves allowed before giving up (official max_init_time 1000). */
  maxRepairRounds: number;
  /** The first schedule is repaired into [tolerance * C, C] (official init_tolerance 0.9). */
  repairTolerance: number;
  /**
   * Fresh first draws tried when a repair runs out of rounds (official: one, then a debugger;
   * see initial.ts).
   */
  initialDraws: number;
  /** Generations (official epoch: 1000; the paper uses 500 for CelebA). */
  generations: number;
  /**
   * Let identical schedules sit in the population more than once. The official code does (a child
   * that equals its parent, or another member, is added again), so the population collapses onto
   * copies of the best few; with the default `false` a child already in the population (or already
   * made this generation) is dropped, which keeps the final population distinct for the FID re-rank
   * of its top schedules (§6 step 5). Set `true` for the official behaviour.
   */
  keepDuplicates: boolean;
}

export const DEFAULT_SEARCH_SETTINGS: Readonly<SearchSettings> = Object.freeze({
  populationSize: 40,
  childrenPerGeneration: 40,
  maxMutationAttempts: 200,
  tournamentSize: 2,
  maxMutatedPositions: 10,
  mutationProbability: 1.0,
  repairProbability: 0.1,
  maxRepairRounds: 1000,
  repairTolerance: 0.9,
  initialDraws: 5,
  generations: 1000,
  keepDuplicates: false,
});

const INTEGER_KEYS = [
  'populationSize',
  'childrenPerGeneration',
  'maxMutationAttempts',
  'tournamentSize',
  'maxMutatedPositions',
  'maxRepairRounds',
  'initialDraws',
] as const;

/** The defaults overridden by `overrides`; every value is checked (KitError naming the setting). */
export function resolveSearchSettings(overrides: Partial<SearchSettings> = {}): SearchSettings {
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_SEARCH_SETTINGS)) {
      throw new KitError(`unknown search setting '${key}'`, { hint: `known settings: ${Object.keys(DEFAULT_SEARCH_SETTINGS).join(', ')}` });
    }
  }
  const s: SearchSettings = { ...DEFAULT_SEARCH_SETTINGS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (s as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of INTEGER_KEYS) {
    if (!Number.isInteger(s[key]) || s[key] < 1) {
      throw new KitError(`search setting ${key} must be a positive integer, got ${s[key]}`, { hint: `the official value is ${DEFAULT_SEARCH_SETTINGS[key]}` });
    }
  }
  if (!Number.isInteger(s.generations) || s.generations < 0) {
    throw new KitError(`search setting generations must be a non-negative integer, got ${s.generations}`, { hint: 'the official value is 1000 (500 for CelebA)' });
  }
  for (const key of ['mutationProbability', 'repairProbability'] as const) {
    if (!(s[key] > 0 && s[key] <= 1)) {
      throw new KitError(`search setting ${key} must be in (0, 1], got ${s[key]}`, { hint: `the official value is ${DEFAULT_SEARCH_SETTINGS[key]}` });
    }
  }
  if (!(s.repairTolerance > 0 && s.repairTolerance <= 1)) {
    throw new KitError(`search setting repairTolerance must be in (0, 1], got ${s.repairTolerance}`, { hint: 'the first schedule must cost between tolerance * budget and the budget; the official value is 0.9' });
  }
  if (typeof s.keepDuplicates !== 'boolean') {
    throw new KitError(`search setting keepDuplicates must be true or false, got ${String(s.keepDuplicates)}`, { hint: 'false keeps the population distinct; true is the official behaviour' });
  }
  return s;
}
