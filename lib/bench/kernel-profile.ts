/**
 * Where the time of a TF.js computation goes, kernel by kernel (`npm run bench`: profile, do not
 * guess): tf.profile records every kernel the engine runs with its wall time
 * (the WASM backend's kernels are synchronous, so a kernel's time is its own), and this sums them
 * by kernel name. What the kernels do not account for (JS between kernels, tensor bookkeeping,
 * tape handling in a training step) is reported as `outsideKernelsMs`.
 *
 * The kit's custom-gradient ops (GroupNorm + swish, channel concat, nearest upsampling: tf.customGrad)
 * appear twice in a profile: once as an entry named after the enclosing tf.tidy scope ("unnamed
 * scope", since they have no kernel name of their own) whose time includes the kernels they run,
 * and once as those kernels. Those entries are therefore kept apart (`customOpsMs`), not summed.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
  /** of the wall time */
  share: number;
}

export interface KernelProfile {
  wallMs: number;
  kernelMs: number;
  /** time inside tf.customGrad ops (already counted in their kernels) and how many ran */
  customOpsMs: number;
  customOps: number;
  outsideKernelsMs: number;
  /** by total time, largest first */
  kernels: KernelTime[];
}

/** The name tf.profile gives a tf.customGrad op run inside tf.tidy. */
export const CUSTOM_OP_SCOPE = 'unnamed scope';

/** Sums (name, ms) pairs by name, custom-op scopes apart; shares are of `wallMs`. */
export function summariseKernels(entries: readonly { kernelName: string; kernelTimeMs: number }[], wallMs: number): KernelProfile {
  const by = new Map<string, { ms: number; calls: number }>();
  let customOpsMs = 0;
  let customOps = 0;
  for (const e of entries) {
    if (e.kernelName === CUSTOM_OP_SCOPE) {
      customOpsMs += e.kernelTimeMs;
      customOps += 1;
      continue;
    }
    const k = by.get(e.kernelName) ?? { ms: 0, calls: 0 };
    k.ms += e.kernelTimeMs;
    k.calls += 1;
    by.set(e.kernelName, k);
  }
  const kernels = [...by].map(([kernel, v]) => ({ kernel, ms: v.ms, calls: v.calls, share: wallMs > 0 ? v.ms / wallMs : 0 })).sort((a, b) => b.ms - a.ms || a.kernel.localeCompare(b.kernel));
  const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
  return { wallMs, kernelMs, customOpsMs, customOps, outsideKernelsMs: Math.max(0, wallMs - kernelMs), kernels };
}

/** Runs `f` once under tf.profile and returns its kernel-time breakdown. */
export async function profileKernels(f: () => tf.TensorContainer | Promise<tf.TensorContainer>): Promise<KernelProfile> {
  const t0 = performance.now();
  const info = await tf.profile(f);
  const wallMs = performance.now() - t0;
  tf.dispose(info.result as tf.TensorContainer);
  return summariseKernels(info.kernels.map((k) => ({ kernelName: k.name, kernelTimeMs: typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0 })), wallMs);
}

/** "Conv2D 41% (120 x), FusedConv2D 20% ..." for the `top` largest kernels. */
export function describeProfile(p: KernelProfile, top = 6): string {
  const parts = p.kernels.slice(0, top).map((k) => `${k.kernel} ${(100 * k.share).toFixed(0)}% (${k.calls}x)`);
  const pct = (ms: number) => `${((100 * ms) / Math.max(p.wallMs, 1e-9)).toFixed(0)}%`;
  const custom = p.customOps ? `; custom-gradient ops (GroupNorm+swish, concat, upsample) ${pct(p.customOpsMs)} (${p.customOps}x), counted in their kernels` : '';
  return `${parts.join(', ')}; outside kernels ${pct(p.outsideKernelsMs)}${custom}`;
}
