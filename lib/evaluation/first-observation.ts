/**
 * The paper's first observation, as schedules to score: (a) FID vs NFE of every zoo model alone,
 * for DDIM and DPM-Solver; (b) at a fixed NFE, the smallest model for the first k steps and the
 * largest for the rest, and the reverse, for every k. All are model schedules in the official
 * encoding, so they run through the same sampler path as any searched schedule.
 */
import { singlestepOrders } from '../samplers/dpm-solver';
import { GROUP_SIZE } from '../schedule/index';

/** DDIM schedule of length `nfe` with every position active: uniform DDIM with `nfe` steps (skip T/nfe). */
export function ddimSingleModel(model: number, steps: number): number[] {
  return new Array<number>(steps).fill(model);
}

/**
 * DPM-Solver schedule with `nfe` NFEs of one model and the usual single-step order mix of the
 * DPM-Solver code (`singlestepOrders`, e.g. 10 NFE -> orders 3,3,3,1 in calling order). Groups
 * are packed and read from the end, so the first step in calling order is the last group.
 */
export function dpmSolverSingleModel(model: number, nfeCount: number): number[] {
  const orders = singlestepOrders(nfeCount, 3, 'singlestep');
  const groups = [...orders].reverse().map((k) => [...new Array<number>(k).fill(model), ...new Array<number>(GROUP_SIZE - k).fill(0)]);
  return groups.flat();
}

/**
 * DDIM schedule of `steps` NFEs where the first `k` steps in calling order (the noisiest) use
 * `first` and the rest `rest`. Calling order runs from the last position down to position 0.
 */
export function ddimSwitchAt(first: number, rest: number, steps: number, k: number): number[] {
  return Array.from({ length: steps }, (_, pos) => (pos >= steps - k ? first : rest));
}
