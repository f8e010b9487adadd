/**
 * Baseline (d), beyond the paper: two-segment schedules in the style of trajectory stitching (one
 * model for the first, noisiest steps and another for the rest; Pan et al., "T-Stitch", 2024).
 * For every ordered pair of distinct models (i, j), NFE n of the grid and split k, the first k
 * steps in calling order run model i and the remaining steps model j; the best FID with cost <= C
 * is the point. Splits are fractions of the steps (default 1/4, 1/2, 3/4, rounded, 1 <= k <= K - 1),
 * since scanning every k for every pair and NFE would cost more FIDs than the other series together.
 *
 * DDIM: n uniform steps (the all-active schedule of length n), k of them by model i.
 * DPM-Solver: the order-3 mix of n NFEs (`singlestepOrders`), split over its K steps (a step keeps
 * one model for all its NFEs), one group per step.
 */
import { ddimSwitchAt } from '../evaluation/first-observation';
import { singlestepOrders } from '../samplers/dpm-solver';
import type { SolverName } from '../schedule/index';
import { candidate, distinctCandidates, dpmSolverFromSteps, fitsBudget, type Candidate } from './candidate';
import { twoSegmentNfeGrid } from './settings';

/** Steps of an n-NFE run of `solver` (DDIM: n; DPM-Solver: the order-3 mix's step count). */
export function stepCount(solver: SolverName, steps: number): number {
  return solver === 'ddim' ? steps : singlestepOrders(steps, 3, 'singlestep').length;
}

/** The first `k` steps (calling order) with `first`, the rest with `rest`, for an n-NFE run. */
export function twoSegmentSchedule(solver: SolverName, first: number, rest: number, steps: number, k: number): number[] {
  if (solver === 'ddim') return ddimSwitchAt(first, rest, steps, k);
  return dpmSolverFromSteps(singlestepOrders(steps, 3, 'singlestep').map((order, i) => new Array<number>(order).fill(i < k ? first : rest)));
}

/** Distinct splits k in 1..K-1 at the given fractions of K steps (none when K < 2). */
export function splitsOf(K: number, fractions: readonly number[]): number[] {
  if (K < 2) return [];
  return [...new Set(fractions.map((f) => Math.min(K - 1, Math.max(1, Math.round(f * K)))))].sort((a, b) => a - b);
}

export interface TwoSegmentOptions {
  nfes?: readonly number[] | null;
  fractions: readonly number[];
  modelIds: readonly string[];
  timesteps: number;
}

/** Every two-segment candidate with cost <= `maxCost`, by pair, NFE and split. */
export function twoSegmentCandidates(solver: SolverName, latency: readonly number[], maxCost: number, o: TwoSegmentOptions): Candidate[] {
  const N = latency.length - 1;
  const id = (m: number) => o.modelIds[m - 1] ?? `model ${m}`;
  const out: Candidate[] = [];
  for (let i = 1; i <= N; i++) {
    for (let j = 1; j <= N; j++) {
      if (i === j) continue;
      // The cheapest split runs one step of the dearer model; NFEs beyond that cannot fit.
      const cap = Math.floor(maxCost / Math.min(latency[i], latency[j]) + 1e-9);
      const limit = solver === 'ddim' ? Math.min(cap, o.timesteps) : cap;
      const nfes = (o.nfes ?? twoSegmentNfeGrid(limit)).filter((n) => n <= limit);
      for (const n of nfes) {
        const K = stepCount(solver, n);
        for (const k of splitsOf(K, o.fractions)) {
          const schedule = twoSegmentSchedule(solver, i, j, n, k);
          const c = candidate(solver, schedule, latency, `${id(i)} for ${k} of ${K} steps, then ${id(j)}, ${n} NFE`);
          if (fitsBudget(c.cost, maxCost)) out.push(c);
        }
      }
    }
  }
  return distinctCandidates(out);
}
