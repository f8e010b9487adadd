/**
 * Cost arithmetic of the search in its fast form: a latency table indexed by model (0 = null model,
 * 0 ms) and a plain sum, the same cost as `scheduleCost` (method doc §3) without its per-entry
 * checks, which the table has passed once. Also the two budget checks that tell a user up front
 * that no schedule of the length can land in the repair window [tolerance * C, C].
 */
import { NULL_MODEL, SolverName } from '../schedule/index';
import { KitError } from '../util/errors';

/** Module-level copy: a re-exported constant is a getter call per access in CommonJS. */
const NULL = NULL_MODEL;

/** A cost for a message: 6 significant digits, so 0.9 x 42 prints as 37.8. */
export function formatCost(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/**
 * `latency[m]` for m = 1..N as a Float64Array with entry 0 = 0 (the null model). Every model
 * needs a finite latency >= 0. `numModels`, when given, must be latency.length - 1.
 */
export function latencyTable(latency: readonly number[], numModels?: number): Float64Array {
  const N = latency.length - 1;
  if (N < 1) {
    throw new KitError(`model latencies: got ${latency.length} entries, need at least 2`, { hint: 'pass latencies indexed by model index: [0 (null model), model 1, ..., model N]' });
  }
  if (numModels !== undefined && numModels !== N) {
    throw new KitError(`model latencies: ${latency.length} entries for a zoo of ${numModels} models; expected ${numModels + 1}`, {
      hint: 'entry 0 is the null model, entries 1..N the zoo models (see latencyByModelIndex)',
    });
  }
  const table = new Float64Array(N + 1);
  for (let m = 1; m <= N; m++) {
    const ms = latency[m];
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new KitError(`model latencies: model ${m} has latency ${String(ms)}`, { hint: 'every model needs a finite latency >= 0 (ms per batch)' });
    }
    table[m] = ms;
  }
  return table;
}

/** Sum of the latencies of the non-null entries (no checks: entries are trusted model indices). */
export function costOf(entries: readonly number[], table: Float64Array): number {
  let total = 0;
  for (let i = 0; i < entries.length; i++) total += table[entries[i]];
  return total;
}

/** Number of non-null entries. */
export function countNfe(entries: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < entries.length; i++) if (entries[i] !== NULL) n++;
  return n;
}

/** Budgets are positive finite numbers in the latencies' unit. */
export function checkBudget(budget: number): void {
  if (typeof budget !== 'number' || !Number.isFinite(budget) || budget <= 0) {
    throw new KitError(`search budget must be a positive number (ms per batch), got ${String(budget)}`, { hint: 'give the time budget C in the unit of the latency profile' });
  }
}

/**
 * Throws a KitError when no valid schedule of this length can cost within [tolerance * C, C]:
 * even the cheapest schedule (one NFE of the lightest model) costs more than C, or even the dearest
 * (every position on the heaviest model) costs less than tolerance * C, or (small budgets, checked
 * exactly) no combination of models lands in the window.
 */
export function assertBudgetReachable(solver: SolverName, length: number, table: Float64Array, budget: number, tolerance: number): void {
  checkBudget(budget);
  let lightest = 1;
  let heaviest = 1;
  for (let m = 2; m < table.length; m++) {
    if (table[m] < table[lightest]) lightest = m;
    if (table[m] > table[heaviest]) heaviest = m;
  }
  const cheapest = table[lightest];
  if (cheapest > budget) {
    throw new KitError(
      `no ${solver} schedule fits the budget ${formatCost(budget)}: the cheapest possible schedule (one NFE of model ${lightest}) costs ${formatCost(cheapest)}, more than the budget`,
      { hint: `raise the budget to at least ${formatCost(cheapest)}, or add a faster model to the zoo` },
    );
  }
  const dearest = length * table[heaviest];
  if (dearest < tolerance * budget) {
    throw new KitError(
      `no ${solver} schedule of length ${length} can use the budget ${formatCost(budget)}: the most expensive one (model ${heaviest} at every position) costs ${formatCost(dearest)}, below ${tolerance} x budget`,
      { hint: `lower the budget to at most ${formatCost(dearest / tolerance)}, or search longer schedules` },
    );
  }
  const gap = windowGap(table, length, tolerance * budget, budget);
  if (gap !== undefined) {
    throw new KitError(
      `no ${solver} schedule costs within [${formatCost(tolerance * budget)}, ${formatCost(budget)}] (${tolerance} x budget .. budget): the nearest possible costs are ${formatCost(gap.below)} and ${formatCost(gap.above)}`,
      { hint: `use a budget of at least ${formatCost(gap.above)}, or a lower repair tolerance (at most ${formatCost(gap.below / budget)})` },
    );
  }
}

/**
 * The smallest budget >= `budget` whose repair window [tolerance * C, C] some schedule of at most
 * `length` NFEs reaches: `budget` itself when it is reachable (or when there are too many
 * combinations to tell, which means plenty), else the cheapest cost above its window, which lies
 * inside its own window. `table`: latency per model index (latencyTable).
 */
export function reachableBudget(table: Float64Array, length: number, budget: number, tolerance: number): number {
  const gap = windowGap(table, length, tolerance * budget, budget);
  return gap === undefined || !Number.isFinite(gap.above) ? budget : gap.above;
}

/** Distinct costs explored at most by `windowGap`; beyond, combinations are plentiful and it gives up. */
const GAP_SEARCH_LIMIT = 5000;

/** What a walk over the costs of at most `maxNfe` NFEs found about the window [low, high]. */
export interface WindowSearch {
  /** model indices (1..N, one per NFE, fewest NFEs first) whose latencies sum into the window; null if none was found */
  inside: number[] | null;
  /** the largest cost seen below the window and the smallest above it */
  below: number;
  above: number;
  /** true when more than `limit` distinct costs below the window were met before any inside it */
  gaveUp: boolean;
}

/**
 * Walks the costs of 1, 2, ... `maxNfe` NFEs breadth first, keeping one way to reach each distinct
 * cost (equal sums reached in different orders differ by rounding only), until one falls inside
 * [low, high], or more than `limit` distinct costs below it have been met. `table`: latency per model index.
 */
export function searchWindow(table: Float64Array, maxNfe: number, low: number, high: number, limit: number): WindowSearch {
  const models = Array.from({ length: table.length - 1 }, (_, i) => i + 1);
  const parent = new Map<number, { from: number; model: number; sum: number }>([[0, { from: -1, model: 0, sum: 0 }]]);
  let frontier = [0];
  let below = -Infinity;
  let above = Infinity;
  for (let n = 1; n <= maxNfe && frontier.length > 0; n++) {
    const next: number[] = [];
    for (const key of frontier) {
      const sum = parent.get(key)!.sum;
      for (const m of models) {
        const c = sum + table[m];
        if (c > high) {
          above = Math.min(above, c);
          continue;
        }
        const k = Math.round(c * 1e6);
        if (c >= low) {
          const inside = [m];
          for (let at = key; at !== 0; at = parent.get(at)!.from) inside.push(parent.get(at)!.model);
          return { inside: inside.reverse(), below, above, gaveUp: false };
        }
        below = Math.max(below, c);
        if (parent.has(k)) continue;
        parent.set(k, { from: key, model: m, sum: c });
        next.push(k);
      }
    }
    if (parent.size > limit) return { inside: null, below, above, gaveUp: true };
    frontier = next;
  }
  return { inside: null, below, above, gaveUp: false };
}

/**
 * For small budgets, where few model combinations exist, whether the window [low, high] is
 * missed by every schedule of at most `length` NFEs (the packing rule allows any NFE count up to
 * the length). Returns the nearest costs below and above the window when it is missed; undefined
 * when some cost falls inside or when there are too many combinations to tell.
 */
function windowGap(table: Float64Array, length: number, low: number, high: number): { below: number; above: number } | undefined {
  // Quick yes: steps of the lightest model are narrower than the window and enough of them fit.
  const lightest = Math.min(...Array.from(table.subarray(1)));
  if (high - low >= lightest && lightest * length >= low) return undefined;
  const r = searchWindow(table, length, low, high, GAP_SEARCH_LIMIT);
  return r.inside || r.gaveUp ? undefined : { below: r.below, above: r.above };
}
