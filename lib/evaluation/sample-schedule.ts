/**
 * Images from a model schedule: the schedule is compiled into a denoiser that routes each NFE to
 * its zoo model, then the solver's sampler runs unchanged from the fixed noise bank.
 * DDIM schedules run DDIM (eta 0) over their active discrete timesteps; DPM-Solver schedules run
 * single-step DPM-Solver over the steps and times `dpmSolverSteps` gives (method doc §3).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedExperiment } from '../config/index';
import { fromModelOutput } from '../data/batch';
import { ContinuousVpSchedule } from '../diffusion/continuous-vp';
import { scheduleFromConfig } from '../diffusion/noise-schedule';
import { ddimSample } from '../samplers/ddim';
import type { Denoiser } from '../samplers/denoiser';
import { dpmSolverSample } from '../samplers/dpm-solver';
import { noiseBank } from '../samplers/noise-bank';
import { compileScheduleDenoiser } from '../samplers/schedule-denoiser';
import { dpmSolverSteps, evaluations, validateSchedule, type SolverName } from '../schedule/index';

export interface ScheduleSampling {
  solver: SolverName;
  entries: readonly number[];
  /** first noise-bank image and how many */
  start: number;
  count: number;
  batchSize: number;
}

export function vpOf(exp: ResolvedExperiment): ContinuousVpSchedule {
  const d = exp.config.diffusion;
  return ContinuousVpSchedule.fromDiscrete(d.timesteps, d.betaStart, d.betaEnd);
}

/** uint8 NHWC images of noise-bank entries [start, start + count) sampled with the schedule. */
export async function sampleSchedule(exp: ResolvedExperiment, models: readonly Denoiser[], req: ScheduleSampling): Promise<Uint8Array> {
  const cfg = exp.config;
  validateSchedule(req.solver, req.entries, models.length, undefined, { timesteps: cfg.diffusion.timesteps });
  const vp = vpOf(exp);
  const evals = evaluations(req.solver, req.entries, { timesteps: cfg.diffusion.timesteps, vp });
  const denoiser = compileScheduleDenoiser(models, evals.map((e) => e.model));
  const sched = scheduleFromConfig(cfg.diffusion);
  const shape = { height: cfg.dataset.imageSize, width: cfg.dataset.imageSize, channels: cfg.dataset.channels };
  const d = shape.height * shape.width * shape.channels;
  const out = new Uint8Array(req.count * d);
  const steps = req.solver === 'dpm-solver' ? dpmSolverSteps(req.entries, { vp }) : null;
  for (let s = 0; s < req.count; s += req.batchSize) {
    const n = Math.min(req.batchSize, req.count - s);
    const xT = tf.tensor4d(noiseBank(cfg.sampling.noiseBankSeed, req.start + s, n, shape), [n, shape.height, shape.width, shape.channels]);
    const x0 = steps
      ? dpmSolverSample(denoiser, xT, steps, vp, { clipDenoised: cfg.sampling.clipDenoised })
      : ddimSample(denoiser, xT, evals.map((e) => e.tInput), sched.alphasCumprod, { clipDenoised: cfg.sampling.clipDenoised });
    out.set(fromModelOutput(await x0.data()), s * d);
    tf.dispose([xT, x0]);
  }
  return out;
}
