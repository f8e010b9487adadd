/**
 * The hand-written LSTM: PyTorch nn.LSTM semantics (gate blocks i, f, g, o; two biases; zero
 * initial state) against a float64 reference loop, output shapes, and gradients: tf.grads against
 * central finite differences in float32 on the cpu backend, at tiny sizes, for the LSTM alone and
 * for the whole predictor (both encoders, pooling, head) with the MSE loss.
 *
 * Tolerance of the gradient checks: |fd - analytic| <= 2e-4 + 5e-3 |analytic|, with step
 * eps = 1e-2 (float32 rounding of the loss ~1e-7 / eps plus the O(eps^2) truncation error).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fillNormal, streamRng } from '../../lib/util/rng';
import { LstmWeights, SchedulePredictor, lstm, mseLoss, poolHiddenStates } from '../../lib/predictor/index';
import { randomSchedules } from '../../lib/schedule/index';

const EPS = 1e-2;
const ATOL = 2e-4;
const RTOL = 5e-3;

before(async () => {
  await tf.setBackend('cpu');
});

function randn(n: number, key: string, scale = 1): Float32Array {
  const a = fillNormal(new Float32Array(n), streamRng(1, 'lstm-test', key));
  for (let i = 0; i < n; i++) a[i] *= scale;
  return a;
}

/** PyTorch's LSTM in float64: x [B][T][D], weights [D, 4H] / [H, 4H] row-major. */
function referenceLstm(x: number[][][], wIh: Float32Array, wHh: Float32Array, bIh: Float32Array, bHh: Float32Array, H: number): number[][][] {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  return x.map((seq) => {
    let h = new Array(H).fill(0);
    let c = new Array(H).fill(0);
    return seq.map((xt) => {
      const z = Array.from({ length: 4 * H }, (_, j) => {
        let s = bIh[j] + bHh[j];
        xt.forEach((v, d) => (s += v * wIh[d * 4 * H + j]));
        h.forEach((v, k) => (s += v * wHh[k * 4 * H + j]));
        return s;
      });
      c = c.map((cv, k) => sig(z[H + k]) * cv + sig(z[k]) * Math.tanh(z[2 * H + k]));
      h = c.map((cv, k) => sig(z[3 * H + k]) * Math.tanh(cv));
      return h;
    });
  });
}

test('LSTM: shapes and PyTorch semantics (gates i, f, g, o; b_ih + b_hh) against a float64 loop', () => {
  const [B, T, D, H] = [3, 5, 4, 6];
  const xs = randn(B * T * D, 'x');
  const w = { wIh: randn(D * 4 * H, 'wIh', 0.5), wHh: randn(H * 4 * H, 'wHh', 0.5), bIh: randn(4 * H, 'bIh', 0.5), bHh: randn(4 * H, 'bHh', 0.5) };
  const out = tf.tidy(() =>
    lstm(tf.tensor3d(xs, [B, T, D]), {
      wIh: tf.tensor2d(w.wIh, [D, 4 * H]),
      wHh: tf.tensor2d(w.wHh, [H, 4 * H]),
      bIh: tf.tensor1d(w.bIh),
      bHh: tf.tensor1d(w.bHh),
    }),
  );
  assert.deepEqual(out.shape, [B, T, H]);
  const got = out.arraySync() as number[][][];
  out.dispose();
  const x3 = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => Array.from(xs.subarray((b * T + t) * D, (b * T + t + 1) * D))));
  const want = referenceLstm(x3, w.wIh, w.wHh, w.bIh, w.bHh, H);
  let maxErr = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k = 0; k < H; k++) maxErr = Math.max(maxErr, Math.abs(got[b][t][k] - want[b][t][k]));
  assert.ok(maxErr < 1e-5, `max |tf - reference| = ${maxErr}`);
});

test('pooling: each step L2-normalised, averaged, normalised again -> unit rows', () => {
  const pooled = tf.tidy(() => {
    const hs = [tf.tensor2d([[3, 4], [0, 2]]), tf.tensor2d([[0, 1], [5, 0]])];
    return poolHiddenStates(hs).arraySync();
  });
  // Row 0: mean([0.6, 0.8], [0, 1]) = [0.3, 0.9] -> /sqrt(0.9); row 1: mean([0, 1], [1, 0]) -> [1, 1]/sqrt(2).
  const expect = [
    [0.3 / Math.sqrt(0.9), 0.9 / Math.sqrt(0.9)],
    [Math.SQRT1_2, Math.SQRT1_2],
  ];
  pooled.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expect[i][j]) < 1e-6)));
});

/** Central differences of `loss` w.r.t. every entry of `values[name]` vs the analytic gradient. */
function checkGradient(name: string, values: Float32Array, analytic: Float32Array, loss: () => number, entries: number[]): number {
  let worst = 0;
  for (const i of entries) {
    const v = values[i];
    values[i] = v + EPS;
    const up = loss();
    values[i] = v - EPS;
    const down = loss();
    values[i] = v;
    const fd = (up - down) / (2 * EPS);
    const err = Math.abs(fd - analytic[i]);
    worst = Math.max(worst, err / (ATOL + RTOL * Math.abs(analytic[i])));
    assert.ok(err <= ATOL + RTOL * Math.abs(analytic[i]), `${name}[${i}]: finite difference ${fd} vs tf.grads ${analytic[i]}`);
  }
  return worst;
}

test('LSTM gradients: tf.grads vs finite differences (x, W_ih, W_hh, b_ih, b_hh), float32 on cpu', (t) => {
  const [B, T, D, H] = [2, 3, 3, 2];
  const host: Record<string, { data: Float32Array; shape: number[] }> = {
    x: { data: randn(B * T * D, 'gx'), shape: [B, T, D] },
    wIh: { data: randn(D * 4 * H, 'gwIh', 0.7), shape: [D, 4 * H] },
    wHh: { data: randn(H * 4 * H, 'gwHh', 0.7), shape: [H, 4 * H] },
    bIh: { data: randn(4 * H, 'gbIh', 0.5), shape: [4 * H] },
    bHh: { data: randn(4 * H, 'gbHh', 0.5), shape: [4 * H] },
  };
  const names = Object.keys(host);
  const r = tf.tensor3d(randn(B * T * H, 'r'), [B, T, H]);
  const f = (x: tf.Tensor, wIh: tf.Tensor, wHh: tf.Tensor, bIh: tf.Tensor, bHh: tf.Tensor): tf.Scalar =>
    tf.sum(tf.mul(lstm(x as tf.Tensor3D, { wIh, wHh, bIh, bHh } as LstmWeights), r));
  const tensors = () => names.map((n) => tf.tensor(host[n].data, host[n].shape));
  const loss = () => tf.tidy(() => (f as (...a: tf.Tensor[]) => tf.Scalar)(...tensors()).dataSync()[0]);
  const grads = tf.tidy(() => tf.grads(f as (...a: tf.Tensor[]) => tf.Scalar)(tensors()).map((g) => g.dataSync() as Float32Array));
  let worst = 0;
  names.forEach((n, k) => {
    worst = Math.max(worst, checkGradient(n, host[n].data, grads[k], loss, Array.from(host[n].data.keys())));
  });
  r.dispose();
  t.diagnostic(`worst |fd - analytic| / tolerance = ${worst.toFixed(3)}`);
  assert.ok(worst <= 1);
});

test('whole-predictor gradients (DDIM and DPM-Solver, tiny sizes, MSE): tf.variableGrads vs finite differences', (t) => {
  const sizes = { modelEmbDim: 3, timeSinusoidDim: 8, timeEmbDim: 3, solverEncoderDims: [4, 3], orderEmbDim: 2, hiddenSize: 3, headDims: [4] };
  for (const [solver, L] of [
    ['ddim', 5],
    ['dpm-solver', 9],
  ] as const) {
    const p = SchedulePredictor.create({ solver, numModels: 2, length: L, ...sizes }, 4);
    const schedules = randomSchedules(solver, 4, { length: L, numModels: 2, seed: 8, nullProb: 0.4 }).map((s) => [...s.entries]);
    const fids = [0.3, -0.2, 0.5, 0.1];
    const batch = p.prepare(schedules);
    const vars = [...p.params.values()];
    const { grads } = tf.variableGrads(() => mseLoss(p.forward(batch), fids), vars);
    const weights = p.weights();
    const rng = streamRng(2, 'entries', solver);
    let worst = 0;
    let largest = 0;
    for (const w of weights) {
      const v = p.params.get(w.name)!;
      const analytic = grads[v.name].dataSync() as Float32Array;
      const loss = () => {
        p.setWeights([w]);
        return tf.tidy(() => mseLoss(p.forward(batch), fids).dataSync()[0]);
      };
      const entries = w.data.length <= 6 ? Array.from(w.data.keys()) : Array.from({ length: 6 }, () => Math.floor(rng() * w.data.length));
      worst = Math.max(worst, checkGradient(`${solver} ${w.name}`, w.data, analytic, loss, entries));
      for (const i of entries) largest = Math.max(largest, Math.abs(analytic[i]));
      p.setWeights([w]);
    }
    Object.values(grads).forEach((g) => g.dispose());
    p.dispose();
    t.diagnostic(`${solver}: worst |fd - analytic| / tolerance = ${worst.toFixed(3)}, largest checked |gradient| ${largest.toExponential(2)}`);
    assert.ok(largest > 1e-2, 'the check must see non-trivial gradients');
  }
});
