/**
 * Baseline (c): random schedules at the budget. Each is a draw from the schedule-FID dataset's
 * distribution (method doc §4: Dirichlet preference, 0.8 null probability, the predictor's length
 * L), then *repaired* into the search's window [0.9 C, C] exactly as the search repairs its first
 * schedule (thinned towards the window, then lighter/heavier moves; search/initial.ts, repair.ts).
 * So a random point is "the search's starting point without the search", and it uses the budget as
 * fully as the searched schedule does.
 *
 * Repaired, not filtered: a dataset draw has about 0.2 L NFEs (20 for L = 100), so at a budget of a
 * few NFEs rejection would keep about one draw in millions, and the kept ones would be the few
 * unusually sparse draws rather than typical ones.
 *
 * Schedule i at budget C comes from its own stream (seed, 'front-random', solver, C, i): the same
 * budget and seed give the same schedules in any run, so their FIDs come from the cache.
 */
import { streamRng } from '../util/rng';
import { sampleRandomSchedule, type SolverName } from '../schedule/index';
import { latencyTable } from '../search/budget';
import { thinToCost } from '../search/initial';
import { RepairRoundsExhausted, repairToBudget } from '../search/repair';
import { DEFAULT_SEARCH_SETTINGS } from '../search/settings';

export interface RandomBaselineOptions {
  solver: SolverName;
  length: number;
  latency: readonly number[];
  budget: number;
  count: number;
  seed: number;
  /** the dataset distribution (collection.dirichletAlpha, collection.nullProbability) */
  alpha: number;
  nullProb: number;
  timesteps: number;
}

/** Fresh draws tried for one schedule when a repair runs out of rounds (as the search's first schedule). */
const DRAWS = DEFAULT_SEARCH_SETTINGS.initialDraws;

/**
 * Up to `count` random schedules with cost in [0.9 C, C] (C = budget); KitError when C is out of
 * reach. A draw whose repairs all run out of rounds (a window narrower than the latency steps, which
 * the walk keeps jumping over) is left out rather than replaced by a built schedule: those would not
 * be random draws. So fewer than `count` can come back, none in the worst case.
 */
export function randomBaselineSchedules(o: RandomBaselineOptions): number[][] {
  const table = latencyTable(o.latency);
  const numModels = o.latency.length - 1;
  const tolerance = DEFAULT_SEARCH_SETTINGS.repairTolerance;
  const out: number[][] = [];
  for (let i = 0; i < o.count; i++) {
    const rng = streamRng(o.seed, 'front-random', o.solver, o.budget, i);
    for (let attempt = 1; ; attempt++) {
      const drawn = sampleRandomSchedule(o.solver, { length: o.length, numModels, alpha: o.alpha, nullProb: o.nullProb, timesteps: o.timesteps }, rng);
      const start = thinToCost(drawn.entries, o.solver, table, ((1 + tolerance) / 2) * o.budget, rng);
      try {
        out.push(repairToBudget(start, o.solver, o.latency, o.budget, rng));
        break;
      } catch (e) {
        if (!(e instanceof RepairRoundsExhausted)) throw e;
        if (attempt >= DRAWS) break;
      }
    }
  }
  return out;
}
