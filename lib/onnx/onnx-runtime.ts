/**
 * Whether the ONNX Runtime engine can run here, and how to spend the CPU cores on it.
 *
 * onnxruntime-node loads a native library when it is first required, so a broken install (wrong
 * libc, missing binary because `ONNXRUNTIME_NODE_INSTALL=skip` was used on a platform without a
 * bundled one) throws at require time. The kit therefore requires it lazily, here only, and turns
 * the failure into a reason the CLI can print, leaving the TF.js engine usable.
 */
import * as os from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { KitError } from '../util/errors';
import { OnnxGraphBuilder } from './graph-builder';

export type OrtModule = typeof Ort;

let cached: { ort: OrtModule } | { error: string } | null = null;

function tryLoad(): { ort: OrtModule } | { error: string } {
  if (cached) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cached = { ort: require('onnxruntime-node') as OrtModule };
  } catch (e) {
    cached = { error: (e as Error).message.split('\n')[0] };
  }
  return cached;
}

/** The onnxruntime-node module, or a KitError saying why it does not load. */
export function loadOrt(): OrtModule {
  const r = tryLoad();
  if ('ort' in r) return r.ort;
  throw new KitError(`ONNX Runtime (onnxruntime-node) does not load: ${r.error}`, {
    hint: 'reinstall it with `npm ci` in the kit folder (it ships CPU binaries for linux/macOS/windows x64 and arm64), or sample with the TF.js engine',
  });
}

/**
 * The session options every kit model runs with on ONNX Runtime: the CPU provider, nodes run one
 * after another (the graphs are chains), all graph optimisations (fusions such as x * Sigmoid(x)),
 * `threads` intra-op threads (the caller splits cores, see recommendOrtSplit), warnings only.
 */
export function ortSessionOptions(threads: number): Ort.InferenceSession.SessionOptions {
  return { executionProviders: ['cpu'], executionMode: 'sequential', graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, logSeverityLevel: 3 };
}

export interface OrtStatus {
  available: boolean;
  /** onnxruntime-node version when it loads */
  version: string | null;
  /** why it is (not) usable, printable as is */
  reason: string;
}

/**
 * Loads onnxruntime-node and runs a one-node model through it (Add x + x), which proves the native
 * library and its CPU provider work, not just that the JavaScript wrapper resolves.
 */
export async function probeOnnxRuntime(): Promise<OrtStatus> {
  const r = tryLoad();
  if (!('ort' in r)) return { available: false, version: null, reason: `onnxruntime-node does not load: ${r.error}` };
  const ort = r.ort;
  const version = ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
  try {
    const g = new OnnxGraphBuilder();
    const x = g.reserve('x');
    g.op('Add', [x, x], {}, 'y');
    const bytes = g.toModel({ graphName: 'probe', inputs: [{ name: 'x', dims: [2] }], outputs: [{ name: 'y', dims: [2] }], metadata: {}, producerVersion: 'probe' });
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2]), [2]) });
      const y = out.y.data as Float32Array;
      if (y[0] !== 2 || y[1] !== 4) return { available: false, version, reason: `onnxruntime-node ${version} loads but computed ${Array.from(y)} for 2*[1,2]` };
    } finally {
      await session.release();
    }
  } catch (e) {
    return { available: false, version, reason: `onnxruntime-node ${version} loads but cannot run a model: ${(e as Error).message.split('\n')[0]}` };
  }
  return { available: true, version, reason: `onnxruntime-node ${version} runs on the CPU execution provider` };
}

export interface OrtSplit {
  /** processes (each with its own InferenceSession) */
  workers: number;
  /** ORT intra-op threads per session */
  intraOpThreads: number;
  reason: string;
}

/**
 * How to split `cores` between worker processes and ORT intra-op threads for `jobs` independent
 * sampling jobs (schedules to score, image batches to draw).
 *
 * Independent jobs scale almost perfectly across processes, while ORT's intra-op threads split
 * each convolution and synchronise after every node: a UNet at these sizes has hundreds of small
 * nodes, so a second thread buys clearly less than a second process. Hence one single-threaded
 * worker per core while there are jobs for them, and leftover cores become intra-op threads of the
 * workers there are. On the kit's reference 2-core machine with many schedules to score this is 2
 * workers x 1 thread; a single sampling job gets 1 worker x 2 threads. Memory is the other limit:
 * each worker holds its own copy of the weights and activations (`maxWorkers` caps it).
 */
export function recommendOrtSplit(opts: { cores?: number; jobs?: number; maxWorkers?: number } = {}): OrtSplit {
  const cores = Math.max(1, Math.floor(opts.cores ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)));
  const jobs = Math.max(1, Math.floor(opts.jobs ?? Number.POSITIVE_INFINITY));
  const workers = Math.max(1, Math.min(cores, jobs, Math.floor(opts.maxWorkers ?? cores)));
  const intraOpThreads = Math.max(1, Math.floor(cores / workers));
  const reason =
    workers === cores
      ? `${cores} core(s), at least ${cores} independent job(s): one single-threaded ORT worker per core (processes scale better than intra-op threads on small UNet nodes)`
      : `${cores} core(s) but ${workers} worker(s) (${jobs < cores ? `${jobs} job(s)` : 'worker cap'}): the spare cores become ${intraOpThreads} intra-op thread(s) per worker`;
  return { workers, intraOpThreads, reason };
}
