/**
 * ONNX exports of trained zoo members: results/<experiment>/zoo/<id>/model.onnx next to the
 * ema-weights.bin it was made from, and model.onnx.json recording its provenance.
 *
 * The export is derived data and may go stale; it records the weights file's payload sha256 and
 * the architecture (lib/onnx/onnx-metadata.ts), and loading it re-reads the current weights file
 * (which verifies that file's own checksum) to compare. Exporting writes atomically, so an interrupted
 * export leaves the previous model.onnx or none, never half a file. `ensureZooOnnx` is what the
 * sampling engine calls: it re-exports a missing, stale or damaged file and says why, so a stale
 * export is never used (`oms-dpm export-onnx` and `train-zoo` export explicitly).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { ResolvedExperiment } from '../config/index';
import { readTensorFile } from '../diffusion/tensor-file';
import { planUNet, type UNetPlan } from '../diffusion/unet-spec';
import { KitError } from '../util/errors';
import { makeProvenance } from '../config/provenance';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file';
import { archFor, trainingIdentity, type ZooWeightsMeta } from './zoo-model';
import { zooPaths } from './workspace';
import { OnnxModel, type OnnxSessionOptions } from '../onnx/onnx-denoiser';
import { META_KEYS, ONNX_EXPORT_FORMAT, checkOnnxMetadata, readOnnxMetadata } from '../onnx/onnx-metadata';
import { unetToOnnx, type HostWeights, type UNetOnnxOptions } from '../onnx/unet-to-onnx';

/** Where a zoo member's ONNX export lives. */
export function zooOnnxPath(exp: ResolvedExperiment, modelId: string): string {
  return zooPaths(exp, modelId).onnx;
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

/** What model.onnx.json records next to an export. */
export interface ZooOnnxProvenance {
  kind: 'oms-dpm-onnx-export';
  modelId: string;
  /** sha256 of model.onnx itself: a file damaged after export (even where ONNX still parses) is caught */
  onnxSha256: string;
  bytes: number;
  /** payload sha256 of ema-weights.bin, also inside model.onnx's metadata */
  weightsSha256: string;
  weightsStep: number;
  format: string;
  groupNorm: string;
  provenance: unknown;
}

export interface ZooOnnxExport {
  file: string;
  bytes: number;
  weightsSha256: string;
  onnxSha256: string;
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** True when `file` already records an export of the same bytes from the same weights and format. */
function sameExport(file: string, record: ZooOnnxProvenance): boolean {
  let old: Partial<ZooOnnxProvenance>;
  try {
    old = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ZooOnnxProvenance>;
  } catch {
    return false;
  }
  return (['kind', 'modelId', 'onnxSha256', 'bytes', 'weightsSha256', 'weightsStep', 'format', 'groupNorm'] as const).every((k) => old[k] === record[k]);
}

/**
 * Writes results/<exp>/zoo/<id>/model.onnx from the member's current EMA weights, then
 * model.onnx.json with its provenance (the weights' sha256 and step, the file's own sha256, the
 * config hash, git state and package versions of `makeProvenance`). Both writes are atomic; the
 * export is deterministic in the weights and architecture.
 */
export function exportZooModelToOnnx(exp: ResolvedExperiment, modelId: string, opts: UNetOnnxOptions = {}): ZooOnnxExport {
  const w = readZooWeights(exp, modelId);
  const bytes = unetToOnnx(w.plan, w.weights, { weightsSha256: w.sha256, modelId, step: w.meta.step }, opts);
  const paths = zooPaths(exp, modelId);
  writeFileAtomic(paths.onnx, bytes);
  const onnxSha256 = sha256(bytes);
  const record: ZooOnnxProvenance = {
    kind: 'oms-dpm-onnx-export',
    modelId,
    onnxSha256,
    bytes: bytes.length,
    weightsSha256: w.sha256,
    weightsStep: w.meta.step,
    format: ONNX_EXPORT_FORMAT,
    groupNorm: opts.groupNorm ?? 'instance-norm',
    provenance: makeProvenance(exp),
  };
  // a fresh clone re-makes the (uncommitted) model.onnx on first use: when the bytes are the ones the
  // committed record describes, the record stays as it is rather than churn with every checkout
  if (!sameExport(paths.onnxProvenance, record)) writeJsonAtomic(paths.onnxProvenance, record);
  return { file: paths.onnx, bytes: bytes.length, weightsSha256: w.sha256, onnxSha256 };
}

/** Whether model.onnx may be used as is; every other state names why not. */
export type ZooOnnxStatus =
  | { state: 'current'; file: string }
  | { state: 'missing' | 'stale' | 'corrupt'; file: string; reason: string };

/**
 * Checks a member's model.onnx without ONNX Runtime: present, a complete oms-dpm export (format
 * marker), exported from the current weights file (sha256) and architecture, and byte-identical to
 * what its model.onnx.json recorded at export time (so a file damaged later, or one without its
 * provenance record, is not trusted).
 */
export function zooOnnxStatus(exp: ResolvedExperiment, modelId: string, weights?: ZooWeights): ZooOnnxStatus {
  const paths = zooPaths(exp, modelId);
  const file = paths.onnx;
  if (!fs.existsSync(file)) return { state: 'missing', file, reason: 'no model.onnx yet' };
  const w = weights ?? readZooWeights(exp, modelId);
  const bytes = fs.readFileSync(file);
  let meta: Record<string, string>;
  try {
    meta = readOnnxMetadata(bytes, (why) => new Error(why));
  } catch (e) {
    return { state: 'corrupt', file, reason: (e as Error).message };
  }
  try {
    checkOnnxMetadata(file, meta, { weightsSha256: w.sha256, arch: w.plan.arch }, exportCommand(exp, modelId));
  } catch (e) {
    return { state: meta[META_KEYS.format] === undefined ? 'corrupt' : 'stale', file, reason: (e as Error).message };
  }
  let record: Partial<ZooOnnxProvenance> | null = null;
  try {
    record = JSON.parse(fs.readFileSync(paths.onnxProvenance, 'utf8')) as Partial<ZooOnnxProvenance>;
  } catch {
    record = null;
  }
  if (!record || typeof record.onnxSha256 !== 'string') return { state: 'stale', file, reason: `${paths.onnxProvenance} (the export's provenance record) is missing or unreadable` };
  const actual = sha256(bytes);
  if (record.onnxSha256 !== actual) {
    return { state: 'corrupt', file, reason: `${file} has sha256 ${actual.slice(0, 12)}…, but it was exported as ${record.onnxSha256.slice(0, 12)}… (the file was damaged or replaced)` };
  }
  return { state: 'current', file };
}

export interface EnsuredOnnx {
  file: string;
  /** true when this call (re)wrote model.onnx */
  exported: boolean;
  /** why it was (re)written: missing, stale or corrupt, with the details */
  reason: string | null;
}

/** model.onnx for a member, (re)exported first when missing, stale or corrupt: never used stale. */
export function ensureZooOnnx(exp: ResolvedExperiment, modelId: string): EnsuredOnnx {
  const w = readZooWeights(exp, modelId);
  const status = zooOnnxStatus(exp, modelId, w);
  if (status.state === 'current') return { file: status.file, exported: false, reason: null };
  exportZooModelToOnnx(exp, modelId);
  return { file: status.file, exported: true, reason: `${status.state}: ${status.reason}` };
}

/**
 * Loads a zoo member's model.onnx on ONNX Runtime after checking that it was exported from the
 * member's current weights and architecture; a missing, corrupt or stale export is a KitError
 * telling to re-export.
 */
export async function loadOnnxZooModel(exp: ResolvedExperiment, modelId: string, opts: OnnxSessionOptions = {}): Promise<OnnxModel> {
  const w = readZooWeights(exp, modelId);
  return OnnxModel.load(zooOnnxPath(exp, modelId), { weightsSha256: w.sha256, arch: w.plan.arch }, { fixCommand: exportCommand(exp, modelId), ...opts });
}
