/**
 * Initial UNet weights, deterministic in the seed: PyTorch's default for conv/linear layers
 * (uniform in +-1/sqrt(fan_in) for weights and biases, which is what the official DDIM code gets),
 * GroupNorm gamma 1 and beta 0.
 */
import { streamRng } from '../util/rng';
import type { UNetPlan } from './unet-spec';

export type HostParams = Map<string, { shape: number[]; data: Float32Array }>;

export function initParams(plan: UNetPlan, seed: number): HostParams {
  const out: HostParams = new Map();
  for (const spec of plan.params) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (spec.init.kind === 'ones') data.fill(1);
    else if (spec.init.kind === 'uniform') {
      const rng = streamRng(seed, 'init', spec.name);
      const bound = 1 / Math.sqrt(spec.init.fanIn);
      for (let i = 0; i < n; i++) data[i] = (2 * rng() - 1) * bound;
    }
    out.set(spec.name, { shape: spec.shape, data });
  }
  return out;
}
