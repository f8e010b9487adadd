/**
 * A UNet exported by unet-to-onnx.ts, running on ONNX Runtime's CPU execution provider, behind a
 * denoiser-shaped API.
 *
 * Loading checks the file before ORT parses it (onnx-metadata.ts): a missing, truncated or
 * foreign file, or one exported from other weights or another architecture, is a KitError whose
 * hint is the re-export command. Sessions run with sequential execution, full graph optimisation
 * and a configurable number of intra-op threads (onnx-runtime.ts recommends the split of cores
 * between worker processes and threads).
 *
 * How it plugs into the samplers (lib/samplers/denoiser.ts is the seam):
 *
 *   - The kit's `Denoiser` returns `tf.Tensor4D | Promise<tf.Tensor4D>` and every sampler is an
 *     async function that awaits each network evaluation outside its tf.tidy blocks, so the TF.js
 *     denoiser (synchronous) and `onnxDenoiser` below (asynchronous: ORT's `run` executes on a
 *     worker thread and resolves a promise) drive the same samplers, bit for bit the same
 *     arithmetic around the network.
 *   - The sampler arithmetic stays in TF.js: `onnxDenoiser` hands ORT the tensor's data and wraps
 *     the output in a new tensor (two copies of a [B,H,W,C] array per NFE, negligible next to a
 *     UNet evaluation, and part of the latency the cost model prices for this engine).
 *   - A model schedule (schedule-denoiser.ts) holds one denoiser per zoo member and picks by `call`,
 *     whichever engine backs them. lib/zoo/sampling-engine.ts chooses the engine and loads a zoo on
 *     it (exporting model.onnx first when it is missing or stale).
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { InferenceSession } from 'onnxruntime-node';
import type { UNetArch } from '../diffusion/unet-spec';
import type { AsyncDenoiser } from '../samplers/denoiser';
import { KitError } from '../util/errors';
import { loadOrt, ortSessionOptions } from './onnx-runtime';
import { META_KEYS, checkOnnxMetadata, readOnnxMetadata, type OnnxExpectation } from './onnx-metadata';

/** A `Denoiser` that always answers with a promise; the returned tensor belongs to the caller. */
export type { AsyncDenoiser };

export interface OnnxSessionOptions {
  /** ORT intra-op threads for this session (default 1: the kit parallelises over processes first). */
  intraOpNumThreads?: number;
  /** The command that rewrites the file, quoted in every error's hint. */
  fixCommand?: string;
}

const DEFAULT_FIX = 'oms-dpm export-onnx --experiment NAME';

export class OnnxModel {
  private constructor(
    private readonly session: InferenceSession,
    private readonly ort: ReturnType<typeof loadOrt>,
    /** where the model came from (file path or a label), for messages */
    readonly source: string,
    /** the architecture recorded in the file */
    readonly arch: UNetArch,
    /** all metadata_props of the file */
    readonly metadata: Readonly<Record<string, string>>,
    readonly intraOpNumThreads: number,
  ) {}

  /**
   * Loads `file`, checking it against `expect` (weights sha256, architecture) first.
   * Missing, corrupt and stale files are KitErrors whose hint is `opts.fixCommand`.
   */
  static async load(file: string, expect: OnnxExpectation, opts: OnnxSessionOptions = {}): Promise<OnnxModel> {
    const fix = opts.fixCommand ?? DEFAULT_FIX;
    if (!fs.existsSync(file)) throw new KitError(`ONNX model not found: ${file}`, { hint: `export it first: ${fix}` });
    return OnnxModel.fromBytes(fs.readFileSync(file), file, expect, opts);
  }

  /** As `load`, from bytes already in memory (`source` names them in messages). */
  static async fromBytes(bytes: Uint8Array, source: string, expect: OnnxExpectation = {}, opts: OnnxSessionOptions = {}): Promise<OnnxModel> {
    const fix = opts.fixCommand ?? DEFAULT_FIX;
    const corrupt = (why: string, cause?: unknown) => new KitError(`ONNX model ${source} is corrupt or truncated: ${why}`, { hint: `delete it and re-export: ${fix}`, cause });
    const metadata = readOnnxMetadata(bytes, corrupt);
    checkOnnxMetadata(source, metadata, expect, fix);
    let arch: UNetArch;
    try {
      arch = JSON.parse(metadata[META_KEYS.arch]) as UNetArch;
    } catch (e) {
      throw corrupt('its architecture metadata is not JSON', e);
    }
    const threads = opts.intraOpNumThreads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new KitError(`intraOpNumThreads must be a positive integer, got ${threads}`, { hint: 'use 1 per worker process unless there are spare cores' });
    const ort = loadOrt();
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, ortSessionOptions(threads));
    } catch (e) {
      throw corrupt(`ONNX Runtime cannot load it (${(e as Error).message.split('\n')[0]})`, e);
    }
    const names = `${session.inputNames.join(',')}->${session.outputNames.join(',')}`;
    if (names !== 't,x->eps' && names !== 'x,t->eps') {
      await session.release();
      throw corrupt(`its inputs/outputs are ${names}, expected x,t->eps`);
    }
    return new OnnxModel(session, ort, source, arch, metadata, threads);
  }

  /** Values per input image, H*W*C. */
  get valuesPerImage(): number {
    return this.arch.imageSize * this.arch.imageSize * this.arch.inChannels;
  }

  /**
   * eps for `n` images x (NHWC, n*H*W*C values) at network time `t`: one number for the whole
   * batch (as samplers call it) or one per image.
   */
  async run(x: Float32Array, n: number, t: number | ArrayLike<number>): Promise<Float32Array> {
    const S = this.arch.imageSize;
    if (!Number.isInteger(n) || n < 1) throw new Error(`OnnxModel.run: batch size must be a positive integer, got ${n}`);
    if (x.length !== n * this.valuesPerImage) throw new Error(`OnnxModel.run: x holds ${x.length} values, [${n},${S},${S},${this.arch.inChannels}] needs ${n * this.valuesPerImage}`);
    const times = new Float32Array(n);
    if (typeof t === 'number') times.fill(t);
    else {
      if (t.length !== n) throw new Error(`OnnxModel.run: ${t.length} times for ${n} images`);
      for (let i = 0; i < n; i++) times[i] = t[i];
    }
    const feeds = {
      x: new this.ort.Tensor('float32', x, [n, S, S, this.arch.inChannels]),
      t: new this.ort.Tensor('float32', times, [n]),
    };
    const out = await this.session.run(feeds);
    return out.eps.data as Float32Array;
  }

  /** Frees the native session; the model cannot run afterwards. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * An `AsyncDenoiser` over an ONNX model: the TF.js tensor's data goes to ORT, the output comes
 * back as a new tensor [B,H,W,outChannels].
 */
export function onnxDenoiser(model: OnnxModel): AsyncDenoiser {
  return async (x, tInput) => {
    const [n, h, w] = x.shape;
    const eps = await model.run((await x.data()) as Float32Array, n, tInput);
    return tf.tensor4d(eps, [n, h, w, model.arch.outChannels]);
  };
}
