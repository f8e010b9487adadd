/**
 * What a schedule asks the sampler to do: its steps and its network evaluations (NFEs), in the
 * order the network is called, with each evaluation's model and time (method doc §3).
 *
 * DDIM (length L, T discrete timesteps, stride = floor(T / L)): active positions p give timesteps
 * p * stride; steps run from the highest active timestep down, each one NFE at its timestep, and
 * the last step goes to the clean image (alpha_bar = 1).
 *
 * DPM-Solver (length 3K, single-step): the active groups, read from the end of the schedule, are
 * the steps; a group with k non-zero entries is an order-k step. With M active steps the outer
 * times t_T = t^(0) > t^(1) > ... > t^(M) = t_0 are uniform in lambda:
 *   lambda(t^(i)) = lambda_T + (i / M) (lambda_0 - lambda_T),
 * t_T = 1 and t_0 = 1e-4 if the total NFE >= 15, else 1e-3. Step i, from s = t^(i) to t = t^(i+1),
 * with h = lambda_t - lambda_s, evaluates the network at the k points
 *   s_j = t(lambda_s + r_j h),  r_j = j / k  (r = 0; 0, 1/2; 0, 1/3, 2/3),
 * the model of NFE j being the group's (k-1-j)-th entry: the last non-zero entry goes first.
 * Each point's network input is N * max(s_j - 1/N, 0).
 */
import { ContinuousVpSchedule, LINEAR_VP } from '../diffusion/continuous-vp';
import { KitError } from '../util/errors';
import { DdimStep, DpmSolverStep, Evaluation, GROUP_SIZE, ModelSchedule, NULL_MODEL, SolverName, scheduleEntries } from './types';

/** Number of network evaluations: the non-zero entries. */
export function nfe(schedule: ModelSchedule | readonly number[]): number {
  const entries = scheduleEntries(schedule);
  let n = 0;
  for (const m of entries) if (m !== NULL_MODEL) n++;
  return n;
}

/** The official code's end time t_0 of DPM-Solver sampling: 1e-4 when NFE >= 15, else 1e-3. */
export function dpmSolverEndTime(totalNfe: number): number {
  return totalNfe >= 15 ? 1e-4 : 1e-3;
}

/**
 * DDIM steps in calling order. `timesteps` = T (default 1000); position p is timestep
 * p * floor(T / L).
 */
export function ddimSteps(entries: readonly number[], timesteps = 1000): DdimStep[] {
  const L = entries.length;
  const stride = Math.floor(timesteps / L);
  if (stride < 1) {
    throw new KitError(`ddim schedule has length ${L}, more positions than T = ${timesteps} timesteps`, {
      hint: `use a schedule of length at most ${timesteps}`,
    });
  }
  const active: number[] = [];
  for (let p = L - 1; p >= 0; p--) if (entries[p] !== NULL_MODEL) active.push(p);
  return active.map((p, i) => ({
    position: p,
    timestep: p * stride,
    next: i + 1 < active.length ? active[i + 1] * stride : -1,
    model: entries[p],
  }));
}

export interface DpmSolverTimeOptions {
  /** The continuous schedule for lambda and its inverse; default beta_0 = 0.1, beta_1 = 20, N = 1000. */
  vp?: ContinuousVpSchedule;
  /** Start time t_T; default 1. */
  tStart?: number;
  /** End time t_0; default `dpmSolverEndTime(nfe)`. */
  tEnd?: number;
}

/** Single-step DPM-Solver steps in calling order, with their outer and inner times. */
export function dpmSolverSteps(entries: readonly number[], options: DpmSolverTimeOptions = {}): DpmSolverStep[] {
  const vp = options.vp ?? LINEAR_VP;
  if (entries.length % GROUP_SIZE !== 0) {
    throw new KitError(`dpm-solver schedule has length ${entries.length}; its length must be a multiple of ${GROUP_SIZE}`, {
      hint: 'pad the last group with 0s',
    });
  }
  const tStart = options.tStart ?? vp.T;
  const tEnd = options.tEnd ?? dpmSolverEndTime(nfe(entries));
  if (!(tStart > tEnd && tEnd > 0)) throw new Error(`DPM-Solver needs t_T > t_0 > 0, got t_T = ${tStart}, t_0 = ${tEnd}`);

  // Active groups from the end of the schedule: the first step from noise comes first.
  const groups: { group: number; models: number[]; positions: number[] }[] = [];
  for (let g = entries.length / GROUP_SIZE - 1; g >= 0; g--) {
    const models: number[] = [];
    const positions: number[] = [];
    for (let j = GROUP_SIZE - 1; j >= 0; j--) {
      const p = g * GROUP_SIZE + j;
      if (entries[p] !== NULL_MODEL) {
        models.push(entries[p]);
        positions.push(p);
      }
    }
    if (models.length > 0) groups.push({ group: g, models, positions });
  }

  // Outer times uniform in lambda; the end points are exactly t_T and t_0.
  const M = groups.length;
  const lambdaStart = vp.lambda(tStart);
  const lambdaEnd = vp.lambda(tEnd);
  const lambdas = Array.from({ length: M + 1 }, (_, i) => lambdaStart + (i / M) * (lambdaEnd - lambdaStart));
  const outer = lambdas.map((l, i) => (i === 0 ? tStart : i === M ? tEnd : vp.inverseLambda(l)));

  return groups.map(({ group, models, positions }, i) => {
    const k = models.length;
    const lambdaS = lambdas[i];
    const lambdaT = lambdas[i + 1];
    const h = lambdaT - lambdaS;
    const r = Array.from({ length: k }, (_, j) => j / k);
    const times = r.map((rj, j) => (j === 0 ? outer[i] : vp.inverseLambda(lambdaS + rj * h)));
    return { group, order: k, models, positions, s: outer[i], t: outer[i + 1], lambdaS, lambdaT, r, times };
  });
}

export interface EvaluationOptions extends DpmSolverTimeOptions {
  /**
   * T, the discrete timesteps of the training schedule (DDIM positions); default 1000. For
   * DPM-Solver pass `vp` instead (`ContinuousVpSchedule.fromDiscrete(T, betaStart, betaEnd)`).
   */
  timesteps?: number;
}

/**
 * Every network evaluation of the schedule in calling order: `{step, order, stage, model,
 * position, t?, tInput}` (DDIM: the discrete timestep is the input, order 1, no t).
 * The entries are not validated here; call `validateSchedule` first for user input.
 */
export function evaluations(solver: SolverName, entries: readonly number[], options: EvaluationOptions = {}): Evaluation[] {
  if (solver === 'ddim') {
    return ddimSteps(entries, options.timesteps ?? 1000).map((s, i) => ({
      step: i,
      order: 1,
      stage: 0,
      model: s.model,
      position: s.position,
      tInput: s.timestep,
    }));
  }
  const vp = options.vp ?? LINEAR_VP;
  const out: Evaluation[] = [];
  dpmSolverSteps(entries, { ...options, vp }).forEach((s, i) => {
    s.times.forEach((t, j) => {
      out.push({ step: i, order: s.order, stage: j, model: s.models[j], position: s.positions[j], t, tInput: vp.modelTimeInput(t) });
    });
  });
  return out;
}
