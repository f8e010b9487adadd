/**
 * The schedule predictor's architecture (method doc §5). Defaults are the official configs'
 * (code/predictor/configs/predictor_*_cifar10*.yml): model embedding 32, sinusoidal timestep
 * embedding 128 -> 64, DPM-Solver step encoder [64, 64] with order embedding 16, LSTM hidden 128
 * (1 layer), head [200, 200, 200] -> 1, and the continuous linear VP schedule (beta 0.1..20) for the
 * DPM-Solver step times. Smaller sizes are for tests and quick experiments only.
 */
import { GROUP_SIZE, SolverName } from '../schedule/index';
import { KitError } from '../util/errors';

/**
 * Which time of a DPM-Solver step is embedded. 'end' (official): the step's lower time t, i.e.
 * the data-side end of its interval, which is what the official code's `timestep_emb[:, :-1]`
 * picks when its lambda grid runs from t_0 up to t_T. 'start': the step's start time s (upper).
 */
export type DpmStepTime = 'end' | 'start';

export interface PredictorConfig {
  solver: SolverName;
  /** Zoo size N; model indices 1..N, 0 = null. */
  numModels: number;
  /** Schedule length L the predictor scores (DDIM: 1..T; DPM-Solver: a multiple of 3). */
  length: number;
  /** T, discrete timesteps: DDIM position i is timestep i * floor(T / L). Default 1000. */
  timesteps: number;
  /** Model embedding width (table of N + 1 rows, row 0 = null). Default 32. */
  modelEmbDim: number;
  /** Width of the sinusoidal timestep embedding. Default 128. */
  timeSinusoidDim: number;
  /** Timestep encoder output width (Linear -> swish -> Linear). Default 64. */
  timeEmbDim: number;
  /** DPM-Solver step encoder: Linear widths from the 3 model embeddings, sigmoid between. Default [64, 64]. */
  solverEncoderDims: number[];
  /** DPM-Solver order embedding width (table of 4 rows: orders 0..3). Default 16. */
  orderEmbDim: number;
  /** LSTM hidden size. Default 128. */
  hiddenSize: number;
  /** Head hidden widths (ReLU after each), then Linear -> 1. Default [200, 200, 200]. */
  headDims: number[];
  /** DPM-Solver: which step time is embedded. Default 'end' (official). */
  dpmStepTime: DpmStepTime;
  /** DPM-Solver: continuous linear VP schedule of the step times. Default beta_0 0.1, beta_1 20, N 1000. */
  vp: { beta0: number; beta1: number; totalN: number };
}

/** What the caller must give; everything else has the official default. */
export type PredictorConfigInput = Pick<PredictorConfig, 'solver' | 'numModels' | 'length'> & Partial<PredictorConfig>;

/** The official sizes. */
export const PAPER_PREDICTOR_SIZES = {
  timesteps: 1000,
  modelEmbDim: 32,
  timeSinusoidDim: 128,
  timeEmbDim: 64,
  solverEncoderDims: [64, 64],
  orderEmbDim: 16,
  hiddenSize: 128,
  headDims: [200, 200, 200],
  dpmStepTime: 'end' as DpmStepTime,
  vp: { beta0: 0.1, beta1: 20, totalN: 1000 },
};

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new KitError(`predictor config: ${name} must be a positive integer, got ${JSON.stringify(v)}`, {
      hint: `the official value of ${name} is ${JSON.stringify((PAPER_PREDICTOR_SIZES as Record<string, unknown>)[name] ?? 'given by the zoo / schedule')}`,
    });
  }
  return v;
}

function widths(name: string, v: unknown, minLength: number): number[] {
  if (!Array.isArray(v) || v.length < minLength) {
    throw new KitError(`predictor config: ${name} must be a list of at least ${minLength} positive integers, got ${JSON.stringify(v)}`, {
      hint: `the official value is ${JSON.stringify((PAPER_PREDICTOR_SIZES as Record<string, unknown>)[name])}`,
    });
  }
  return v.map((w, i) => positiveInt(`${name}[${i}]`, w));
}

/** Fills the defaults and checks every field; bad values are KitErrors. */
export function predictorConfig(input: PredictorConfigInput): PredictorConfig {
  const c: PredictorConfig = {
    ...PAPER_PREDICTOR_SIZES,
    ...input,
    solverEncoderDims: [...(input.solverEncoderDims ?? PAPER_PREDICTOR_SIZES.solverEncoderDims)],
    headDims: [...(input.headDims ?? PAPER_PREDICTOR_SIZES.headDims)],
    vp: { ...PAPER_PREDICTOR_SIZES.vp, ...input.vp },
  };
  if (c.solver !== 'ddim' && c.solver !== 'dpm-solver') {
    throw new KitError(`predictor config: unknown solver '${String(c.solver)}'`, { hint: "use 'ddim' or 'dpm-solver'" });
  }
  positiveInt('numModels', c.numModels);
  positiveInt('length', c.length);
  positiveInt('timesteps', c.timesteps);
  positiveInt('modelEmbDim', c.modelEmbDim);
  positiveInt('timeSinusoidDim', c.timeSinusoidDim);
  positiveInt('timeEmbDim', c.timeEmbDim);
  positiveInt('orderEmbDim', c.orderEmbDim);
  positiveInt('hiddenSize', c.hiddenSize);
  widths('solverEncoderDims', c.solverEncoderDims, 1);
  widths('headDims', c.headDims, 0);
  if (c.timeSinusoidDim % 2 !== 0 || c.timeSinusoidDim < 4) {
    throw new KitError(`predictor config: timeSinusoidDim must be even and >= 4, got ${c.timeSinusoidDim}`, { hint: 'the official value is 128' });
  }
  if (c.solver === 'ddim' && c.length > c.timesteps) {
    throw new KitError(`predictor config: a DDIM schedule of length ${c.length} has more positions than T = ${c.timesteps}`, {
      hint: 'use the schedule length of the dataset (code default 100)',
    });
  }
  if (c.solver === 'dpm-solver' && c.length % GROUP_SIZE !== 0) {
    throw new KitError(`predictor config: a DPM-Solver schedule length must be a multiple of ${GROUP_SIZE}, got ${c.length}`, {
      hint: 'use the schedule length of the dataset (code default 60 or 90)',
    });
  }
  if (c.dpmStepTime !== 'end' && c.dpmStepTime !== 'start') {
    throw new KitError(`predictor config: dpmStepTime must be 'end' or 'start', got ${JSON.stringify(c.dpmStepTime)}`, {
      hint: "'end' is the official choice",
    });
  }
  if (!(c.vp.beta0 > 0 && c.vp.beta1 > c.vp.beta0) || !Number.isInteger(c.vp.totalN) || c.vp.totalN < 2) {
    throw new KitError(`predictor config: vp must have 0 < beta0 < beta1 and an integer totalN >= 2, got ${JSON.stringify(c.vp)}`, {
      hint: 'the official value is {beta0: 0.1, beta1: 20, totalN: 1000}',
    });
  }
  return c;
}

/** Width of one LSTM input vector: DDIM model + time embedding; DPM-Solver step + order + time embedding. */
export function lstmInputSize(c: PredictorConfig): number {
  return c.solver === 'ddim'
    ? c.modelEmbDim + c.timeEmbDim
    : c.solverEncoderDims[c.solverEncoderDims.length - 1] + c.orderEmbDim + c.timeEmbDim;
}
