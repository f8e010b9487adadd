/**
 * Time grids of the continuous-time solvers (DPM-Solver's `get_time_steps`): n + 1 times from
 * t_T = tStart down to t_0 = tEnd, spaced
 *
 *   'logSNR'         uniform in lambda_t = log(alpha_t / sigma_t)   (the OMS-DPM and low-resolution choice)
 *   'time_uniform'   uniform in t
 *   'time_quadratic' uniform in sqrt(t)
 *
 * The end points are exactly tStart and tEnd (no round trip through lambda and its inverse).
 */
import { ContinuousVpSchedule } from '../diffusion/continuous-vp';
import { KitError } from '../util/errors';

export const SKIP_TYPES = ['logSNR', 'time_uniform', 'time_quadratic'] as const;
export type SkipType = (typeof SKIP_TYPES)[number];

/** Throws a KitError naming the allowed values unless `skipType` is one of SKIP_TYPES. */
export function checkSkipType(skipType: string): SkipType {
  if (!(SKIP_TYPES as readonly string[]).includes(skipType)) {
    throw new KitError(`unknown time spacing '${skipType}'; allowed: ${SKIP_TYPES.join(', ')}`);
  }
  return skipType as SkipType;
}

/** n + 1 descending times tStart = t[0] > t[1] > ... > t[n] = tEnd with the given spacing. */
export function timeGrid(skipType: SkipType, tStart: number, tEnd: number, n: number, vp: ContinuousVpSchedule): number[] {
  checkSkipType(skipType);
  if (!Number.isInteger(n) || n < 1) throw new Error(`a time grid needs an integer number of intervals n >= 1, got ${n}`);
  if (!(tStart > tEnd && tEnd > 0 && tStart <= vp.T)) {
    throw new Error(`time grid needs T >= t_T > t_0 > 0 (T = ${vp.T}), got t_T = ${tStart}, t_0 = ${tEnd}`);
  }
  const inner = (i: number): number => {
    const f = i / n;
    if (skipType === 'logSNR') {
      const lambdaStart = vp.lambda(tStart);
      return vp.inverseLambda(lambdaStart + f * (vp.lambda(tEnd) - lambdaStart));
    }
    if (skipType === 'time_uniform') return tStart + f * (tEnd - tStart);
    const a = Math.sqrt(tStart);
    const b = Math.sqrt(tEnd);
    const r = a + f * (b - a);
    return r * r;
  };
  return Array.from({ length: n + 1 }, (_, i) => (i === 0 ? tStart : i === n ? tEnd : inner(i)));
}
