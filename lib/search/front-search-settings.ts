/**
 * Settings of the whole-front search (front-search.ts): the per-budget search's settings
 * (settings.ts, official defaults: population 40, 40 children from up to 200 attempts per
 * generation, 1000 generations) plus two of its own.
 *
 * The sizes are deliberately not multiplied by the number of budgets. Measured on the synthetic
 * oracle at equal predictor work (the setting of test/search/front-vs-per-budget.test.ts: L = 90,
 * 5 budgets, the work of 300 per-budget generations, seeds 1..8), a population of 40 for the whole
 * grid ended 4.4% from the optimum on average, 100 ended 4.9%, and 200 (3 seeds) 6.0%: a smaller
 * population runs more generations on the same number of scores. With the work of 1000 per-budget
 * generations (3 seeds) 100 did better than 40 (1.5% against 2.6%), so the size is worth
 * revisiting with a trained predictor.
 */
import { KitError } from '../util/errors';
import { DEFAULT_SEARCH_SETTINGS, SearchSettings, resolveSearchSettings } from './settings';

/**
 * Measured on the synthetic oracle at equal predictor work (test/search/front-vs-per-budget.test.ts's
 * setting), mean distance to the optimum over the 5 budgets, seeds 1..8: no polish 3.82%, 0.1 3.61%,
 * 0.2 3.39%, 0.3 3.26%, 0.4 3.34%, 0.5 3.05% (the per-budget search: 5.46%). The polish helps the
 * small budgets most (C = 15: 5.51% -> 2.25% at 0.3) and costs the largest a little (2.55% ->
 * 3.17%); 0.3 is the middle of the good range. Chosen on seeds 1..8, checked on seeds 9..16: 2.91%
 * against 5.47%, lower at each of the 5 budgets.
 */
export const DEFAULT_POLISH_SHARE = 0.3;

/**
 * Generations of one whole-front run over the grid `budgets`: search.generations counts per budget
 * (the official count, one per-budget search each), so the run gets the per-budget loop's total.
 */
export function wholeFrontGenerations(perBudget: number, budgets: readonly number[]): number {
  return perBudget * new Set(budgets).size;
}

export interface FrontSearchSettings extends SearchSettings {
  /**
   * Schedules kept per budget in the result, best first (default 40, the size of the per-budget
   * search's final population, so a front can re-rank the top few of each budget as before).
   */
  archiveSize: number;
  /**
   * Stop once this many distinct schedules have been scored (the last generation's children are
   * cut to fit), or null to run every generation. Lets a comparison give the front search exactly
   * the predictor work of other searches.
   */
  maxScored: number | null;
  /**
   * The share of the generations (of the scores under `maxScored`) spent at the end polishing each
   * budget's archive with the per-budget search's elitist generations (evolution.ts), split evenly
   * over the budgets; 0 runs the shared search only.
   */
  polishShare: number;
}

/** The defaults overridden by `overrides`; every value is checked (KitError naming the setting). */
export function resolveFrontSearchSettings(overrides: Partial<FrontSearchSettings> = {}): FrontSearchSettings {
  const known = [...Object.keys(DEFAULT_SEARCH_SETTINGS), 'archiveSize', 'maxScored', 'polishShare'];
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) throw new KitError(`unknown front search setting '${key}'`, { hint: `known settings: ${known.join(', ')}` });
  }
  const { archiveSize, maxScored, polishShare, ...rest } = overrides;
  const base = resolveSearchSettings(rest);
  const size = archiveSize ?? DEFAULT_SEARCH_SETTINGS.populationSize;
  if (!Number.isInteger(size) || size < 1) {
    throw new KitError(`front search setting archiveSize must be a positive integer, got ${String(size)}`, {
      hint: `schedules kept per budget; the default is ${DEFAULT_SEARCH_SETTINGS.populationSize}`,
    });
  }
  const limit = maxScored ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new KitError(`front search setting maxScored must be a positive integer or null, got ${String(limit)}`, {
      hint: 'the number of distinct schedules the predictor may score; null runs every generation',
    });
  }
  const share = polishShare ?? DEFAULT_POLISH_SHARE;
  if (!(share >= 0 && share < 1)) {
    throw new KitError(`front search setting polishShare must be in [0, 1), got ${String(share)}`, { hint: 'the share of the work spent polishing each budget at the end; 0 turns the polish off' });
  }
  return { ...base, archiveSize: size, maxScored: limit, polishShare: share };
}
