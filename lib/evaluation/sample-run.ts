/**
 * `oms-dpm sample` as a library call: a checked plan (sample-plan.ts) sampled from the noise bank
 * on the chosen engine, written as a folder of PNGs + images.npz + samples.json
 * (sample-folder.ts) and/or one grid PNG. Schedules run through `sampleSchedule` (the schedule
 * compiled into a denoiser, the solver's sampler unchanged), exactly as collection and the fronts
 * score them; single-model DDIM through `sampleWithDdim` as before. Only the zoo members the run
 * calls are loaded (a schedule of members 1 and 3 does not need member 2 trained or exported).
 */
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import { writeImageGrid } from '../data/image-grid';
import type { Denoiser } from '../samplers/denoiser';
import { KitError } from '../util/errors';
import { disposeSamplingModels, loadSamplingModels, type EngineChoice, type OnnxExportEvent, type SamplingModel } from '../zoo/sampling-engine';
import { zooPaths } from '../zoo/workspace';
import { sampleWithDdim } from '../zoo/zoo-sampling';
import { checkSampleFolder, writeSampleFolder, type SampleFolderRecord } from './sample-folder';
import type { SamplePlan } from './sample-plan';
import { sampleSchedule } from './sample-schedule';

/** Which noise-bank images: [start, start + count) of the bank of `seed` (default `sampling.noiseBankSeed`). */
export interface SampleRange {
  start: number;
  count: number;
  seed?: number;
}

export interface SampleOutputs {
  /** folder of PNGs + images.npz + samples.json */
  outDir?: string;
  /** one grid PNG of every image */
  grid?: string;
  /** grid columns (default 8) */
  gridColumns?: number;
}

/** Where a run writes, resolved to absolute paths. */
export interface ResolvedSampleOutputs {
  outDir: string | null;
  grid: string | null;
  gridColumns: number;
}

/**
 * Where the images go, checked before any model is loaded. Neither output given: a --model run
 * keeps `sample`'s old default, the member's grid (zoo/<id>/samples-<solver><N>.png); a schedule
 * has no such home, so it needs one. An --out-dir holding other images is refused
 * (`checkSampleFolder`), and so is a grid inside it (`fid DIR` would read the grid as a sample).
 */
export function prepareSampleOutputs(exp: ResolvedExperiment, plan: SamplePlan, range: SampleRange, o: SampleOutputs): ResolvedSampleOutputs {
  let grid = o.grid ?? null;
  const outDir = o.outDir ? path.resolve(o.outDir) : null;
  if (!outDir && !grid) {
    if (!plan.model) {
      throw new KitError('a schedule run needs somewhere to write its images', {
        hint: 'add --out-dir DIR (one PNG per image, images.npz, samples.json) and/or --grid FILE.png',
      });
    }
    grid = zooPaths(exp, plan.model.id).sampleGrid(plan.model.steps, plan.solver);
  }
  if (grid !== null) {
    grid = path.resolve(grid);
    if (!/\.png$/i.test(grid)) throw new KitError(`--grid ${grid} is not a .png file`, { hint: 'name the grid FILE.png (it is written as PNG)' });
    if (outDir && path.dirname(grid) === outDir) {
      throw new KitError(`--grid ${grid} is inside --out-dir ${outDir}`, { hint: 'write the grid elsewhere: `oms-dpm fid` reads every image of the folder, and the grid is not a sample' });
    }
  }
  if (outDir) checkSampleFolder(outDir, range.start, range.count);
  return { outDir, grid, gridColumns: o.gridColumns ?? 8 };
}

/** A stand-in for a zoo member the schedule never calls (validated schedules never reach it). */
function notLoaded(id: string): Denoiser {
  return () => {
    throw new Error(`zoo member '${id}' was not loaded: the schedule does not call it`);
  };
}

/** uint8 NHWC images of the range, sampled with the plan; `members` are the plan's members, loaded. */
export async function sampleWithPlan(exp: ResolvedExperiment, plan: SamplePlan, members: readonly SamplingModel[], range: SampleRange): Promise<Uint8Array> {
  const byId = new Map(members.map((m) => [m.modelId, m.denoiser]));
  const missing = plan.members.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new Error(`sampleWithPlan: members ${missing.join(', ')} of the plan are not loaded`);
  const batchSize = exp.config.sampling.batchSize;
  if (plan.schedule) {
    const models = exp.config.zoo.map((m) => byId.get(m.id) ?? notLoaded(m.id));
    return sampleSchedule(exp, models, { solver: plan.solver, entries: plan.schedule, start: range.start, count: range.count, batchSize, seed: range.seed });
  }
  const m = plan.model as NonNullable<SamplePlan['model']>;
  return sampleWithDdim(exp, byId.get(m.id) as Denoiser, { count: range.count, steps: m.steps, skip: m.skip, eta: m.eta, start: range.start, batchSize, seed: range.seed });
}

export interface SampleRunResult {
  outDir: string | null;
  grid: string | null;
  /** what samples.json holds (also when only a grid was written) */
  record: SampleFolderRecord;
}

/**
 * Loads the plan's members on `engine`, samples the range and writes the outputs (from
 * `prepareSampleOutputs`). Members are disposed also when sampling fails.
 */
export async function runSampling(
  exp: ResolvedExperiment,
  engine: EngineChoice,
  plan: SamplePlan,
  range: SampleRange,
  outputs: ResolvedSampleOutputs,
  opts: { threads?: number; onExport?: (e: OnnxExportEvent) => void } = {},
): Promise<SampleRunResult> {
  const t0 = Date.now();
  const cfg = exp.config;
  const { outDir, grid } = outputs;
  const seed = range.seed ?? cfg.sampling.noiseBankSeed;
  const weights = Object.fromEntries(plan.members.map((id) => [id, readTensorFile(zooPaths(exp, id).weights, `weights of zoo model '${id}'`).sha256]));
  const members = await loadSamplingModels(exp, engine.engine, { models: plan.members, threads: opts.threads, onExport: opts.onExport });
  let images: Uint8Array;
  const ts = Date.now();
  try {
    images = await sampleWithPlan(exp, plan, members, { ...range, seed });
  } finally {
    await disposeSamplingModels(members);
  }
  const sampling = (Date.now() - ts) / 1000;
  const d = cfg.dataset;
  const base: Omit<SampleFolderRecord, 'files'> = {
    kind: 'oms-dpm-samples',
    version: 1,
    experiment: cfg.name,
    profile: exp.profile,
    configHash: exp.hash,
    solver: plan.solver,
    schedule: plan.schedule,
    model: plan.model,
    nfe: plan.nfe,
    label: plan.label,
    engine: engine.tag,
    engineReason: engine.reason,
    weights,
    noiseBank: { seed, start: range.start, count: range.count, experimentBank: seed === cfg.sampling.noiseBankSeed },
    image: { height: d.imageSize, width: d.imageSize, channels: d.channels },
    clipDenoised: cfg.sampling.clipDenoised,
    batchSize: cfg.sampling.batchSize,
    seconds: { sampling, total: 0 },
    createdAt: new Date().toISOString(),
  };
  if (grid) writeImageGrid(grid, images, range.count, d.imageSize, d.imageSize, d.channels, outputs.gridColumns);
  const seconds = () => ({ sampling, total: (Date.now() - t0) / 1000 });
  const record = outDir ? writeSampleFolder(outDir, images, { ...base, seconds: seconds() }) : { ...base, seconds: seconds(), files: [] };
  return { outDir, grid, record };
}
