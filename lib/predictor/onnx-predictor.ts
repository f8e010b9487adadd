/**
 * The trained predictor's inference on ONNX Runtime, for the evolutionary search: the same scores
 * as `SchedulePredictor.score` (tested to 1e-4), several times faster per call.
 *
 * Why: the search makes one predictor call per generation with only the generation's unseen
 * children (about 16 schedules), so a call is dominated by per-kernel overhead. The TF.js forward
 * is ~20 ops per LSTM step (gate by gate, see lstm.ts, because that is what trains fastest on
 * WASM); ONNX Runtime runs the whole recurrence as one LSTM kernel on MLAS GEMMs.
 *
 * Split of the work:
 *   host     schedule -> LSTM input sequence X [T, B, D] by table lookups. Every part of an input
 *            vector is a function of a small discrete thing, computed once with the TF.js layers:
 *              DDIM        x_i = [modelEmb[m_i] (E), timeEnc(i * floor(T/L)) (64)]
 *              DPM-Solver  x_k = [stepEnc(group's 3 models) (64), orderEmb[o_k] (16), timeEnc(t_k) * [o_k > 0] (64)]
 *            with stepEnc tabulated over all (N + 1)^3 model triples and timeEnc cached per
 *            distinct step time (there are at most K(K + 1)/2 of them per NFE count).
 *   graph    LSTM (ONNX gate order i, o, f, c; PyTorch's is i, f, g, o) -> per-step L2 normalise
 *            -> mean over steps -> L2 normalise (twice: pooling, then the head's own) -> head MLP.
 */
import * as tf from '@tensorflow/tfjs';
import type { InferenceSession } from 'onnxruntime-node';
import { loadOrt, ortSessionOptions, type OrtModule } from '../onnx/onnx-runtime';
import { OnnxGraphBuilder } from '../onnx/graph-builder';
import { GROUP_SIZE } from '../schedule/index';
import { lstmInputSize, type PredictorConfig } from './config';
import { ddimTimesteps, type ScheduleBatch } from './inputs';
import { embed, mlp, timestepEncoder } from './layers';
import { param, type PredictorParams } from './params';
import type { SchedulePredictor } from './predictor';

/** ONNX LSTM gate block g (i, o, f, c) is PyTorch's block ONNX_GATE_SOURCE[g] (i, f, g, o). */
const ONNX_GATE_SOURCE = [0, 3, 1, 2];

function hostOf(params: PredictorParams, name: string): Float32Array {
  return param(params, name).dataSync() as Float32Array;
}

/**
 * [rows, 4H] (PyTorch gate blocks side by side, transposed) -> [4H, rows] with ONNX's gate order:
 * row g*H + h of the result is column ONNX_GATE_SOURCE[g]*H + h of the input.
 */
function onnxGateMatrix(w: Float32Array, rows: number, H: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let g = 0; g < 4; g++) {
    const src = ONNX_GATE_SOURCE[g] * H;
    for (let h = 0; h < H; h++) for (let r = 0; r < rows; r++) out[(g * H + h) * rows + r] = w[r * 4 * H + src + h];
  }
  return out;
}

function onnxGateBias(b: Float32Array, H: number): Float32Array {
  const out = new Float32Array(4 * H);
  for (let g = 0; g < 4; g++) out.set(b.subarray(ONNX_GATE_SOURCE[g] * H, (ONNX_GATE_SOURCE[g] + 1) * H), g * H);
  return out;
}

/** The pooling and head of the predictor as an ONNX graph over X [T, B, D] -> score [B, 1]. */
export function predictorOnnxModel(c: PredictorConfig, params: PredictorParams, steps: number): Uint8Array {
  const D = lstmInputSize(c);
  const H = c.hiddenSize;
  const g = new OnnxGraphBuilder();
  const x = g.reserve('x');
  const W = g.float('lstm_W', [1, 4 * H, D], onnxGateMatrix(hostOf(params, 'lstm.wIh'), D, H));
  const R = g.float('lstm_R', [1, 4 * H, H], onnxGateMatrix(hostOf(params, 'lstm.wHh'), H, H));
  const bias = new Float32Array(8 * H);
  bias.set(onnxGateBias(hostOf(params, 'lstm.bIh'), H), 0);
  bias.set(onnxGateBias(hostOf(params, 'lstm.bHh'), H), 4 * H);
  const B = g.float('lstm_B', [1, 8 * H], bias);
  const y = g.op('LSTM', [x, W, R, B], { hidden_size: H }, 'lstm_y'); // [T, 1, B, H]
  const hs = g.op('Squeeze', [y, g.int64([1])], {}, 'hidden'); // [T, B, H]
  const eps = g.float('eps', [], Float32Array.of(1e-24));
  // x / max(||x||, 1e-12) along the last axis, as l2Normalize in layers.ts.
  const l2 = (t: string) => g.op('Mul', [t, g.op('Reciprocal', [g.op('Sqrt', [g.op('Max', [g.op('ReduceSumSquare', [t], { axes: [-1], keepdims: 1 }), eps])])])]);
  const pooled = l2(l2(g.op('ReduceMean', [l2(hs)], { axes: [0], keepdims: 0 }))); // [B, H]
  let h = pooled;
  const layers = c.headDims.length + 1;
  for (let i = 0; i < layers; i++) {
    const w = param<tf.Rank.R2>(params, `head.fc${i}.w`);
    h = g.op('Add', [g.op('MatMul', [h, g.float(`head${i}_w`, [...w.shape], hostOf(params, `head.fc${i}.w`))]), g.float(`head${i}_b`, [w.shape[1]], hostOf(params, `head.fc${i}.b`))]);
    if (i + 1 < layers) h = g.op('Relu', [h]);
  }
  g.op('Identity', [h], {}, 'score');
  return g.toModel({
    graphName: `schedule-predictor-${c.solver}`,
    inputs: [{ name: 'x', dims: [steps, 'B', D] }],
    outputs: [{ name: 'score', dims: ['B', 1] }],
    metadata: {},
    producerVersion: 'predictor',
  });
}

/** Host lookup tables that turn a prepared batch into the LSTM input sequence. */
class SequenceBuilder {
  readonly steps: number;
  readonly width: number;
  private readonly modelEmb: Float32Array;
  /** DDIM: timeEnc of each fixed step time. DPM-Solver: stepEnc of every model triple and orderEmb. */
  private readonly tables: { solver: 'ddim'; time: Float32Array } | { solver: 'dpm-solver'; stepEnc: Float32Array; orderEmb: Float32Array };
  private readonly timeCache = new Map<number, Float32Array>();

  constructor(
    private readonly c: PredictorConfig,
    private readonly params: PredictorParams,
  ) {
    this.width = lstmInputSize(c);
    this.modelEmb = hostOf(params, 'modelEmb').slice();
    if (c.solver === 'ddim') {
      this.steps = c.length;
      this.tables = { solver: 'ddim', time: tf.tidy(() => timestepEncoder(tf.tensor1d(ddimTimesteps(c.length, c.timesteps)), params, c.timeSinusoidDim).dataSync() as Float32Array) };
    } else {
      this.steps = c.length / GROUP_SIZE;
      const V = c.numModels + 1;
      const triples = Int32Array.from({ length: V ** GROUP_SIZE * GROUP_SIZE }, (_, i) => {
        const combo = Math.floor(i / GROUP_SIZE);
        return Math.floor(combo / V ** (GROUP_SIZE - 1 - (i % GROUP_SIZE))) % V;
      });
      const stepEnc = tf.tidy(() => {
        const emb = tf.reshape(embed(tf.tensor1d(triples, 'int32'), param(params, 'modelEmb')), [V ** GROUP_SIZE, GROUP_SIZE * c.modelEmbDim]) as tf.Tensor2D;
        return mlp(emb, params, 'solver', c.solverEncoderDims.length, tf.sigmoid).dataSync() as Float32Array;
      });
      this.tables = { solver: 'dpm-solver', stepEnc, orderEmb: hostOf(params, 'orderEmb').slice() };
    }
  }

  /** timeEnc rows for the network times `ts`, computed once per distinct value. */
  private timeRows(ts: Float32Array): void {
    const missing = [...new Set(ts)].filter((t) => !this.timeCache.has(t));
    if (missing.length === 0) return;
    const rows = tf.tidy(() => timestepEncoder(tf.tensor1d(missing), this.params, this.c.timeSinusoidDim).dataSync() as Float32Array);
    const w = this.c.timeEmbDim;
    missing.forEach((t, i) => this.timeCache.set(t, rows.slice(i * w, (i + 1) * w)));
  }

  /** X [T, B, D] time-major, as the ONNX LSTM reads it. */
  build(batch: ScheduleBatch): Float32Array {
    const { c, steps: T, width: D } = this;
    const B = batch.size;
    const x = new Float32Array(T * B * D);
    const E = c.modelEmbDim;
    const tables = this.tables;
    if (tables.solver === 'ddim') {
      const tw = c.timeEmbDim;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          const o = (t * B + b) * D;
          const m = batch.models[b * T + t];
          x.set(this.modelEmb.subarray(m * E, (m + 1) * E), o);
          x.set(tables.time.subarray(t * tw, (t + 1) * tw), o + E);
        }
      }
      return x;
    }
    const V = c.numModels + 1;
    const S = c.solverEncoderDims[c.solverEncoderDims.length - 1];
    const O = c.orderEmbDim;
    this.timeRows(batch.stepTimes);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < T; k++) {
        const o = (k * B + b) * D;
        const g = (b * T + k) * GROUP_SIZE;
        const combo = (batch.models[g] * V + batch.models[g + 1]) * V + batch.models[g + 2];
        x.set(tables.stepEnc.subarray(combo * S, (combo + 1) * S), o);
        const order = batch.orders[b * T + k];
        x.set(tables.orderEmb.subarray(order * O, (order + 1) * O), o + S);
        if (order > 0) x.set(this.timeCache.get(batch.stepTimes[b * T + k]) as Float32Array, o + S + O);
      }
    }
    return x;
  }
}

export class OnnxSchedulePredictor {
  private constructor(
    private readonly predictor: SchedulePredictor,
    private readonly sequence: SequenceBuilder,
    private readonly session: InferenceSession,
    private readonly ort: OrtModule,
  ) {}

  /**
   * An ORT session holding `predictor`'s current weights (later weight changes are not seen).
   * Throws a KitError when onnxruntime-node does not load; callers fall back to TF.js.
   */
  static async fromPredictor(predictor: SchedulePredictor, opts: { threads?: number } = {}): Promise<OnnxSchedulePredictor> {
    const ort = loadOrt();
    const sequence = new SequenceBuilder(predictor.config, predictor.params);
    const bytes = predictorOnnxModel(predictor.config, predictor.params, sequence.steps);
    const session = await ort.InferenceSession.create(bytes, ortSessionOptions(opts.threads ?? 1));
    return new OnnxSchedulePredictor(predictor, sequence, session, ort);
  }

  get config(): PredictorConfig {
    return this.predictor.config;
  }

  /** Scores of schedules (lower = better predicted FID); validates every schedule first, as SchedulePredictor.score. */
  async score(schedules: readonly (readonly number[])[]): Promise<Float32Array> {
    const batch = this.predictor.prepare(schedules);
    if (batch.size === 0) return new Float32Array(0);
    const x = this.sequence.build(batch);
    const out = await this.session.run({ x: new this.ort.Tensor('float32', x, [this.sequence.steps, batch.size, this.sequence.width]) });
    return Float32Array.from(out.score.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
