/**
 * ONNX Runtime forward time of a zoo architecture, for `npm run bench`: the UNet is exported in
 * memory with its initial (random) weights, unetToOnnx(plan, initParams(plan, 0)), and loaded with
 * OnnxModel.fromBytes, so no trained weights are needed (a forward pass costs the same whatever the
 * weight values). One session per intra-op thread count; each is timed on host arrays, x
 * [B,H,W,C] and t [B] in, eps out (`OnnxModel.run`), the median of `repeats` runs after one
 * warm-up. That is ORT's own cost: the sampling engine adds two copies of the batch between TF.js
 * and ORT per NFE (small; the collection cross-check in collection-throughput.ts measures them).
 */
import type { UNetArch } from '../diffusion/unet-spec';
import { planUNet } from '../diffusion/unet-spec';
import { initParams } from '../diffusion/init-params';
import { streamRng } from '../util/rng';
import { OnnxModel } from '../onnx/onnx-denoiser';
import { unetToOnnx } from '../onnx/unet-to-onnx';
import { timeRepeated, type Timed } from './timing';

export interface OrtForwardBench {
  batch: number;
  /** ONNX file size (bytes) of the in-memory export */
  onnxBytes: number;
  /** per intra-op thread count: median forward ms and spread */
  byThreads: Record<number, Timed>;
}

/** The architecture exported with seed-0 initial weights (deterministic; not a trained model). */
export function randomWeightsOnnx(arch: UNetArch, modelId: string): Uint8Array {
  const plan = planUNet(arch);
  return unetToOnnx(plan, initParams(plan, 0), { weightsSha256: 'bench-initial-weights-seed-0', modelId });
}

export async function benchOrtForward(arch: UNetArch, modelId: string, batch: number, repeats: number, threads: readonly number[] = [1, 2]): Promise<OrtForwardBench> {
  const bytes = randomWeightsOnnx(arch, modelId);
  const n = batch * arch.imageSize * arch.imageSize * arch.inChannels;
  const rng = streamRng(0, 'bench-ort-input', modelId);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 2 * rng() - 1;
  const t = Float32Array.from({ length: batch }, (_, k) => (k * 7) % 1000);
  const byThreads: Record<number, Timed> = {};
  for (const th of threads) {
    const model = await OnnxModel.fromBytes(bytes, `bench:${modelId}`, { arch }, { intraOpNumThreads: th });
    try {
      byThreads[th] = await timeRepeated(() => model.run(x, batch, t), repeats, 1);
    } finally {
      await model.release();
    }
  }
  return { batch, onnxBytes: bytes.length, byThreads };
}
