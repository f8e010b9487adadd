/**
 * The predictor as the search's batched score function, on the fastest engine that runs here:
 * ONNX Runtime (onnx-predictor.ts; ~10x less time per generation) when onnxruntime-node loads,
 * else the TF.js forward. Both give the same scores to float32 rounding (tested to 1e-4).
 */
import { isKitError } from '../util/errors';
import { OnnxSchedulePredictor } from './onnx-predictor';
import type { SchedulePredictor } from './predictor';

export type ScorerChoice = 'auto' | 'onnx' | 'tfjs';

export interface BatchedScorer {
  score(schedules: number[][]): Promise<number[]>;
  /** 'onnxruntime-cpu' or 'tfjs' */
  engine: string;
  release(): Promise<void>;
}

/**
 * `threads`: ONNX Runtime's intra-op threads (default 1). The search is compute-bound in the LSTM
 * (about 0.2 ms per DPM-Solver L = 90 schedule on one thread, whatever the batch), so a second
 * thread helps only when a core is free; the kit's stages keep 1, the bench reports both.
 */
export async function batchedScorer(predictor: SchedulePredictor, choice: ScorerChoice = 'auto', opts: { threads?: number } = {}): Promise<BatchedScorer> {
  const tfjs: BatchedScorer = { score: async (s) => Array.from(predictor.score(s)), engine: 'tfjs', release: async () => {} };
  if (choice === 'tfjs') return tfjs;
  try {
    const ort = await OnnxSchedulePredictor.fromPredictor(predictor, { threads: opts.threads });
    return { score: async (s) => Array.from(await ort.score(s)), engine: 'onnxruntime-cpu', release: () => ort.release() };
  } catch (e) {
    // 'auto' falls back when onnxruntime-node does not load (a KitError); other failures are bugs
    if (choice === 'onnx' || !isKitError(e)) throw e;
    return tfjs;
  }
}
