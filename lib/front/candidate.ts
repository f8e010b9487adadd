/**
 * A baseline candidate: a schedule to score, priced with the latency table.
 *
 * Encodings. The searched, random and training-set schedules have the predictor's length L. The
 * enumerated baselines (single model, two segments) use their own natural encodings instead,
 * because FID is computed by sampling the schedule whatever its length, and a fixed length would
 * deform them: uniform DDIM with n steps is the all-active DDIM schedule of length n (position i =
 * timestep i * floor(T / n): the DDIM code's uniform skip when n divides T, its first n timesteps
 * otherwise, see `ddimTimesteps`), quadratic DDIM is the length-T
 * schedule active at the quadratic timesteps, and DPM-Solver with an order mix is a schedule of one
 * group per step. Costs are always `scheduleCost` over the same latency table, so every series is
 * priced alike.
 */
import { ddimTimesteps } from '../samplers/ddim';
import { encodeSchedule, nfe, scheduleCost, type SolverName } from '../schedule/index';
import { KitError } from '../util/errors';

export interface Candidate {
  solver: SolverName;
  schedule: number[];
  cost: number;
  nfe: number;
  label: string;
}

/** The candidate of a schedule, priced with `latency` (indexed by model, 0 = null model). */
export function candidate(solver: SolverName, schedule: number[], latency: readonly number[], label: string): Candidate {
  return { solver, schedule, cost: scheduleCost(schedule, latency), nfe: nfe(schedule), label };
}

/** The key the FID cache uses: the solver and the exact entries. */
export function candidateKey(solver: SolverName, schedule: readonly number[]): string {
  return `${solver}:${schedule.join(',')}`;
}

/** Candidates without repeats (same solver and entries), first label kept. */
export function distinctCandidates(list: readonly Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = candidateKey(c.solver, c.schedule);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Costs are sums of latencies: a budget equal to a cost up to rounding still admits it. */
export function fitsBudget(cost: number, budget: number): boolean {
  return cost <= budget * (1 + 1e-12);
}

/**
 * DPM-Solver schedule of the given steps in calling order, each step's models in calling order
 * (order = models.length): one group per step, the first step in the last group.
 */
export function dpmSolverFromSteps(steps: readonly (readonly number[])[]): number[] {
  const K = steps.length;
  const form = { solver: 'dpm-solver' as const, length: 3 * K, steps: steps.map((models, i) => ({ group: K - 1 - i, models: [...models] })) };
  return [...encodeSchedule(form).entries];
}

/**
 * Whether the quadratic DDIM skip of `steps` NFEs fits T (= `timesteps`): `steps` distinct
 * timesteps, all below T. More steps than timesteps never fit. For 1 <= steps <= T it always fits
 * as `ddimTimesteps` builds it (the top timestep is at most max(floor(0.8 T), steps - 1) < T), so
 * this is the guard that keeps that true, not a filter that drops common runs. Invalid input (a
 * non-integer or non-positive `steps` or T) is an error, not "does not fit".
 */
export function quadraticSkipFits(steps: number, timesteps: number): boolean {
  if (!Number.isInteger(timesteps) || timesteps < 1) throw new KitError(`T must be a positive integer, got ${timesteps}`);
  if (Number.isInteger(steps) && steps > timesteps) return false;
  return ddimTimesteps(timesteps, steps, 'quadratic').every((t) => t < timesteps);
}

/** DDIM schedule of length T active at the quadratic-skip timesteps of an `steps`-NFE run with `model`. */
export function ddimQuadraticSchedule(model: number, steps: number, timesteps: number): number[] {
  if (!quadraticSkipFits(steps, timesteps)) {
    throw new KitError(`quadratic DDIM with ${steps} steps does not fit T = ${timesteps}`, { hint: `use at most ${timesteps} steps for the quadratic skip` });
  }
  const entries = new Array<number>(timesteps).fill(0);
  for (const t of ddimTimesteps(timesteps, steps, 'quadratic')) entries[t] = model;
  return entries;
}
