/**
 * A zoo member set up to train exactly as the trainer runs a step (gradients, clipping, Adam, EMA),
 * from its seed-0 initialisation, on synthetic batches: what `npm run bench` times and the memory
 * check repeats. A step's cost does not depend on the pixel values, so the batches are a cheap
 * deterministic wave, different at every step.
 */
import type { ResolvedExperiment } from '../config/index';
import { Adam } from '../diffusion/adam';
import { initParams } from '../diffusion/init-params';
import { disposeVariables, toVariables } from '../diffusion/model-params';
import { trainStep, type StepSettings, type TrainState } from '../diffusion/train-step';
import type { TrainingBatch } from '../diffusion/training-batch';
import { planUNet } from '../diffusion/unet-spec';
import { trainerSettings } from '../zoo/train-zoo';
import { archFor } from '../zoo/zoo-model';

export interface BenchTraining {
  state: TrainState;
  settings: StepSettings;
  /** images per micro-batch (settings.microBatchSize, resolved) */
  microBatch: number;
  /** [H, W, C] of one image */
  shape: [number, number, number];
  /** the synthetic batch of step `step` */
  batchAt(step: number): TrainingBatch;
  /** runs step `step` on its synthetic batch */
  step(step: number): Promise<number>;
  dispose(): void;
}

/** `batch` images per step, split into micro-batches of `microBatch` (default: the model's training setting, at most `batch`). */
export function benchTraining(exp: ResolvedExperiment, modelId: string, batch: number, tag: string, microBatch?: number): BenchTraining {
  const plan = planUNet(archFor(exp.config, modelId));
  const trainer = trainerSettings(exp, modelId);
  const micro = microBatch ?? Math.min(trainer.microBatchSize ?? batch, batch);
  const settings: StepSettings = { ...trainer, microBatchSize: micro };
  const init = initParams(plan, 0);
  const params = toVariables(plan, init, true, tag);
  const ema = toVariables(plan, init, false, tag);
  const adam = new Adam({ lr: trainer.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, params);
  const state: TrainState = { plan, params, ema, adam };
  const { imageSize: s, channels: c } = exp.config.dataset;
  const shape: [number, number, number] = [s, s, c];
  const d = s * s * c;
  const wave = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((i + k) * 12.9898) * 0.9);
  const batchAt = (step: number): TrainingBatch => ({ xt: wave(batch * d, step), eps: wave(batch * d, step + 1), t: Float32Array.from({ length: batch }, (_, i) => (i * 37 + step) % 1000), count: batch });
  return {
    state,
    settings,
    microBatch: micro,
    shape,
    batchAt,
    step: (step) => trainStep(state, batchAt(step), shape, step, settings),
    dispose: () => {
      disposeVariables(params);
      disposeVariables(ema);
      disposeVariables(adam.m);
      disposeVariables(adam.v);
    },
  };
}
