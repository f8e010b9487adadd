/**
 * Putting the kit's own kernel in place of one the WASM backend registered: TF.js keeps one kernel
 * per (name, backend), so a replacement is an unregister followed by a register. The replacement
 * keeps the original's setup and dispose functions (some WASM kernels look up their compiled
 * function in `setupFunc`) and usually calls the original for the cases it does not handle.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Registers, for backend 'wasm', kernel `name` with the kernel function `wrap(original)`; returns
 * the original kernel's config (to restore it with `registerWasmKernel`), or null, changing
 * nothing, when the WASM backend has not registered `name` (yet).
 */
export function replaceWasmKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): tf.KernelConfig | null {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) return null;
  const original: tf.KernelConfig = { ...kernel };
  registerWasmKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
  return original;
}

/** Registers `config` for backend 'wasm' in place of the kernel of that name registered now. */
export function registerWasmKernel(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({ ...config, backendName: 'wasm' });
}
