/**
 * Images from a model schedule: the schedule is compiled into a denoiser that routes each NFE to
 * its zoo model, then the solver's sampler runs unchanged from the fixed noise bank.
 * DDIM schedules run DDIM (eta 0) over their active discrete timesteps; DPM-Solver schedules run
 * single-step DPM-Solver over the steps and times `dpmSolverSteps` gives (method doc §3).
 * The zoo's denoisers may be TF.js or ONNX Runtime ones (lib/zoo/sampling-engine.ts); the same
 * noise bank and sampler run either way.
 */
import type { ResolvedExperiment } from '../config/index';
import { fromModelOutput } from '../data/batch';
import { ContinuousVpSchedule } from '../diffusion/continuous-vp';
import { scheduleFromConfig } from '../diffusion/noise-schedule';
import { ddimSample } from '../samplers/ddim';
import type { Denoiser } from '../samplers/denoiser';
import { dpmSolverSample } from '../samplers/dpm-solver';
import { forEachNoiseBankBatch } from '../samplers/noise-bank';
import { compileScheduleDenoiser } from '../samplers/schedule-denoiser';
import { dpmSolverSteps, evaluations, validateSchedule, type SolverName } from '../schedule/index';

export interface ScheduleSampling {
  solver: SolverName;
  entries: readonly number[];
  /** first noise-bank image and how many */
  start: number;
  count: number;
  batchSize: number;
  /** noise-bank seed; default the experiment's `sampling.noiseBankSeed` (another seed: another bank, e.g. `oms-dpm sample --seed`) */
  seed?: number;
}

export function vpOf(exp: ResolvedExperiment): ContinuousVpSchedule {
  const d = exp.config.diffusion;
  return ContinuousVpSchedule.fromDiscrete(d.timesteps, d.betaStart, d.betaEnd);
}

/**
 * Samples noise-bank entries [start, start + count) with the schedule, batch by batch, handing each
 * batch's x_0 (model output scale, NHWC float32, `n` images starting at image `offset`) to `each`.
 */
export async function forEachScheduleBatch(
  exp: ResolvedExperiment,
  models: readonly Denoiser[],
  req: ScheduleSampling,
  each: (x0: Float32Array, offset: number, n: number) => void,
): Promise<void> {
  const cfg = exp.config;
  validateSchedule(req.solver, req.entries, models.length, undefined, { timesteps: cfg.diffusion.timesteps });
  const vp = vpOf(exp);
  const evals = evaluations(req.solver, req.entries, { timesteps: cfg.diffusion.timesteps, vp });
  const denoiser = compileScheduleDenoiser(models, evals.map((e) => e.model));
  const sched = scheduleFromConfig(cfg.diffusion);
  const shape = { height: cfg.dataset.imageSize, width: cfg.dataset.imageSize, channels: cfg.dataset.channels };
  const steps = req.solver === 'dpm-solver' ? dpmSolverSteps(req.entries, { vp }) : null;
  const timesteps = evals.map((e) => e.tInput);
  await forEachNoiseBankBatch(
    { seed: req.seed ?? cfg.sampling.noiseBankSeed, shape, start: req.start, count: req.count, batchSize: req.batchSize },
    (xT) =>
      steps
        ? dpmSolverSample(denoiser, xT, steps, vp, { clipDenoised: cfg.sampling.clipDenoised })
        : ddimSample(denoiser, xT, timesteps, sched.alphasCumprod, { clipDenoised: cfg.sampling.clipDenoised }),
    each,
  );
}

/** uint8 NHWC images of noise-bank entries [start, start + count) sampled with the schedule. */
export async function sampleSchedule(exp: ResolvedExperiment, models: readonly Denoiser[], req: ScheduleSampling): Promise<Uint8Array> {
  const d = exp.config.dataset.imageSize ** 2 * exp.config.dataset.channels;
  const out = new Uint8Array(req.count * d);
  await forEachScheduleBatch(exp, models, req, (x0, offset) => out.set(fromModelOutput(x0), offset * d));
  return out;
}

/** As `sampleSchedule`, the float32 x_0 before quantisation (model output scale, about [-1, 1]). */
export async function sampleScheduleFloat(exp: ResolvedExperiment, models: readonly Denoiser[], req: ScheduleSampling): Promise<Float32Array> {
  const d = exp.config.dataset.imageSize ** 2 * exp.config.dataset.channels;
  const out = new Float32Array(req.count * d);
  await forEachScheduleBatch(exp, models, req, (x0, offset) => out.set(x0, offset * d));
  return out;
}
