/**
 * A one-layer LSTM (PyTorch nn.LSTM semantics, zero initial state), batched over schedules and
 * built from plain TF.js ops so that tf.variableGrads differentiates through it.
 *
 *   z^g_t = x_t W^g_ih + b^g_ih + b^g_hh + h_{t-1} W^g_hh       [B, H] for each gate g in i, f, g, o
 *   c_t = sigmoid(z^f) * c_{t-1} + sigmoid(z^i) * tanh(z^g)
 *   h_t = sigmoid(z^o) * tanh(c_t)
 *
 * The parameters are stored as PyTorch has them, gate blocks side by side ([D, 4H], [H, 4H],
 * [4H]); `gateWeights` cuts them into the four per-gate blocks once per forward pass, and the step
 * works gate by gate. Why not one [B, 4H] matMul per step and a split: the WASM backend's Slice
 * kernel (and so split and unstack) copies its whole INPUT per output, so splitting [B, 4H] four
 * ways costs 4 copies per step, and unstacking a precomputed [T, B, 4H] input projection costs T
 * full copies (measured: 19 s for T = 90, B = 1000). The input projections x_t W_ih + b do not
 * depend on the recurrence; the caller supplies them step by step (`GateInputs`), and the encoders
 * compute them without slicing large tensors (DDIM: a lookup in a precomputed (N + 1) x H table per
 * gate). Every step runs in its own tf.tidy, so inference keeps only h, c and the outputs; under
 * tf.variableGrads the tape keeps what the backward pass needs.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from './layers';

export interface LstmWeights {
  /** [D, 4H]: PyTorch's weight_ih_l0 transposed, gate blocks i, f, g, o. */
  wIh: tf.Tensor2D;
  /** [H, 4H]: weight_hh_l0 transposed. */
  wHh: tf.Tensor2D;
  /** [4H] each. */
  bIh: tf.Tensor1D;
  bHh: tf.Tensor1D;
}

/** The four gates' blocks, in the order i, f, g, o. */
export type Gates<T> = [T, T, T, T];

export interface GateWeights {
  /** [D, H] per gate. */
  wIh: Gates<tf.Tensor2D>;
  /** [H, H] per gate. */
  wHh: Gates<tf.Tensor2D>;
  /** b_ih + b_hh, [H] per gate. */
  bias: Gates<tf.Tensor1D>;
}

/** Input projection of one step: x_t W^g_ih + b^g, [B, H] per gate. */
export type GateInputs = Gates<tf.Tensor2D>;

/** Cuts the stored weights into per-gate blocks (small tensors; once per forward pass). */
export function gateWeights(w: LstmWeights): GateWeights {
  return {
    wIh: tf.split(w.wIh, 4, 1) as Gates<tf.Tensor2D>,
    wHh: tf.split(w.wHh, 4, 1) as Gates<tf.Tensor2D>,
    bias: tf.split(tf.add(w.bIh, w.bHh), 4, 0) as Gates<tf.Tensor1D>,
  };
}

/** x [B, D] -> its projection for every gate, biases included. */
export function projectGateInputs(x: tf.Tensor2D, g: GateWeights): GateInputs {
  return g.wIh.map((w, k) => tf.add(tf.matMul(x, w), g.bias[k])) as GateInputs;
}

/**
 * The recurrence over `steps` steps; `inputAt(t)` gives step t's gate inputs (called inside the
 * step's tidy, so its temporaries are freed). Returns the hidden states h_1..h_T, each [B, H].
 */
export function lstmRecurrence(steps: number, inputAt: (t: number) => GateInputs, g: GateWeights): tf.Tensor2D[] {
  const outputs: tf.Tensor2D[] = [];
  let h: tf.Tensor2D | null = null;
  let c: tf.Tensor2D | null = null;
  for (let t = 0; t < steps; t++) {
    const [hNext, cNext] = tf.tidy(() => {
      const x = inputAt(t);
      const z = h === null ? x : (x.map((xg, k) => tf.add(xg, tf.matMul(h!, g.wHh[k]))) as GateInputs);
      const input = tf.mul(tf.sigmoid(z[0]), tf.tanh(z[2]));
      const cNew = (c === null ? input : tf.add(tf.mul(tf.sigmoid(z[1]), c), input)) as tf.Tensor2D;
      const hNew = tf.mul(tf.sigmoid(z[3]), tf.tanh(cNew)) as tf.Tensor2D;
      return [hNew, cNew];
    });
    c?.dispose(); // the previous cell state; h is kept as an output
    h = hNext;
    c = cNext;
    outputs.push(h);
  }
  c?.dispose();
  return outputs;
}

/** Batch-first convenience (tests, small inputs): x [B, T, D] -> hidden states [B, T, H]. */
export function lstm(x: tf.Tensor3D, w: LstmWeights): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, D] = x.shape;
    const g = gateWeights(w);
    const hs = lstmRecurrence(T, (t) => projectGateInputs(tf.reshape(tf.slice(x, [0, t, 0], [B, 1, D]), [B, D]), g), g);
    return tf.stack(hs, 1) as tf.Tensor3D;
  });
}

/**
 * The official pooling of the sequence encoder: L2-normalise every step's hidden state, average
 * over the steps, L2-normalise. T hidden states [B, H] -> [B, H].
 */
export function poolHiddenStates(hs: tf.Tensor2D[]): tf.Tensor2D {
  if (hs.length === 0) throw new Error('poolHiddenStates: empty sequence');
  const units = hs.map((h) => l2Normalize(h));
  const sum = units.length === 1 ? units[0] : tf.addN(units);
  return l2Normalize(tf.div(sum, hs.length) as tf.Tensor2D);
}
