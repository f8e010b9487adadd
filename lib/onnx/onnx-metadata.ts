/**
 * What an exported model.onnx says about itself, and the check that it still describes the
 * weights and architecture a run expects.
 *
 * An ONNX file is a derived artefact: retraining (new ema-weights.bin), editing the config's
 * architecture or changing the exporter all make an existing export silently wrong. So every
 * export carries, as ModelProto metadata_props,
 *   oms-dpm.format          the exporter's format marker (bumped whenever the graph it writes changes)
 *   oms-dpm.weights-sha256  payload sha256 of the tensor file the weights came from
 *   oms-dpm.arch            canonical JSON of the UNetArch
 * plus informational entries (kit version, model id, training step, I/O layout), and loading
 * compares the first three before ONNX Runtime ever sees the file.
 *
 * ONNX Runtime's Node binding does not expose custom metadata, so it is read here with the
 * protobuf schema; decoding also rejects truncated files (a cut length-delimited field fails).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { canonicalJson, repoRoot } from '../config/index';
import type { UNetArch } from '../diffusion/unet-spec';
import { KitError } from '../util/errors';

/** Bump when the exported graph's semantics or I/O change: older exports then count as stale. */
export const ONNX_EXPORT_FORMAT = 'oms-dpm-unet-onnx/1';

export const META_KEYS = {
  format: 'oms-dpm.format',
  kitVersion: 'oms-dpm.kit-version',
  weightsSha256: 'oms-dpm.weights-sha256',
  arch: 'oms-dpm.arch',
  modelId: 'oms-dpm.model-id',
  step: 'oms-dpm.weights-step',
  io: 'oms-dpm.io',
} as const;

/** The I/O contract, stored so a reader of the file alone knows the layout. */
export const ONNX_IO_DESCRIPTION = 'x: float32 [N,H,W,C] (NHWC), t: float32 [N] network time input -> eps: float32 [N,H,W,C]';

/** What the exporter is told about the weights it writes. */
export interface OnnxExportIdentity {
  weightsSha256: string;
  modelId?: string;
  step?: number;
}

/** What a loader expects the file to match; omitted fields are not checked. */
export interface OnnxExpectation {
  weightsSha256?: string;
  arch?: UNetArch;
}

let kitVersionCache: string | null = null;
/** The kit's package.json version (informational: the format marker decides staleness). */
export function kitVersion(): string {
  if (kitVersionCache === null) {
    try {
      kitVersionCache = String((JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      kitVersionCache = 'unknown';
    }
  }
  return kitVersionCache;
}

/**
 * The metadata_props an export of `arch` with these weights carries. The format marker is written
 * last: metadata_props is the last field of the ModelProto, so a file cut exactly between two
 * entries loses the marker first, and a present marker means every entry is there.
 */
export function exportMetadata(arch: UNetArch, id: OnnxExportIdentity): Record<string, string> {
  const m: Record<string, string> = {
    [META_KEYS.kitVersion]: kitVersion(),
    [META_KEYS.weightsSha256]: id.weightsSha256,
    [META_KEYS.arch]: canonicalJson(arch),
    [META_KEYS.io]: ONNX_IO_DESCRIPTION,
  };
  if (id.modelId !== undefined) m[META_KEYS.modelId] = id.modelId;
  if (id.step !== undefined) m[META_KEYS.step] = String(id.step);
  m[META_KEYS.format] = ONNX_EXPORT_FORMAT;
  return m;
}

/**
 * The metadata_props of a serialised ModelProto. Throws `corrupt(reason)` when the bytes are not
 * a complete ModelProto (truncated, not ONNX at all, or without a graph).
 */
export function readOnnxMetadata(bytes: Uint8Array, corrupt: (why: string) => Error): Record<string, string> {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw corrupt(`it does not parse as an ONNX model (${(e as Error).message})`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0) throw corrupt('it holds no graph');
  const out: Record<string, string> = {};
  for (const p of model.metadataProps) if (p.key) out[p.key] = p.value ?? '';
  return out;
}

/**
 * Refuses an export whose format, weights or architecture differ from what is expected.
 * `fix` is the command that rewrites the file.
 */
export function checkOnnxMetadata(file: string, meta: Record<string, string>, expect: OnnxExpectation, fix: string): void {
  const stale = (why: string) => new KitError(`${file} is stale: ${why}`, { hint: `re-export it: ${fix}` });
  const format = meta[META_KEYS.format];
  if (format === undefined) {
    throw new KitError(`${file} is not a complete oms-dpm ONNX export: it carries no export marker (it is truncated, or was written by another tool)`, { hint: `re-export it: ${fix}` });
  }
  if (format !== ONNX_EXPORT_FORMAT) throw stale(`it was written by exporter format ${format}, this kit writes ${ONNX_EXPORT_FORMAT}`);
  if (expect.weightsSha256 !== undefined && meta[META_KEYS.weightsSha256] !== expect.weightsSha256) {
    throw stale(
      `it was exported from weights with sha256 ${short(meta[META_KEYS.weightsSha256])}, but the current weights file has ${short(expect.weightsSha256)} (the model was retrained or its weights replaced)`,
    );
  }
  if (expect.arch !== undefined) {
    const want = canonicalJson(expect.arch);
    if (meta[META_KEYS.arch] !== want) throw stale(`its architecture ${meta[META_KEYS.arch] ?? '(none)'} differs from the config's ${want}`);
  }
}

function short(sha: string | undefined): string {
  return sha ? `${sha.slice(0, 12)}…` : '(none)';
}
