/**
 * Makes the WASM backend's `BatchMatMul` transpose a flagged operand with its `Transpose` kernel
 * first and then multiply untransposed.
 *
 * Why: the kernel with transposeA or transposeB set is 8-15x slower than a transpose followed by
 * the plain product (measured on this machine, [188, 128] x [128, 128]: 7.9 ms against 0.97 ms;
 * at 512 rows 20.5 ms against 1.7 ms), and the gradient of every matMul sets one of the flags
 * (dA = dC B^T, dB = A^T dC). Training the LSTM predictor, which is almost all small matMuls, spent
 * most of its time there. The transposed copy of an operand costs one pass over it, small next to
 * the product.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernel, replaceWasmKernel } from './replace-wasm-kernel';

interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

let installed = false;
/** The WASM backend's own kernel, kept for `withPlainMatMul`. */
let plain: tf.KernelConfig | null = null;

/** Swaps the last two axes: [..., m, n] -> [..., n, m]. */
const lastTwoSwapped = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

/**
 * Re-registers `BatchMatMul` for backend 'wasm'. A no-op until the WASM backend package has
 * registered its kernels; idempotent.
 */
export function installTransposingMatMul(): void {
  if (installed) return;
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose || !tf.getKernel('BatchMatMul', 'wasm')) return;
  plain = replaceWasmKernel('BatchMatMul', (original) => (args) => {
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const swap = (x: tf.TensorInfo) => transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm: lastTwoSwapped(x.shape.length) } }) as tf.TensorInfo;
    const at = attrs.transposeA ? swap(a) : a;
    const bt = attrs.transposeB ? swap(b) : b;
    try {
      return original({ inputs: { a: at, b: bt }, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      const backend = args.backend as WasmBackendLike;
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
    }
  });
  installed = true;
}

/**
 * Runs `f` with the WASM backend's own BatchMatMul (flags handled by the kernel), then restores the
 * transposing one: what `npm run bench` compares against. Just `f` when nothing was installed.
 */
export function withPlainMatMul<T>(f: () => T): T {
  if (!installed || !plain) return f();
  const mine = tf.getKernel('BatchMatMul', 'wasm')!;
  registerWasmKernel(plain);
  try {
    return f();
  } finally {
    registerWasmKernel(mine);
  }
}
