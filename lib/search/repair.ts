/**
 * Step 1 of the search (method doc §6): one random schedule, repaired until its cost lies in
 * [tolerance * C, C] by moves towards lighter models (cost too high) or heavier ones (cost too
 * low), each picked position redrawn with probability 0.1, at most 1000 rounds.
 *
 * Checked in the official code (code/predictor/search_utils.py): `model_schedule.correct_cost`
 * (the loop) and `mutate` with mode "lighter"/"heavier" (candidates with latency <= / >= the
 * current model's). Where the official code opens a debugger when the loop runs out of rounds, this
 * throws a KitError; when the window cannot be reached at all, it says so before trying. The first
 * draw is in initial.ts.
 */
import { Rng } from '../util/rng';
import { SolverName, validateSchedule } from '../schedule/index';
import { KitError } from '../util/errors';
import { assertBudgetReachable, costOf, formatCost, latencyTable } from './budget';
import { ScheduleMutator } from './moves';
import { resolveSearchSettings } from './settings';

/** A repair that ran out of rounds (the window may still be reachable from another start). */
export class RepairRoundsExhausted extends KitError {}

export interface RepairOptions {
  /** Lower end of the window as a fraction of the budget (default 0.9). */
  tolerance?: number;
  /** Per-position redraw chance of a repair move (default 0.1). */
  probability?: number;
  /** Moves allowed before giving up (default 1000). */
  maxRounds?: number;
  /** A move picks 1..this many positions (default 10). */
  maxPositions?: number;
}

/**
 * A copy of `entries` moved into [tolerance * budget, budget]. `latency` is indexed by model
 * (entry 0 = null model, N = latency.length - 1). Throws a KitError when the window is out of
 * reach for any schedule of this length (naming the cheapest or dearest possible cost), or when
 * the moves run out of rounds.
 */
export function repairToBudget(
  entries: readonly number[],
  solver: SolverName,
  latency: readonly number[],
  budget: number,
  rng: Rng,
  options: RepairOptions = {},
): number[] {
  const table = latencyTable(latency);
  const N = table.length - 1;
  validateSchedule(solver, entries, N);
  // The same checks and defaults as the search's settings.
  const s = resolveSearchSettings({
    repairTolerance: options.tolerance,
    repairProbability: options.probability,
    maxRepairRounds: options.maxRounds,
    maxMutatedPositions: options.maxPositions,
  });
  assertBudgetReachable(solver, entries.length, table, budget, s.repairTolerance);

  const mutator = new ScheduleMutator(solver, entries.length, N, s.maxMutatedPositions, table);
  const out = entries.slice();
  const low = s.repairTolerance * budget;
  const maxRounds = s.maxRepairRounds;
  for (let round = 0; ; round++) {
    const cost = costOf(out, table);
    if (cost > budget || cost < low) {
      if (round === maxRounds) {
        throw new RepairRoundsExhausted(`could not repair a ${solver} schedule into the budget window [${formatCost(low)}, ${formatCost(budget)}] in ${maxRounds} rounds; its cost is still ${formatCost(cost)}`, {
          hint: 'the window may be too narrow for these latencies: try a slightly different budget, a lower repair tolerance, more repair rounds, or a start closer to the budget',
        });
      }
      mutator.move(out, rng, cost > budget ? 'lighter' : 'heavier', s.repairProbability);
    } else {
      return out;
    }
  }
}
