/**
 * The grid of time budgets a front is computed at. It spans the zoo's useful range:
 *
 *   low  = 3 NFEs of the cheapest model   (3 is one third-order DPM-Solver step; with fewer NFEs no
 *                                          sampler makes usable images, so smaller budgets only
 *                                          compare noise)
 *   high = 20 NFEs of the dearest model   (by 20 NFEs DPM-Solver has converged for every model, so
 *                                          the largest model alone sets the quality ceiling and
 *                                          bigger budgets add no information)
 *
 * (the defaults; an experiment can narrow them with front.lowNfe and front.highNfe, e.g. where its
 * models converge sooner), both capped at the schedule length L (a schedule of length L has at
 * most L NFEs), with `count`
 * budgets spaced geometrically between them (FID changes fastest at small costs) and rounded to 3
 * significant digits (the lowest up, the highest down, so both stay reachable). A budget no
 * schedule can use (nothing costs within its search window [0.9 C, C]: a gap between the few
 * costs small budgets allow) moves up to the cheapest cost above the window, so every budget of
 * the grid can be searched.
 */
import { formatCost, latencyTable, reachableBudget } from '../search/budget';
import { DEFAULT_SEARCH_SETTINGS } from '../search/settings';
import { KitError } from '../util/errors';

export const FRONT_LOW_NFE = 3;
export const FRONT_HIGH_NFE = 20;
export const DEFAULT_BUDGET_COUNT = 8;

/** The NFE range of the grid: from `low` NFEs of the cheapest model to `high` of the dearest. */
export interface BudgetNfeRange { low: number; high: number }
export const DEFAULT_BUDGET_NFE_RANGE: BudgetNfeRange = { low: FRONT_LOW_NFE, high: FRONT_HIGH_NFE };

/** The grid rule in words, as stored in a front file. */
export function budgetRule(range: BudgetNfeRange = DEFAULT_BUDGET_NFE_RANGE): string {
  return `geometric grid from ${range.low} NFEs of the cheapest model to ${range.high} NFEs of the dearest (NFEs capped at the schedule length), 3 significant digits`;
}
export const BUDGET_RULE = budgetRule();

function roundTo3(x: number, mode: 'up' | 'down' | 'nearest'): number {
  if (x <= 0) return x;
  const scale = 10 ** (Math.floor(Math.log10(x)) - 2);
  const f = mode === 'up' ? Math.ceil : mode === 'down' ? Math.floor : Math.round;
  // The quotient of an exact 3-digit value can land a hair above an integer; trim that first.
  return Number((f(Number((x / scale).toPrecision(12))) * scale).toPrecision(3));
}

/**
 * `count` budgets (ascending, distinct) for a zoo with latencies `latency` (indexed by model,
 * entry 0 = the null model) and schedules of length `length`; see the rule above.
 */
export function frontBudgets(latency: readonly number[], length: number, count = DEFAULT_BUDGET_COUNT, range: BudgetNfeRange = DEFAULT_BUDGET_NFE_RANGE): number[] {
  const models = latency.slice(1);
  if (models.length < 1 || models.some((l) => !(Number.isFinite(l) && l > 0))) {
    throw new KitError(`front budgets: latencies must be positive numbers per model, got [${latency.join(', ')}]`, { hint: 'profile the zoo again: oms-dpm profile-latency --experiment <name>' });
  }
  if (!Number.isInteger(length) || length < 1) throw new KitError(`front budgets: schedule length must be a positive integer, got ${length}`);
  if (!Number.isInteger(count) || count < 1) throw new KitError(`front budgets: count must be a positive integer, got ${count}`, { hint: `the default is ${DEFAULT_BUDGET_COUNT}` });
  if (!(Number.isInteger(range.low) && Number.isInteger(range.high) && range.low >= 1 && range.high >= range.low)) {
    throw new KitError(`front budgets: the NFE range must be integers with 1 <= low <= high, got low ${range.low}, high ${range.high}`, { hint: `the default is low ${FRONT_LOW_NFE}, high ${FRONT_HIGH_NFE}` });
  }
  const low = Math.min(...models) * Math.min(range.low, length);
  const high = Math.max(...models) * Math.min(range.high, length);
  const table = latencyTable(latency);
  const reachable = (c: number) => {
    const r = reachableBudget(table, length, c, DEFAULT_SEARCH_SETTINGS.repairTolerance);
    return r === c ? c : roundTo3(r, 'up');
  };
  if (count === 1 || high <= low) return [reachable(roundTo3(high, 'down'))];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = low * (high / low) ** (i / (count - 1));
    out.push(reachable(roundTo3(x, i === 0 ? 'up' : i === count - 1 ? 'down' : 'nearest')));
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** `--budgets 100,200,...`: positive numbers, returned ascending without duplicates. */
export function parseBudgets(text: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const xs = items.map(Number);
  if (items.length === 0 || xs.some((x) => !(Number.isFinite(x) && x > 0))) {
    throw new KitError(`--budgets must be a comma-separated list of positive numbers (ms per batch), got '${text}'`, {
      hint: 'e.g. --budgets 50,100,200; leave it out for the default grid (3 NFEs of the cheapest model to 20 of the dearest)',
    });
  }
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** A budget as it appears in messages. */
export const budgetText = (b: number): string => `${formatCost(b)} ms`;
