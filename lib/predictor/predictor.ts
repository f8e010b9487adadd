/**
 * The schedule predictor (method doc §5): schedule -> encoder (encoders.ts) -> pooled unit
 * vector [B, 128] -> head MLP 128 -> 200 -> 200 -> 200 -> 1 (ReLU) -> score. Lower score = better
 * schedule (scores rank FIDs). The official head L2-normalises its input once more; so does this
 * one (a no-op on the pooled unit vectors, kept for fidelity).
 *
 * `score` is the batched inference API the evolutionary search uses: many schedules per call,
 * processed in chunks, no gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { NamedArray } from '../diffusion/tensor-file';
import { KitError } from '../util/errors';
import { PredictorConfig, PredictorConfigInput, predictorConfig } from './config';
import { encodeSchedules } from './encoders';
import { ScheduleBatch, prepareSchedules, selectRows } from './inputs';
import { l2Normalize, mlp } from './layers';
import { PredictorParams, initPredictorParams, predictorParamSpecs, toVariable } from './params';

export interface ScoreOptions {
  /** Schedules per forward pass (bounds memory); default 1024. */
  chunkSize?: number;
}

export class SchedulePredictor {
  private constructor(
    readonly config: PredictorConfig,
    readonly params: PredictorParams,
  ) {}

  /** A freshly initialised predictor (deterministic in `seed`). */
  static create(config: PredictorConfigInput, seed: number): SchedulePredictor {
    const c = predictorConfig(config);
    return new SchedulePredictor(c, initPredictorParams(c, seed));
  }

  /** A predictor with the given weights (e.g. from a checkpoint); every parameter must be present with its shape. */
  static fromWeights(config: PredictorConfigInput, weights: Map<string, NamedArray>, source = 'weights'): SchedulePredictor {
    const c = predictorConfig(config);
    const params: PredictorParams = new Map();
    for (const spec of predictorParamSpecs(c)) {
      const a = weights.get(spec.name);
      if (!a || a.shape.length !== spec.shape.length || a.shape.some((d, i) => d !== spec.shape[i])) {
        params.forEach((v) => v.dispose());
        throw new KitError(`${source}: predictor parameter '${spec.name}' is ${a ? `[${a.shape}]` : 'missing'}, expected [${spec.shape}]`, {
          hint: 'the file was written for a different predictor configuration; retrain or pass the matching config',
        });
      }
      params.set(spec.name, toVariable(a.data, spec.shape));
    }
    return new SchedulePredictor(c, params);
  }

  /** Validates and prepares schedules (host side) for `forward`. */
  prepare(schedules: readonly (readonly number[])[]): ScheduleBatch {
    return prepareSchedules(this.config, schedules);
  }

  /** Differentiable scores [B] of a prepared batch (call inside tf.tidy / tf.variableGrads). */
  forward(batch: ScheduleBatch): tf.Tensor1D {
    const pooled = encodeSchedules(this.params, this.config, batch); // [B, H]
    const out = mlp(l2Normalize(pooled), this.params, 'head', this.config.headDims.length + 1, tf.relu); // [B, 1]
    return tf.reshape(out, [batch.size]);
  }

  /** Scores of a prepared batch, computed in chunks without gradients. */
  scoreBatch(batch: ScheduleBatch, options: ScoreOptions = {}): Float32Array {
    const chunk = options.chunkSize ?? 1024;
    if (!Number.isInteger(chunk) || chunk < 1) throw new KitError(`score: chunkSize must be a positive integer, got ${chunk}`, { hint: 'the default is 1024' });
    const out = new Float32Array(batch.size);
    for (let lo = 0; lo < batch.size; lo += chunk) {
      const rows = Array.from({ length: Math.min(chunk, batch.size - lo) }, (_, i) => lo + i);
      const part = rows.length === batch.size ? batch : selectRows(batch, rows);
      const s = tf.tidy(() => this.forward(part));
      out.set(s.dataSync() as Float32Array, lo);
      s.dispose();
    }
    return out;
  }

  /** Scores of schedules (lower = better predicted FID); validates every schedule first. */
  score(schedules: readonly (readonly number[])[], options: ScoreOptions = {}): Float32Array {
    return this.scoreBatch(this.prepare(schedules), options);
  }

  /** Current weights as host arrays (for checkpoints), in parameter order. */
  weights(): NamedArray[] {
    return [...this.params].map(([name, v]) => ({ name, shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() }));
  }

  /** Overwrites the weights with host arrays of the same names and shapes. */
  setWeights(arrays: Iterable<NamedArray>): void {
    for (const a of arrays) {
      const v = this.params.get(a.name);
      if (!v) throw new Error(`setWeights: no predictor parameter '${a.name}'`);
      tf.tidy(() => v.assign(tf.tensor(a.data, v.shape)));
    }
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}
