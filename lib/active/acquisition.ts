/**
 * Which schedules a round of active collection scores: the acquisition, over the whole-front
 * search (lib/search/front-search.ts) of the front's budget grid B_1 < ... < B_n, with a predictor
 * ensemble of K members (lib/predictor/ensemble.ts).
 *
 * thompson (the default; BANANAS' choice): each pick d draws a member k ~ U{1..K} and takes the
 * best-ranked schedule of member k's own search at budget B_((o + d) mod n) (o a random offset) that
 * is not scored or picked yet. Drawing the member is sampling a plausible predictor from the
 * bootstrap posterior and acting greedily on it, so where members disagree, the picks spread over
 * their different optima (exploration), and where they agree, picks concentrate (exploitation).
 * It is scale-free by construction: a pick only ever uses one member's ranking, never compares two
 * members' scores, which differ in scale (ranking scores). Each member is searched once per round,
 * and only when first drawn.
 *
 * lcb (lower confidence bound): every member's scores are standardised on the records it trained
 * on, z_k(s) = (s_k(s) - mean_k) / std_k, which puts them on one scale (a member's spread over
 * the training records is its unit), and one search minimises mean_k z_k(s) - KAPPA * std_k z_k(s)
 * (optimism where members disagree); the picks are the search's best unscored schedules, taken from
 * the budgets in turn. It needs every member's score of every schedule the search sees.
 *
 * Both cycle through the budgets, so every budget of the front gets records each round, and neither
 * returns a schedule in `exclude` or twice. Fewer than `want` picks are returned only when the
 * searches ran out of unscored schedules (the loop then draws the rest at random).
 */
import type { Rng } from '../util/rng';
import type { FrontSearchResult } from '../search/front-search';
import type { ScoreFunction } from '../search/score-cache';
import type { PredictorEnsemble } from '../predictor/ensemble';

export type Acquisition = 'thompson' | 'lcb';
export const ACQUISITIONS: readonly Acquisition[] = ['thompson', 'lcb'];

/** The weight of disagreement in lcb, in units of standardised score: one standard deviation of optimism. */
export const LCB_KAPPA = 1;

/** At most this many draws per wanted pick before thompson gives up on the rest (each failed draw hit a list with nothing unscored left). */
const DRAWS_PER_PICK = 4;

/** A chosen schedule, with where it came from. */
export interface AcquiredSchedule {
  schedule: number[];
  /** the grid budget it was picked for (its cost is at most this) */
  budget: number;
  /** thompson: the member whose search ranked it; lcb: null */
  member: number | null;
  /** its score under that member (thompson) or the combined lcb score */
  score: number;
}

export interface AcquisitionInputs {
  ensemble: PredictorEnsemble;
  /** Runs the whole-front search of the grid under `score`; `label` names the search (its seed derives from it). */
  search: (label: string, score: ScoreFunction) => Promise<FrontSearchResult>;
  /** How many schedules to pick. */
  want: number;
  /**
   * The samplers (`samplerOf`) scored or picked already; the picks are added to it. A DPM-Solver
   * schedule's copies in other groups are one sampler with one FID, so none is scored twice.
   */
  exclude: Set<string>;
  /** The sampler a schedule runs: samplerKey(solver, schedule) (schedule/sampler-key.ts). */
  samplerOf: (schedule: readonly number[]) => string;
  rng: Rng;
  /** lcb: the schedules each member's scores are standardised on (the training records). */
  reference: number[][];
}

/** The picks of `acquisition`; see the file comment. */
export function acquire(acquisition: Acquisition, inputs: AcquisitionInputs): Promise<AcquiredSchedule[]> {
  return acquisition === 'lcb' ? lowerConfidenceBound(inputs) : thompsonSampling(inputs);
}

/** The first schedule of `population` (best first) whose sampler is not in `x.exclude`. */
function firstUnscored(population: readonly { schedule: number[]; score: number }[], x: AcquisitionInputs): { schedule: number[]; score: number } | undefined {
  return population.find((ind) => !x.exclude.has(x.samplerOf(ind.schedule)));
}

async function thompsonSampling(x: AcquisitionInputs): Promise<AcquiredSchedule[]> {
  const searches = new Map<number, FrontSearchResult>();
  const picks: AcquiredSchedule[] = [];
  const start = x.rng(); // the budget the first pick is for, as a fraction of the grid
  for (let d = 0; picks.length < x.want && d < x.want * DRAWS_PER_PICK; d++) {
    const member = Math.floor(x.rng() * x.ensemble.size);
    let result = searches.get(member);
    if (!result) {
      result = await x.search(`member-${member}`, (s) => x.ensemble.score(member, s));
      searches.set(member, result);
    }
    const n = result.byBudget.length;
    const at = result.byBudget[(Math.floor(start * n) + d) % n];
    const best = firstUnscored(at.population, x);
    if (!best) continue;
    x.exclude.add(x.samplerOf(best.schedule));
    picks.push({ schedule: best.schedule.slice(), budget: at.budget, member, score: best.score });
  }
  return picks;
}

/** Mean and standard deviation (population; 1 when the scores are all equal, so a constant member adds nothing but no NaN). */
function moments(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: v > 0 ? Math.sqrt(v) : 1 };
}

/** mean_k z_k - KAPPA * std_k z_k of a batch, with each member standardised on the reference schedules. */
async function lcbScorer(ensemble: PredictorEnsemble, reference: number[][]): Promise<ScoreFunction> {
  const units: { mean: number; std: number }[] = [];
  for (let k = 0; k < ensemble.size; k++) units.push(moments(await ensemble.score(k, reference.map((s) => s.slice()))));
  return async (schedules) => {
    const z: number[][] = [];
    for (let k = 0; k < ensemble.size; k++) {
      const s = await ensemble.score(k, schedules);
      z.push(s.map((v) => (v - units[k].mean) / units[k].std));
    }
    return schedules.map((_, i) => {
      const col = z.map((zk) => zk[i]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      return mean - LCB_KAPPA * std;
    });
  };
}

async function lowerConfidenceBound(x: AcquisitionInputs): Promise<AcquiredSchedule[]> {
  const result = await x.search('lcb', await lcbScorer(x.ensemble, x.reference));
  const n = result.byBudget.length;
  const offset = Math.floor(x.rng() * n);
  const picks: AcquiredSchedule[] = [];
  for (let d = 0, misses = 0; picks.length < x.want && misses < n; d++) {
    const at = result.byBudget[(offset + d) % n];
    const best = firstUnscored(at.population, x);
    if (!best) {
      misses++;
      continue;
    }
    misses = 0;
    x.exclude.add(x.samplerOf(best.schedule));
    picks.push({ schedule: best.schedule.slice(), budget: at.budget, member: null, score: best.score });
  }
  return picks;
}
