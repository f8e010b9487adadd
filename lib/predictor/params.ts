/**
 * The predictor's parameters: names, shapes and PyTorch-default initialisation, deterministic in
 * the seed (each tensor is drawn from its own stream (seed, 'predictor-init', name)).
 *
 *   modelEmb         [N + 1, E]          Embedding: N(0, 1)
 *   time.fc{0,1}.w/b [128, 64], [64, 64] Linear: U(+-1/sqrt(fan_in)) for weight and bias
 *   solver.fc{i}.w/b [96, 64], [64, 64]  (DPM-Solver only)
 *   orderEmb         [4, 16]             (DPM-Solver only) N(0, 1)
 *   lstm.wIh         [D, 4H]             U(+-1/sqrt(H)); PyTorch's weight_ih_l0 transposed, gates i, f, g, o
 *   lstm.wHh         [H, 4H]             U(+-1/sqrt(H)); weight_hh_l0 transposed
 *   lstm.bIh, bHh    [4H]                U(+-1/sqrt(H)); PyTorch keeps two biases, so do we
 *   head.fc{i}.w/b   [128, 200], ..., [200, 1]
 *
 * Weights are stored [in, out] so that a layer is x @ w + b.
 */
import * as tf from '@tensorflow/tfjs';
import { fillNormal, streamRng } from '../util/rng';
import { PredictorConfig, lstmInputSize } from './config';

export type ParamInit = { kind: 'normal' } | { kind: 'uniform'; bound: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
}

/** The predictor's parameters as named TF.js variables (what Adam and tf.variableGrads take). */
export type PredictorParams = Map<string, tf.Variable>;

function linearSpecs(prefix: string, dims: number[]): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    const bound = 1 / Math.sqrt(dims[i]);
    out.push({ name: `${prefix}.fc${i}.w`, shape: [dims[i], dims[i + 1]], init: { kind: 'uniform', bound } });
    out.push({ name: `${prefix}.fc${i}.b`, shape: [dims[i + 1]], init: { kind: 'uniform', bound } });
  }
  return out;
}

/** Every parameter of the configured predictor, in a fixed order. */
export function predictorParamSpecs(c: PredictorConfig): ParamSpec[] {
  const H = c.hiddenSize;
  const lstmBound = 1 / Math.sqrt(H);
  const specs: ParamSpec[] = [
    { name: 'modelEmb', shape: [c.numModels + 1, c.modelEmbDim], init: { kind: 'normal' } },
    ...linearSpecs('time', [c.timeSinusoidDim, c.timeEmbDim, c.timeEmbDim]),
  ];
  if (c.solver === 'dpm-solver') {
    specs.push(...linearSpecs('solver', [3 * c.modelEmbDim, ...c.solverEncoderDims]));
    specs.push({ name: 'orderEmb', shape: [4, c.orderEmbDim], init: { kind: 'normal' } });
  }
  specs.push(
    { name: 'lstm.wIh', shape: [lstmInputSize(c), 4 * H], init: { kind: 'uniform', bound: lstmBound } },
    { name: 'lstm.wHh', shape: [H, 4 * H], init: { kind: 'uniform', bound: lstmBound } },
    { name: 'lstm.bIh', shape: [4 * H], init: { kind: 'uniform', bound: lstmBound } },
    { name: 'lstm.bHh', shape: [4 * H], init: { kind: 'uniform', bound: lstmBound } },
    ...linearSpecs('head', [H, ...c.headDims, 1]),
  );
  return specs;
}

/** Initial values of one parameter from its own seeded stream. */
export function initialValue(spec: ParamSpec, seed: number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const rng = streamRng(seed, 'predictor-init', spec.name);
  if (spec.init.kind === 'normal') fillNormal(data, rng);
  else for (let i = 0; i < n; i++) data[i] = (2 * rng() - 1) * spec.init.bound;
  return data;
}

/** A trainable variable holding `data` (the temporary tensor is released). */
export function toVariable(data: Float32Array, shape: number[]): tf.Variable {
  const t = tf.tensor(data, shape);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Fresh trainable variables for the configured predictor. */
export function initPredictorParams(c: PredictorConfig, seed: number): PredictorParams {
  const params: PredictorParams = new Map();
  for (const spec of predictorParamSpecs(c)) params.set(spec.name, toVariable(initialValue(spec, seed), spec.shape));
  return params;
}

/** Looks a parameter up; a missing name is a programming error. */
export function param<R extends tf.Rank>(params: PredictorParams, name: string): tf.Tensor<R> {
  const p = params.get(name);
  if (!p) throw new Error(`predictor parameter '${name}' does not exist`);
  return p as unknown as tf.Tensor<R>;
}
