/**
 * Per-model latency of one forward pass at the experiment's sampling batch size on the sampling
 * engine the models were loaded on (sampling-engine.ts): the unit of OMS-DPM's cost model (cost =
 * sum of the latencies of a schedule's NFEs), so a table prices exactly one engine, named by its
 * tag. A forward pass is timed as a sampler sees it: the denoiser call until its output's data is
 * on the host (for ONNX Runtime this includes the tensor copies in and out of the session).
 * Models are measured interleaved (round-robin) after a warm-up, so drift of a shared CPU hits all
 * of them alike; the median and the spread (min, max, interquartile range) are recorded.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import type { SamplingModel } from './sampling-engine';

/** What is timed: a zoo member's denoiser on some engine. */
export type TimedModel = Pick<SamplingModel, 'modelId' | 'denoiser'>;

export interface ModelLatency { medianMs: number; minMs: number; maxMs: number; iqrMs: number; samples: number }

export interface LatencyTable {
  experiment: string;
  /** engine tag ('onnxruntime-cpu', 'tfjs-wasm', ...): the engine these latencies price */
  engine: string;
  configHash: string;
  batchSize: number;
  rounds: number;
  models: Record<string, ModelLatency>;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarise(times: number[]): ModelLatency {
  const s = [...times].sort((a, b) => a - b);
  return { medianMs: quantile(s, 0.5), minMs: s[0], maxMs: s[s.length - 1], iqrMs: quantile(s, 0.75) - quantile(s, 0.25), samples: s.length };
}

/** Times one forward pass of `model` on `x` (ms), waiting for the result. */
export async function timeForward(model: TimedModel, x: tf.Tensor4D, tInput: number): Promise<number> {
  const t0 = performance.now();
  const y = await model.denoiser(x, tInput, 0);
  await y.data();
  y.dispose();
  return performance.now() - t0;
}

export async function profileLatency(
  exp: ResolvedExperiment,
  models: readonly TimedModel[],
  opts: { engine: string; rounds: number; warmup: number; onProgress?: (done: number, total: number) => void },
): Promise<LatencyTable> {
  const { imageSize: s, channels: c } = exp.config.dataset;
  const batch = exp.config.sampling.batchSize;
  const x = tf.randomNormal([batch, s, s, c], 0, 1, 'float32', 7) as tf.Tensor4D;
  const times = new Map<string, number[]>(models.map((m) => [m.modelId, []]));
  try {
    for (let w = 0; w < opts.warmup; w++) for (const m of models) await timeForward(m, x, 500);
    for (let r = 0; r < opts.rounds; r++) {
      for (const m of models) times.get(m.modelId)!.push(await timeForward(m, x, (r * 97) % 1000));
      opts.onProgress?.(r + 1, opts.rounds);
    }
  } finally {
    x.dispose();
  }
  const table: LatencyTable = { experiment: exp.config.name, engine: opts.engine, configHash: exp.hash, batchSize: batch, rounds: opts.rounds, models: {} };
  for (const m of models) table.models[m.modelId] = summarise(times.get(m.modelId)!);
  return table;
}
