/**
 * ONNX exports of trained zoo members: results/<experiment>/zoo/<id>/model.onnx next to the
 * ema-weights.bin it was made from.
 *
 * The export is derived data and may go stale; it records the weights file's payload sha256 and
 * the architecture (onnx-metadata.ts), and loading it re-reads the current weights file (which
 * verifies that file's own checksum) to compare. Exporting writes atomically, so an interrupted
 * export leaves the previous model.onnx or none, never half a file.
 */
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import { planUNet, type UNetPlan } from '../diffusion/unet-spec';
import { KitError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic-file';
import { archFor, trainingIdentity, type ZooWeightsMeta } from '../zoo/zoo-model';
import { zooPaths } from '../zoo/workspace';
import { OnnxModel, type OnnxSessionOptions } from './onnx-denoiser';
import { unetToOnnx, type HostWeights, type UNetOnnxOptions } from './unet-to-onnx';

/** Where a zoo member's ONNX export lives. */
export function zooOnnxPath(exp: ResolvedExperiment, modelId: string): string {
  return path.join(zooPaths(exp, modelId).dir, 'model.onnx');
}

/** The CLI command that (re)writes the exports of an experiment, quoted in error hints. */
export function exportCommand(exp: ResolvedExperiment, modelId?: string): string {
  const profile = exp.profile === 'default' ? '' : ` --profile ${exp.profile}`;
  return `oms-dpm export-onnx --experiment ${exp.config.name}${profile}${modelId ? ` --model ${modelId}` : ''}`;
}

export interface ZooWeights {
  file: string;
  plan: UNetPlan;
  weights: HostWeights;
  sha256: string;
  meta: ZooWeightsMeta;
}

/**
 * A zoo member's EMA weights as host arrays, refused (as `loadZooModel` refuses them) when they
 * were trained under another architecture or training config than the experiment now has.
 */
export function readZooWeights(exp: ResolvedExperiment, modelId: string): ZooWeights {
  const file = zooPaths(exp, modelId).weights;
  const f = readTensorFile<ZooWeightsMeta>(file, `weights of zoo model '${modelId}'`);
  if (f.meta.kind !== 'oms-dpm-zoo-weights') throw new KitError(`${file} is not a zoo weights file (kind ${String(f.meta.kind)})`);
  if (JSON.stringify(f.meta.identity) !== JSON.stringify(trainingIdentity(exp.config, modelId))) {
    throw new KitError(`the weights in ${file} were trained with another architecture or training config than experiment '${exp.config.name}' now has`, {
      hint: `retrain with oms-dpm train-zoo --experiment ${exp.config.name} --model ${modelId}, or restore the config they were trained with`,
    });
  }
  return { file, plan: planUNet(archFor(exp.config, modelId)), weights: f.arrays, sha256: f.sha256, meta: f.meta };
}

export interface ZooOnnxExport {
  file: string;
  bytes: number;
  weightsSha256: string;
}

/** Writes results/<exp>/zoo/<id>/model.onnx from the member's current EMA weights. */
export function exportZooModelToOnnx(exp: ResolvedExperiment, modelId: string, opts: UNetOnnxOptions = {}): ZooOnnxExport {
  const w = readZooWeights(exp, modelId);
  const bytes = unetToOnnx(w.plan, w.weights, { weightsSha256: w.sha256, modelId, step: w.meta.step }, opts);
  const file = zooOnnxPath(exp, modelId);
  writeFileAtomic(file, bytes);
  return { file, bytes: bytes.length, weightsSha256: w.sha256 };
}

/**
 * Loads a zoo member's model.onnx on ONNX Runtime after checking that it was exported from the
 * member's current weights and architecture; a missing, corrupt or stale export is a KitError
 * telling to re-export.
 */
export async function loadOnnxZooModel(exp: ResolvedExperiment, modelId: string, opts: OnnxSessionOptions = {}): Promise<OnnxModel> {
  const w = readZooWeights(exp, modelId);
  return OnnxModel.load(zooOnnxPath(exp, modelId), { weightsSha256: w.sha256, arch: w.plan.arch }, { fixCommand: exportCommand(exp), ...opts });
}
