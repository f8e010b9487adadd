/**
 * The search's first schedule (method doc §6 step 1): a random draw, repaired into the budget
 * window [tolerance * C, C].
 *
 * The draw is the official one (code/predictor/search_utils.py, `random_init_ms` of both schedule
 * classes): DPM-Solver groups get an order 0..3 uniformly and models 1..N uniformly, DDIM positions
 * 0..N uniformly, so about 1/2 (DPM-Solver) or N/(N+1) (DDIM) of the positions are active. Its repair
 * walks down by a fraction of a position per round, and measured with a six-model zoo it ran out of
 * its 1000 rounds for every start when the budget was a few large-model NFEs (L = 90 and 100), the
 * regime of the paper's fastest points, where the official code stops in a debugger. Two additions
 * make that regime work without touching the repair itself:
 *   - thinning: when the draw costs more than 0.95 C, each active entry is kept with probability
 *     0.95 C / cost (DPM-Solver groups packed again), so the repair starts near the window;
 *   - fresh draws: if a repair still runs out of rounds, a new draw is tried, up to `draws` times;
 *   - a built schedule: when every draw's walk ran out (a window narrower than the latency steps,
 *     whose schedules the walk keeps jumping over), one is built inside the window
 *     (witness-schedule.ts).
 */
import { Rng } from '../util/rng';
import { GROUP_SIZE, NULL_MODEL, SolverName, packGroups } from '../schedule/index';
import { assertBudgetReachable, costOf, latencyTable } from './budget';
import { RepairOptions, RepairRoundsExhausted, repairToBudget } from './repair';
import { DEFAULT_SEARCH_SETTINGS } from './settings';
import { scheduleOfNfes, witnessNfes } from './witness-schedule';

/**
 * The official first draw, before repair: DPM-Solver groups of a uniform order 0..3 with uniform
 * models, or DDIM positions uniform over 0..N. A draw with no NFE (possible for short schedules)
 * is drawn again.
 */
export function randomInitialSchedule(solver: SolverName, length: number, numModels: number, rng: Rng): number[] {
  const draw = (n: number): number => Math.floor(rng() * n);
  for (;;) {
    const entries = new Array<number>(length).fill(NULL_MODEL);
    if (solver === 'dpm-solver') {
      for (let g = 0; g < length / GROUP_SIZE; g++) {
        const order = draw(GROUP_SIZE + 1);
        for (let j = 0; j < order; j++) entries[g * GROUP_SIZE + j] = 1 + draw(numModels);
      }
    } else {
      for (let i = 0; i < length; i++) entries[i] = draw(numModels + 1);
    }
    if (entries.some((m) => m !== NULL_MODEL)) return entries;
  }
}

/**
 * `entries` with each active entry kept with probability target / cost when it costs more than
 * `target` (a copy; DPM-Solver groups packed again; at least one NFE kept).
 */
export function thinToCost(entries: readonly number[], solver: SolverName, table: Float64Array, target: number, rng: Rng): number[] {
  const cost = costOf(entries, table);
  if (cost <= target) return entries.slice();
  const keep = target / cost;
  for (;;) {
    const out = entries.map((m) => (m !== NULL_MODEL && rng() < keep ? m : NULL_MODEL));
    if (solver === 'dpm-solver') packGroups(out);
    if (out.some((m) => m !== NULL_MODEL)) return out;
  }
}

/**
 * A first schedule inside [tolerance * budget, budget]: up to `draws` official draws, each thinned
 * towards the middle of the window and repaired. A budget no schedule can meet fails on the first
 * draw (KitError naming the cheapest cost); if every repair runs out of rounds, a schedule built
 * inside the window is returned (the last KitError only when none is found).
 */
export function firstSchedule(
  solver: SolverName,
  length: number,
  latency: readonly number[],
  budget: number,
  rng: Rng,
  options: RepairOptions & { draws?: number } = {},
): number[] {
  const table = latencyTable(latency);
  const tolerance = options.tolerance ?? DEFAULT_SEARCH_SETTINGS.repairTolerance;
  const draws = options.draws ?? DEFAULT_SEARCH_SETTINGS.initialDraws;
  // Before any draw: thinning towards a budget that cannot be met would never end.
  assertBudgetReachable(solver, length, table, budget, tolerance);
  for (let attempt = 1; ; attempt++) {
    const drawn = randomInitialSchedule(solver, length, table.length - 1, rng);
    const start = thinToCost(drawn, solver, table, ((1 + tolerance) / 2) * budget, rng);
    try {
      return repairToBudget(start, solver, latency, budget, rng, options);
    } catch (e) {
      if (!(e instanceof RepairRoundsExhausted)) throw e;
      if (attempt < draws) continue;
      // every walk bounced over a narrow window: build a schedule inside it instead (witness-schedule.ts)
      const nfes = witnessNfes(table, length, tolerance * budget, budget);
      if (!nfes) throw e;
      return scheduleOfNfes(solver, length, table.length - 1, nfes);
    }
  }
}
