/**
 * Host-side preparation of schedules for the predictor: validation, and the per-solver integer
 * and time arrays the encoders turn into tensors. Done once per dataset; training batches are row
 * selections of it.
 *
 * DDIM: the entries as they are; position i has the discrete timestep i * floor(T / L).
 *
 * DPM-Solver (official `reorder` / `gather_active_solver` and `get_timesteps_for_dpm_solver`,
 * code/predictor/modules/predictor_utils.py): the groups of 3 with a non-zero entry are moved to
 * the front in their schedule order (ascending group index, i.e. the LAST sampling step first),
 * the all-null groups after them. Step k of this sequence has order = its number of non-zero
 * entries. With n active steps and the schedule's NFE, the times
 *   t_k = t(lambda_0 + (k / n) (lambda_T - lambda_0)),  k = 0..n,   t_0 = 1e-4 if NFE >= 15 else 1e-3, t_T = 1,
 * run from the data end upward, so active step k covers [t_k, t_{k+1}]: t_{k+1} is its start time
 * s in sampling order and t_k its end time t. The official code embeds t_k ('end'); 'start'
 * embeds t_{k+1}. The network time input is N * max(t - 1/N, 0). Inactive steps get time 0 and
 * their time embedding is masked to 0 later.
 */
import { ContinuousVpSchedule } from '../diffusion/continuous-vp';
import { GROUP_SIZE, NULL_MODEL, dpmSolverEndTime, validateSchedule } from '../schedule/index';
import { KitError } from '../util/errors';
import { PredictorConfig } from './config';

/** A validated batch of B schedules of length L in the encoders' input form. */
export interface ScheduleBatch {
  size: number;
  length: number;
  /** [B, L] row-major. DDIM: the entries; DPM-Solver: the entries with active groups moved to the front. */
  models: Int32Array;
  /** DPM-Solver: [B, K] order of each reordered step (0 = inactive); empty for DDIM. */
  orders: Int32Array;
  /** DPM-Solver: [B, K] network time input of each step's embedded time (0 when inactive); empty for DDIM. */
  stepTimes: Float32Array;
}

/** DDIM: discrete timestep of every position, i * floor(T / L), i = 0..L-1. */
export function ddimTimesteps(length: number, timesteps: number): Float32Array {
  const stride = Math.floor(timesteps / length);
  return Float32Array.from({ length }, (_, i) => i * stride);
}

/** DPM-Solver: the entries with every group that has a non-zero entry moved to the front (order kept). */
export function reorderActiveGroups(entries: readonly number[]): number[] {
  const active: number[] = [];
  const inactive: number[] = [];
  for (let g = 0; g < entries.length; g += GROUP_SIZE) {
    const group = entries.slice(g, g + GROUP_SIZE);
    (group.some((m) => m !== NULL_MODEL) ? active : inactive).push(...group);
  }
  return [...active, ...inactive];
}

/**
 * DPM-Solver: the network time input embedded for each of the `activeSteps` steps of the
 * reordered sequence (see the file comment), for a schedule with `totalNfe` NFEs.
 */
export function dpmStepTimeInputs(
  activeSteps: number,
  totalNfe: number,
  config: PredictorConfig,
  vp: ContinuousVpSchedule = new ContinuousVpSchedule(config.vp),
): number[] {
  const n = activeSteps;
  const tEnd = dpmSolverEndTime(totalNfe);
  const lambda0 = vp.lambda(tEnd);
  const lambdaT = vp.lambda(vp.T);
  const t = Array.from({ length: n + 1 }, (_, k) => (k === 0 ? tEnd : k === n ? vp.T : vp.inverseLambda(lambda0 + (k / n) * (lambdaT - lambda0))));
  const shift = config.dpmStepTime === 'start' ? 1 : 0;
  return Array.from({ length: n }, (_, k) => vp.modelTimeInput(t[k + shift]));
}

/** Validates `schedules` against the predictor's solver, zoo size and length, and prepares them. */
export function prepareSchedules(config: PredictorConfig, schedules: readonly (readonly number[])[]): ScheduleBatch {
  const B = schedules.length;
  const L = config.length;
  const K = config.solver === 'dpm-solver' ? L / GROUP_SIZE : 0;
  const models = new Int32Array(B * L);
  const orders = new Int32Array(B * K);
  const stepTimes = new Float32Array(B * K);
  const vp = new ContinuousVpSchedule(config.vp);
  schedules.forEach((entries, b) => {
    try {
      validateSchedule(config.solver, entries, config.numModels, L, { timesteps: config.timesteps });
    } catch (e) {
      if (e instanceof KitError) {
        throw new KitError(`predictor input ${b}: ${e.message}`, {
          hint: `${e.hint ?? ''} (this predictor scores ${config.solver} schedules of length ${L} over ${config.numModels} models)`.trim(),
        });
      }
      throw e;
    }
    if (config.solver === 'ddim') {
      models.set(entries, b * L);
      return;
    }
    const reordered = reorderActiveGroups(entries);
    models.set(reordered, b * L);
    let active = 0;
    let total = 0;
    for (let k = 0; k < K; k++) {
      let order = 0;
      for (let j = 0; j < GROUP_SIZE; j++) if (reordered[k * GROUP_SIZE + j] !== NULL_MODEL) order++;
      orders[b * K + k] = order;
      if (order > 0) active++;
      total += order;
    }
    stepTimes.set(dpmStepTimeInputs(active, total, config, vp), b * K);
  });
  return { size: B, length: L, models, orders, stepTimes };
}

/** The sub-batch of the given rows (in that order). */
export function selectRows(batch: ScheduleBatch, rows: ArrayLike<number>): ScheduleBatch {
  const L = batch.length;
  const K = batch.size > 0 ? batch.orders.length / batch.size : 0;
  const n = rows.length;
  const models = new Int32Array(n * L);
  const orders = new Int32Array(n * K);
  const stepTimes = new Float32Array(n * K);
  for (let r = 0; r < n; r++) {
    const b = rows[r];
    if (!(b >= 0 && b < batch.size)) throw new Error(`selectRows: row ${b} is outside 0..${batch.size - 1}`);
    models.set(batch.models.subarray(b * L, (b + 1) * L), r * L);
    if (K > 0) {
      orders.set(batch.orders.subarray(b * K, (b + 1) * K), r * K);
      stepTimes.set(batch.stepTimes.subarray(b * K, (b + 1) * K), r * K);
    }
  }
  return { size: n, length: L, models, orders, stepTimes };
}
