/**
 * The two schedule encoders (method doc §5; official ms_predictor_ddim / ms_predictor_dpm_solver
 * in code/predictor/modules/predictor.py): a schedule -> a sequence of per-step vectors -> LSTM ->
 * pooled unit vector [B, H]. The host arrays are rearranged time-major so that each step's
 * rows are a contiguous subarray (no tensor slicing, see lstm.ts).
 *
 * DDIM, T = L positions: x_i = concat(modelEmb[m_i] (32), timeEnc(i * floor(1000 / L)) (64)) -> 96.
 *   Since x_i W_ih = modelEmb[m_i] W_ih[:32] + timeEnc_i W_ih[32:], the input projections are
 *   precomputed once as an (N + 1) x H table per gate (modelEmb W_ih[:32]) plus an L x H table per
 *   gate (timeEnc W_ih[32:] + b): each step is a one-hot lookup plus a row, the same numbers as
 *   the concat without the [B * L, 96] x [96, 4H] matMul.
 *
 * DPM-Solver, T = K = L / 3 steps (active ones first, see inputs.ts):
 *   x_k = concat(stepEnc(concat of the group's 3 model embeddings) (64),
 *                orderEmb[order_k] (16),
 *                timeEnc(step time_k) * [order_k > 0] (64)) -> 144,
 *   stepEnc = Linear 96 -> 64, sigmoid, Linear 64 -> 64. Inactive steps keep their (null-model)
 *   step and order embeddings, as in the official code; only the time embedding is zeroed.
 */
import * as tf from '@tensorflow/tfjs';
import { GROUP_SIZE } from '../schedule/index';
import { PredictorConfig } from './config';
import { ScheduleBatch, ddimTimesteps } from './inputs';
import { embed, mlp, timestepEncoder } from './layers';
import { GateInputs, LstmWeights, gateWeights, lstmRecurrence, poolHiddenStates, projectGateInputs } from './lstm';
import { PredictorParams, param } from './params';

/** The LSTM's weights out of the parameter map. */
export function lstmWeights(params: PredictorParams): LstmWeights {
  return {
    wIh: param<tf.Rank.R2>(params, 'lstm.wIh'),
    wHh: param<tf.Rank.R2>(params, 'lstm.wHh'),
    bIh: param<tf.Rank.R1>(params, 'lstm.bIh'),
    bHh: param<tf.Rank.R1>(params, 'lstm.bHh'),
  };
}

/** A row-major [B, T, w] array -> time-major [T, B, w], both flat. */
export function toTimeMajor<A extends Int32Array | Float32Array>(a: A, B: number, T: number, w = 1): A {
  const out = new (a.constructor as { new (n: number): A })(a.length);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = (b * T + t) * w;
      const dst = (t * B + b) * w;
      for (let j = 0; j < w; j++) out[dst + j] = a[src + j];
    }
  }
  return out;
}

/** DDIM encoder: batch of B schedules -> LSTM hidden states, L of [B, H]. */
export function ddimHiddenStates(params: PredictorParams, c: PredictorConfig, batch: ScheduleBatch): tf.Tensor2D[] {
  const B = batch.size;
  const L = batch.length;
  const E = c.modelEmbDim;
  const H = c.hiddenSize;
  const g = gateWeights(lstmWeights(params));
  const table = param<tf.Rank.R2>(params, 'modelEmb');
  const timeEmb = timestepEncoder(tf.tensor1d(ddimTimesteps(L, c.timesteps)), params, c.timeSinusoidDim); // [L, 64]
  // Per gate: modelEmb W_ih[:E] [N + 1, H] and timeEmb W_ih[E:] + b [L, H].
  const modelTables = g.wIh.map((w) => tf.matMul(table, tf.slice(w, [0, 0], [E, H])));
  const timeTables = g.wIh.map((w, k) => tf.add(tf.matMul(timeEmb, tf.slice(w, [E, 0], [c.timeEmbDim, H])), g.bias[k]) as tf.Tensor2D);
  const ids = toTimeMajor(batch.models, B, L);
  return lstmRecurrence(
    L,
    (t) => {
      const oneHot = tf.oneHot(tf.tensor1d(ids.subarray(t * B, (t + 1) * B), 'int32'), c.numModels + 1); // [B, N + 1]
      return modelTables.map((m, k) => tf.add(tf.matMul(oneHot, m), tf.slice(timeTables[k], [t, 0], [1, H]))) as GateInputs;
    },
    g,
  );
}

/**
 * DPM-Solver step inputs: for step k of the reordered sequence, the LSTM input [B, 64 + 16 + 64]
 * of all B schedules.
 */
export function dpmSolverStepInputs(params: PredictorParams, c: PredictorConfig, batch: ScheduleBatch): (k: number) => tf.Tensor2D {
  const B = batch.size;
  const K = batch.length / GROUP_SIZE;
  const E = c.modelEmbDim;
  const ids = toTimeMajor(batch.models, B, K, GROUP_SIZE);
  const orders = toTimeMajor(batch.orders, B, K);
  const times = toTimeMajor(batch.stepTimes, B, K);
  const modelEmb = param<tf.Rank.R2>(params, 'modelEmb');
  const orderTable = param<tf.Rank.R2>(params, 'orderEmb');
  return (k) => {
    const stepIds = tf.tensor1d(ids.subarray(k * B * GROUP_SIZE, (k + 1) * B * GROUP_SIZE), 'int32');
    const groupEmb = tf.reshape(embed(stepIds, modelEmb), [B, GROUP_SIZE * E]) as tf.Tensor2D; // [B, 96]
    const stepEmb = mlp(groupEmb, params, 'solver', c.solverEncoderDims.length, tf.sigmoid); // [B, 64]
    const stepOrders = orders.subarray(k * B, (k + 1) * B);
    const orderEmb = embed(tf.tensor1d(stepOrders, 'int32'), orderTable); // [B, 16]
    const active = tf.tensor2d(Float32Array.from(stepOrders, (o) => (o > 0 ? 1 : 0)), [B, 1]);
    const timeEmb = tf.mul(timestepEncoder(tf.tensor1d(times.subarray(k * B, (k + 1) * B)), params, c.timeSinusoidDim), active) as tf.Tensor2D; // [B, 64]
    return tf.concat([stepEmb, orderEmb, timeEmb], 1);
  };
}

/** DPM-Solver step sequence as one tensor [K, B, 144] (for inspection and tests; the encoder goes step by step). */
export function dpmSolverSequence(params: PredictorParams, c: PredictorConfig, batch: ScheduleBatch): tf.Tensor3D {
  const stepInput = dpmSolverStepInputs(params, c, batch);
  return tf.tidy(() => tf.stack(Array.from({ length: batch.length / GROUP_SIZE }, (_, k) => stepInput(k)), 0) as tf.Tensor3D);
}

/** DPM-Solver encoder: batch of B schedules -> LSTM hidden states, K of [B, H]. */
export function dpmSolverHiddenStates(params: PredictorParams, c: PredictorConfig, batch: ScheduleBatch): tf.Tensor2D[] {
  const g = gateWeights(lstmWeights(params));
  const stepInput = dpmSolverStepInputs(params, c, batch);
  return lstmRecurrence(batch.length / GROUP_SIZE, (k) => projectGateInputs(stepInput(k), g), g);
}

/** Either encoder, pooled: batch of B schedules -> unit vectors [B, H]. */
export function encodeSchedules(params: PredictorParams, c: PredictorConfig, batch: ScheduleBatch): tf.Tensor2D {
  const hs = c.solver === 'ddim' ? ddimHiddenStates(params, c, batch) : dpmSolverHiddenStates(params, c, batch);
  return poolHiddenStates(hs);
}
