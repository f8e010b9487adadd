/**
 * A model schedule as a denoiser (method doc §3): the sampler numbers its network evaluations
 * 0, 1, 2, ... (`call`), and a compiled schedule sends call i to the zoo model the schedule names
 * for its i-th NFE. The samplers stay pure functions of (denoiser, x, times); the schedule is
 * entirely in the denoiser. The zoo's denoisers may be TF.js (synchronous) or ONNX Runtime
 * (asynchronous) ones; the compiled denoiser returns whatever the chosen member returns.
 *
 * `calls` lists the 1-based model index of every NFE in calling order: for DDIM and single-step
 * DPM-Solver, `evaluations(solver, entries).map((e) => e.model)`; for the multistep solvers, one
 * model per step.
 */
import type * as tf from '@tensorflow/tfjs';
import { KitError } from '../util/errors';
import type { Denoiser } from './denoiser';

/**
 * models: the zoo, index 0 = model 1. calls: model index (1..models.length) per NFE, in calling
 * order. The result routes call i to models[calls[i] - 1] (passing x, tInput and i through) and
 * throws if the sampler makes more calls than the schedule has NFEs.
 */
export function compileScheduleDenoiser(models: readonly Denoiser[], calls: readonly number[]): Denoiser {
  if (models.length === 0) throw new KitError('a model schedule needs at least one zoo model');
  const allowed = `1..${models.length}`;
  calls.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 1 || m > models.length) {
      throw new KitError(`model schedule NFE ${i} names model ${m}; allowed: ${allowed} (the zoo has ${models.length} model(s))`, {
        hint: 'list the model of every NFE in calling order; 0, the null model, makes no call and is not listed',
      });
    }
  });
  const plan = [...calls];
  return (x: tf.Tensor4D, tInput: number, call: number): ReturnType<Denoiser> => {
    if (!Number.isInteger(call) || call < 0 || call >= plan.length) {
      throw new KitError(`the sampler made network call ${call}, but the model schedule has ${plan.length} NFE(s) (calls 0..${plan.length - 1})`, {
        hint: 'the schedule and the sampler disagree on the NFE: compile the calls from the same schedule and solver the sampler runs',
      });
    }
    return models[plan[call] - 1](x, tInput, call);
  };
}

/** A one-model "schedule": every call goes to `model`, whatever the NFE. */
export function singleModelDenoiser(model: Denoiser): Denoiser {
  return (x, tInput, call) => model(x, tInput, call);
}
