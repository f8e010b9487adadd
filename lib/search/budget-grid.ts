/**
 * A grid of time budgets as the whole-front search (front-search.ts) sees it: checked, ascending,
 * and the cost of a schedule measured on it.
 *
 * The grid cost of a schedule is the number of the smallest budget it fits (0 for the smallest
 * budget of the grid). It is the cost that matters for the search's answer, a best pick per budget:
 * a schedule that costs less but fits the same budgets is no better a pick. Ranked on (score, grid
 * cost), schedule A dominates schedule B exactly when A is at least as good a pick as B at every
 * budget of the grid and better at one.
 */
import { KitError } from '../util/errors';
import { checkBudget, formatCost } from './budget';

/** The grid ascending without duplicates; a KitError when it is empty or holds a non-budget. */
export function checkBudgetGrid(budgets: readonly number[]): number[] {
  if (!Array.isArray(budgets) || budgets.length === 0) {
    throw new KitError('front search: the budget grid is empty', { hint: 'pass at least one time budget C in the latencies\' unit (ms per batch), e.g. budgets: [50, 100, 200]' });
  }
  for (const b of budgets) checkBudget(b);
  return [...new Set(budgets)].sort((a, b) => a - b);
}

/** The grid as it appears in messages. */
export function formatGrid(budgets: readonly number[]): string {
  return `[${budgets.map(formatCost).join(', ')}]`;
}

/**
 * The index of the smallest budget of the ascending `budgets` that `cost` fits (cost <= budget),
 * or budgets.length when it fits none.
 */
export function gridCost(cost: number, budgets: readonly number[]): number {
  let b = 0;
  while (b < budgets.length && cost > budgets[b]) b++;
  return b;
}
