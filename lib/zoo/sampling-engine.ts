/**
 * The kit's one engine seam: a denoiser can be backed by TF.js or by ONNX Runtime, and everything
 * that generates images (samplers, model schedules, latency profiling, FID, collection, and what
 * builds on them) takes the zoo as `SamplingModel`s and works unchanged with either.
 *
 *   'tfjs'  the UNet in TF.js on the active backend (lib/tfjs/backend.ts): a synchronous denoiser.
 *   'onnx'  the UNet exported to results/<exp>/zoo/<id>/model.onnx on ONNX Runtime's CPU execution
 *           provider: an asynchronous denoiser. The export is made (or remade) automatically when
 *           it is missing, stale (other weights, architecture or exporter format) or damaged, and
 *           the reason is reported, so a stale export is never used silently.
 *
 * Choice: `--engine` on a command, else OMS_DPM_ENGINE=onnx|tfjs|auto, else auto. auto takes ONNX
 * Runtime when it loads and runs a model here and TF.js is on the CPU (WASM, tfjs-node, cpu); with
 * tfjs-node-gpu on CUDA it keeps TF.js (this ONNX Runtime build is CPU-only). When auto falls back
 * to TF.js the choice says why (`fallback`, `reason`), for the CLI to print and results to record.
 * An explicit 'onnx' that cannot load is an error, never a silent fallback.
 *
 * The engine's tag ('onnxruntime-cpu', 'tfjs-wasm', 'tfjs-tensorflow', 'tfjs-cpu') names latency
 * tables and is recorded with every result: the cost model prices the engine that samples.
 */
import type { ResolvedExperiment } from '../config/index';
import { initBackend, type BackendInfo } from '../tfjs/backend';
import { probeOnnxRuntime, type OrtStatus } from '../onnx/onnx-runtime';
import { onnxDenoiser, type OnnxModel } from '../onnx/onnx-denoiser';
import { ensureZooOnnx, exportZooModelToOnnx, loadOnnxZooModel } from './zoo-onnx';
import type { Denoiser } from '../samplers/denoiser';
import { KitError, isKitError } from '../util/errors';
import { engineTag } from './workspace';
import { loadZooModel } from './zoo-model';

export const SAMPLING_ENGINES = ['onnx', 'tfjs'] as const;
export type SamplingEngine = (typeof SAMPLING_ENGINES)[number];

export const ENGINE_REQUESTS = ['auto', 'onnx', 'tfjs'] as const;
export type EngineRequest = (typeof ENGINE_REQUESTS)[number];

/** The engine a run samples with, and why. Stored (as `engine` = tag, plus this) with results. */
export interface EngineChoice {
  engine: SamplingEngine;
  /** 'onnxruntime-cpu' | 'tfjs-<backend>': the name of latency tables and the `engine` of records */
  tag: string;
  requested: EngineRequest;
  /** where the request came from: the command's --engine, OMS_DPM_ENGINE, or the default */
  source: '--engine' | 'OMS_DPM_ENGINE' | 'default';
  /** printable sentence: what was chosen and why */
  reason: string;
  /** auto preferred ONNX Runtime but had to take TF.js */
  fallback: boolean;
  /** the TF.js backend (TF.js samples on it; with ONNX Runtime it still runs the sampler arithmetic) */
  backend: string;
  /** onnxruntime-node version when it loads */
  ortVersion: string | null;
}

/** Parses an engine request ('auto' | 'onnx' | 'tfjs'; empty = auto), naming the allowed values otherwise. */
export function parseEngineRequest(raw: string | undefined, what = 'OMS_DPM_ENGINE'): EngineRequest {
  const v = (raw ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(ENGINE_REQUESTS as readonly string[]).includes(v)) {
    throw new KitError(`${what}=${raw} is not a sampling engine this kit knows`, { hint: `use one of: ${ENGINE_REQUESTS.join(', ')}` });
  }
  return v as EngineRequest;
}

/**
 * Chooses the sampling engine. `requested` is a command's --engine value (undefined: fall back to
 * OMS_DPM_ENGINE, then auto); `backend` the TF.js backend in use (default: `initBackend()`);
 * `probe` checks ONNX Runtime (default `probeOnnxRuntime`: loads it and runs a one-node model).
 */
export async function chooseSamplingEngine(opts: { requested?: string; backend?: BackendInfo; probe?: () => Promise<OrtStatus> } = {}): Promise<EngineChoice> {
  const fromFlag = opts.requested !== undefined;
  const fromEnv = !fromFlag && process.env.OMS_DPM_ENGINE !== undefined && process.env.OMS_DPM_ENGINE.trim() !== '';
  const source: EngineChoice['source'] = fromFlag ? '--engine' : fromEnv ? 'OMS_DPM_ENGINE' : 'default';
  const requested = parseEngineRequest(fromFlag ? opts.requested : process.env.OMS_DPM_ENGINE, fromFlag ? '--engine' : 'OMS_DPM_ENGINE');
  const backend = opts.backend ?? (await initBackend());
  const base = { requested, source, backend: backend.backend };
  const by = source === 'default' ? 'auto (the default)' : `${source}=${requested}`;
  const tfjs = (reason: string, fallback: boolean, ortVersion: string | null): EngineChoice => ({ ...base, engine: 'tfjs', tag: engineTag('tfjs', backend.backend), reason, fallback, ortVersion });

  if (requested === 'tfjs') return tfjs(`TF.js on the ${backend.backend} backend (${by})`, false, null);
  const onCuda = backend.backend === 'tensorflow' && backend.device === 'cuda';
  if (requested === 'auto' && onCuda) {
    return tfjs(`TF.js on the tensorflow backend with CUDA (${backend.package}): ${by} keeps the GPU engine; ONNX Runtime here runs on the CPU only`, false, null);
  }
  const ort = await (opts.probe ?? probeOnnxRuntime)();
  if (!ort.available) {
    if (requested === 'onnx') {
      throw new KitError(`the ONNX Runtime engine was requested (${by}) but cannot run here: ${ort.reason}`, {
        hint: 'reinstall onnxruntime-node (npm ci), or sample with TF.js: --engine tfjs / OMS_DPM_ENGINE=tfjs',
      });
    }
    return tfjs(`TF.js on the ${backend.backend} backend: ${by} falls back from ONNX Runtime, which is unavailable (${ort.reason})`, true, ort.version);
  }
  return {
    ...base,
    engine: 'onnx',
    tag: engineTag('onnx', backend.backend),
    reason: `ONNX Runtime on the CPU (${ort.reason}; ${by}${onCuda ? ', although TF.js has CUDA' : `, TF.js backend ${backend.backend} on the CPU`})`,
    fallback: false,
    ortVersion: ort.version,
  };
}

/** One line for the CLI: "engine onnxruntime-cpu: ..." (a fallback is marked as such). */
export function describeEngine(c: EngineChoice): string {
  return `engine ${c.tag}${c.fallback ? ' (FALLBACK)' : ''}: ${c.reason}`;
}

/** What results store about the engine: the tag in `engine`, the rest here. */
export function engineRecord(c: EngineChoice): { tag: string; engine: SamplingEngine; requested: EngineRequest; source: string; reason: string; fallback: boolean; tfjsBackend: string; ortVersion: string | null } {
  return { tag: c.tag, engine: c.engine, requested: c.requested, source: c.source, reason: c.reason, fallback: c.fallback, tfjsBackend: c.backend, ortVersion: c.ortVersion };
}

/** A zoo member ready to sample on one engine. */
export interface SamplingModel {
  modelId: string;
  engine: SamplingEngine;
  denoiser: Denoiser;
  /** Frees the TF.js variables or the ONNX Runtime session. */
  dispose(): Promise<void>;
}

/** A model.onnx that was (re)written because it was missing, stale or damaged. */
export interface OnnxExportEvent {
  modelId: string;
  file: string;
  reason: string;
}

export interface LoadSamplingOptions {
  /** ONNX Runtime intra-op threads per session (default 1; ignored by TF.js) */
  threads?: number;
  /** zoo members to load, in this order (default: the whole zoo in config order) */
  models?: readonly string[];
  /** told about every automatic (re-)export before the model is loaded */
  onExport?: (e: OnnxExportEvent) => void;
}

async function loadOnnxMember(exp: ResolvedExperiment, id: string, threads: number, onExport?: (e: OnnxExportEvent) => void): Promise<OnnxModel> {
  const ensured = ensureZooOnnx(exp, id);
  if (ensured.exported) onExport?.({ modelId: id, file: ensured.file, reason: ensured.reason ?? 'exported' });
  try {
    return await loadOnnxZooModel(exp, id, { intraOpNumThreads: threads });
  } catch (e) {
    // A file whose metadata and checksum look right but that ONNX Runtime refuses: remake it once.
    if (ensured.exported || !isKitError(e) || !/corrupt or truncated/.test(e.message)) throw e;
    const out = exportZooModelToOnnx(exp, id);
    onExport?.({ modelId: id, file: out.file, reason: `corrupt: ${e.message}` });
    return loadOnnxZooModel(exp, id, { intraOpNumThreads: threads });
  }
}

/**
 * The experiment's zoo (or `opts.models`) on `engine`, in order: per member its id, a denoiser and
 * `dispose`. For 'onnx' each member's model.onnx is checked against its current weights first and
 * (re-)exported when missing, stale or damaged (`onExport` says which and why).
 */
export async function loadSamplingModels(exp: ResolvedExperiment, engine: SamplingEngine, opts: LoadSamplingOptions = {}): Promise<SamplingModel[]> {
  if (!(SAMPLING_ENGINES as readonly string[]).includes(engine)) {
    throw new KitError(`unknown sampling engine '${String(engine)}'`, { hint: `use one of: ${SAMPLING_ENGINES.join(', ')}` });
  }
  const ids = opts.models ?? exp.config.zoo.map((m) => m.id);
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new KitError(`ONNX Runtime threads must be a positive integer, got ${threads}`);
  const out: SamplingModel[] = [];
  try {
    for (const id of ids) {
      if (engine === 'tfjs') {
        const m = loadZooModel(exp, id);
        out.push({ modelId: id, engine, denoiser: m.denoiser, dispose: async () => m.dispose() });
      } else {
        const m = await loadOnnxMember(exp, id, threads, opts.onExport);
        out.push({ modelId: id, engine, denoiser: onnxDenoiser(m), dispose: () => m.release() });
      }
    }
  } catch (e) {
    await disposeSamplingModels(out);
    throw e;
  }
  return out;
}

/** Disposes every model (each once, even if one fails). */
export async function disposeSamplingModels(models: readonly SamplingModel[]): Promise<void> {
  const results = await Promise.allSettled(models.map((m) => m.dispose()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Makes sure every member's model.onnx is current before worker processes load them (so workers
 * never race to export). Returns the (re-)exports made.
 */
export function ensureZooOnnxExports(exp: ResolvedExperiment, ids: readonly string[] = exp.config.zoo.map((m) => m.id)): OnnxExportEvent[] {
  const events: OnnxExportEvent[] = [];
  for (const id of ids) {
    const r = ensureZooOnnx(exp, id);
    if (r.exported) events.push({ modelId: id, file: r.file, reason: r.reason ?? 'exported' });
  }
  return events;
}
