/**
 * The learning curve of a candidate zoo member, cheaply: how recognisable its samples are against
 * training steps, before hours of TF.js training are committed to it (`oms-dpm scout-member`).
 *
 * The member's UNet is trained with the experiment's recipe in PyTorch on the CPU
 * (reference/pytorch/torch_scout.py: the same network as the kit's, about 3x faster per step than TF.js WASM)
 * on the experiment's training split; at each evaluation step its EMA weights draw `samples`
 * images with DDIM, and the kit measures them with the experiment's label classifier against the
 * real validation split (metrics/sample-quality.ts): confident share, class balance, off-range
 * brightness, and a FID on those images. The scout is a forecast for the configuration, not a zoo
 * member: its weights are not kept, and the kit's own training (train-zoo) makes the member.
 *
 * Writes results/<experiment>/scout/<model>-<hash>.json (config of the member, recipe, curve, provenance)
 * after every evaluation, atomically; prints nothing (progress through `onEvent`).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { hashOf, resolveModelTraining, type ResolvedExperiment } from '../config/index';
import { realImageQuality } from '../evaluation/real-quality';
import { ensureFidReference, readAll } from '../metrics/fid-reference';
import { featureStats, frechetDistance } from '../metrics/frechet-distance';
import { measureImages } from '../metrics/image-measures';
import { sampleQuality, type IntensityRange, type SampleQuality } from '../metrics/sample-quality';
import { makeProvenance } from '../config/provenance';
import { writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import { trainingData } from '../zoo/train-zoo';
import { archFor } from '../zoo/zoo-model';
import { planUNet } from '../diffusion/unet-spec';
import { resultsDir } from '../zoo/workspace';
import { PYTORCH_PYTHON, PYTORCH_REFERENCE_DIR, pytorchScript } from './pytorch-reference';

export const SCOUT_PYTHON = PYTORCH_PYTHON;

export interface ScoutOptions {
  steps: number;
  /** evaluate (sample and measure) every this many steps, and at the last */
  evalEvery: number;
  /** images sampled at each evaluation */
  samples: number;
  ddimSteps: number;
  /** PyTorch threads */
  threads: number;
  /** learning rate; default the member's training.learningRate */
  learningRate?: number;
  /** EMA rates averaged side by side over the one run, each sampled at every evaluation; default [training.emaRate] */
  emaRates?: number[];
  onEvent?: (e: ScoutEvent) => void;
}

export type ScoutEvent = { kind: 'progress'; step: number; loss: number; seconds: number } | { kind: 'point'; point: ScoutPoint };

export interface ScoutPoint {
  step: number;
  /** the EMA rate whose weights drew these samples */
  emaRate: number;
  /** running training loss (per-pixel MSE, raw weights) at this step */
  loss: number;
  quality: SampleQuality;
  /** FID of the sampled images against the training-split reference (few images: biased up) */
  fid: number;
  /** seconds since training started */
  seconds: number;
}

export interface ScoutReport {
  kind: 'oms-dpm-scout';
  experiment: string;
  modelId: string;
  unet: unknown;
  params: number;
  recipe: {
    learningRate: number; lrDecay: string; warmupSteps: number; batchSize: number; gradClipNorm: number | null;
    emaRates: number[]; emaWarmup: boolean; steps: number; threads: number;
  };
  sampling: { ddimSteps: number; samples: number; clip: true };
  featureNetwork: string;
  range: IntensityRange;
  real: SampleQuality;
  curve: ScoutPoint[];
  engine: string;
  provenance: unknown;
}

/** results/<experiment>/scout/<model>-<hash of the member's UNet and recipe>.json: scouts of other settings sit beside it. */
export function scoutFile(exp: ResolvedExperiment, modelId: string, setting: unknown): string {
  return path.join(resultsDir(exp), 'scout', `${modelId}-${hashOf(setting).slice(0, 8)}.json`);
}

/** The evaluation steps: every `evalEvery` and the last. */
export function scoutSteps(steps: number, evalEvery: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new KitError(`scout steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new KitError(`scout --eval-every must be a positive integer, got ${evalEvery}`);
  const out: number[] = [];
  for (let s = evalEvery; s < steps; s += evalEvery) out.push(s);
  return [...out, steps];
}

export async function scoutMember(exp: ResolvedExperiment, modelId: string, o: ScoutOptions): Promise<{ file: string; report: ScoutReport }> {
  if (!fs.existsSync(SCOUT_PYTHON)) throw new KitError(`${SCOUT_PYTHON} not found: the scout trains in PyTorch`, { hint: 'apt-get install -y python3-torch (scripts/setup.sh installs it)' });
  const evalAt = scoutSteps(o.steps, o.evalEvery);
  const arch = archFor(exp.config, modelId);
  const t = resolveModelTraining(exp.config, modelId);
  const d = exp.config.diffusion;
  const ref = await ensureFidReference(exp);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-scout-'));
  try {
    const real = await realImageQuality(exp, ref.extractor);
    const train = trainingData(exp);
    const { pixels, count } = readAll(train);
    const imagesFile = path.join(tmp, 'train.u8');
    fs.writeFileSync(imagesFile, pixels);
    const recipe = {
      learningRate: o.learningRate ?? t.learningRate, lrDecay: t.lrDecay, warmupSteps: t.warmupSteps, batchSize: t.batchSize, gradClipNorm: t.gradClipNorm,
      emaRates: o.emaRates ?? [t.emaRate], emaWarmup: t.emaWarmup, steps: o.steps, threads: o.threads,
    };
    const report: ScoutReport = {
      kind: 'oms-dpm-scout',
      experiment: exp.config.name,
      modelId,
      unet: exp.config.zoo.find((m) => m.id === modelId)!.unet,
      params: planUNet(arch).params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
      recipe,
      sampling: { ddimSteps: o.ddimSteps, samples: o.samples, clip: true },
      featureNetwork: ref.description,
      range: real.range,
      real: real.quality,
      curve: [],
      engine: `pytorch-cpu (${o.threads} thread(s), ${PYTORCH_REFERENCE_DIR}/torch_scout.py)`,
      provenance: makeProvenance(exp),
    };
    const file = scoutFile(exp, modelId, { unet: report.unet, recipe, sampling: report.sampling });
    const request = {
      arch, trainImages: imagesFile, count, height: train.height, width: train.width, channels: train.channels,
      steps: o.steps, batch: t.batchSize, lr: recipe.learningRate, lrDecay: t.lrDecay, warmupSteps: t.warmupSteps, gradClip: t.gradClipNorm,
      emaRates: recipe.emaRates, emaWarmup: t.emaWarmup,
      betaStart: d.betaStart, betaEnd: d.betaEnd, timesteps: d.timesteps, evalAt, samples: o.samples, ddimSteps: o.ddimSteps,
      outDir: tmp, seed: t.seed, threads: o.threads,
    };
    let loss = NaN;
    await runScout(request, o.threads, async (m) => {
      if (m.kind === 'progress') {
        loss = m.loss;
        o.onEvent?.(m);
        return;
      }
      const images = new Uint8Array(fs.readFileSync(m.file));
      const measures = await measureImages(ref.extractor, images, o.samples, { height: train.height, width: train.width, channels: train.channels });
      const fid = frechetDistance(featureStats(measures.features, o.samples, measures.dim), ref.stats);
      const point: ScoutPoint = { step: m.step, emaRate: m.emaRate, loss, quality: sampleQuality(measures, real.range), fid, seconds: m.seconds };
      report.curve.push(point);
      writeJsonAtomic(file, report);
      o.onEvent?.({ kind: 'point', point });
    });
    return { file, report };
  } finally {
    try {
      ref.extractor.dispose();
    } finally {
      // the scout's training images and samples: nothing in it is kept (the report is in results/)
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}

type ScoutMessage = { kind: 'progress'; step: number; loss: number; seconds: number } | { kind: 'samples'; step: number; emaRate: number; file: string; seconds: number };

/**
 * Runs torch_scout.py on `request`, handing each message it prints to `onMessage`. When handling
 * one fails, the scout is killed and waited for before the failure is thrown: left running, it
 * would train on for nothing and write into (or recreate, with os.makedirs) the temporary folder
 * that the caller removes.
 */
async function runScout(request: unknown, threads: number, onMessage: (m: ScoutMessage) => Promise<void>): Promise<void> {
  const child = spawn(SCOUT_PYTHON, [pytorchScript('torch_scout.py')], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(JSON.stringify(request));
  try {
    for await (const line of readline.createInterface({ input: child.stdout })) await onMessage(JSON.parse(line) as ScoutMessage);
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  }
  const code = await exited;
  if (code !== 0) throw new KitError(`the PyTorch scout exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`, { hint: `${SCOUT_PYTHON} ${PYTORCH_REFERENCE_DIR}/torch_scout.py (python3-torch from Debian)` });
}
