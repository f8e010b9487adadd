/**
 * Is memory flat over many training steps? `npm run bench` runs `steps` training steps of a zoo
 * model (exactly as the trainer runs them: gradients, clipping, Adam, EMA) at a small batch, and
 * reads TF.js's live tensors and bytes after a warm-up and at the end, and the memory of the
 * process at ten points on the way. A leak of one tensor per step shows as numTensors growing by
 * `steps`. When the process runs with --expose-gc (bench starts it so), each sample follows a full
 * garbage collection, so the JS heap in use is what is really retained; RSS also moves with the
 * allocator and the WASM heap, so both are reported, with their growth over the second half of
 * the run (per 1000 steps), where a real leak would still show.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { benchTraining } from './bench-training';
import { leastSquaresLine } from '../util/least-squares';

export interface MemoryOverSteps {
  model: string;
  batch: number;
  warmupSteps: number;
  steps: number;
  seconds: number;
  numTensors: { afterWarmup: number; atEnd: number };
  tfBytes: { afterWarmup: number; atEnd: number };
  /** whether samples follow a full garbage collection (--expose-gc) */
  gcBeforeSamples: boolean;
  /** RSS (MB) after the warm-up and after each tenth of the steps */
  rssMb: { step: number; mb: number }[];
  /** JS heap in use (MB) at the same points */
  heapUsedMb: { step: number; mb: number }[];
  /** least-squares slopes over the second half of the steps */
  rssGrowthMbPer1kSteps: number;
  heapGrowthMbPer1kSteps: number;
}

const MB = 2 ** 20;

/** Memory now, after a full collection when the process allows it. */
function sample(step: number): { rss: { step: number; mb: number }; heap: { step: number; mb: number } } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: { step, mb: m.rss / MB }, heap: { step, mb: m.heapUsed / MB } };
}

/** Least-squares slope of mb over step (0 with fewer than 2 distinct steps). */
export function slope(points: readonly { step: number; mb: number }[]): number {
  return leastSquaresLine(points.map((p) => p.step), points.map((p) => p.mb))?.slope ?? 0;
}

export async function memoryOverSteps(exp: ResolvedExperiment, modelId: string, batch: number, steps: number, warmupSteps = 20): Promise<MemoryOverSteps> {
  const training = benchTraining(exp, modelId, batch, 'memory', batch);
  try {
    for (let i = 0; i < warmupSteps; i++) await training.step(i);
    const start = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes };
    const samples = [sample(0)];
    const every = Math.max(1, Math.round(steps / 10));
    let trainMs = 0;
    for (let k = 1; k <= steps; k++) {
      const t0 = performance.now();
      await training.step(warmupSteps + k);
      trainMs += performance.now() - t0;
      if (k % every === 0 || k === steps) samples.push(sample(k));
    }
    const seconds = trainMs / 1000;
    const rss = samples.map((x) => x.rss);
    const heap = samples.map((x) => x.heap);
    const end = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes };
    return {
      model: modelId,
      batch,
      warmupSteps,
      steps,
      seconds,
      numTensors: { afterWarmup: start.tensors, atEnd: end.tensors },
      tfBytes: { afterWarmup: start.bytes, atEnd: end.bytes },
      gcBeforeSamples: typeof (globalThis as { gc?: unknown }).gc === 'function',
      rssMb: rss,
      heapUsedMb: heap,
      rssGrowthMbPer1kSteps: 1000 * slope(rss.filter((r) => r.step >= steps / 2)),
      heapGrowthMbPer1kSteps: 1000 * slope(heap.filter((r) => r.step >= steps / 2)),
    };
  } finally {
    training.dispose();
  }
}
