/**
 * Makes the WASM backend's `Identity` (and same-dtype `Cast`) share the input's buffer instead of
 * copying it, as the cpu and webgl backends already do.
 *
 * Why: TF.js (its `tf.engine()`) clones every tensor it saves for the backward pass
 * (`keep(clone(x))`; clone runs `Identity`), and gradients cast float32 to float32 in several
 * places. On WASM both kernels copy the whole buffer, so a training step made ~450 full-size copies
 * of activations (~30-80 ms and a second copy of every saved activation in the heap). Tensors are
 * immutable and variables swap buffers on `assign` rather than writing into them, so sharing a
 * buffer (reference-counted, like WASM's own `Reshape`) is safe.
 */
import * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel } from './replace-wasm-kernel';

interface WasmBackendLike {
  incRef(dataId: object): void;
}

let installed = false;

function shared(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Re-registers the two kernels for backend 'wasm'. A no-op until the WASM backend package has
 * registered its kernels (so it can be called before or after backend selection); idempotent.
 */
export function installSharedIdentityKernels(): void {
  if (installed || !tf.getKernel('Identity', 'wasm') || !tf.getKernel('Cast', 'wasm')) return;
  replaceWasmKernel('Identity', (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === 'string' ? original(args) : shared(x, args.backend);
  });
  replaceWasmKernel('Cast', (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === (args.attrs as { dtype: string }).dtype ? shared(x, args.backend) : original(args);
  });
  installed = true;
}
