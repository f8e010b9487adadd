/**
 * Conv2D gradients written as forward convolutions, so the TF.js WASM backend can train conv nets.
 *
 * Why: the WASM backend has no `Conv2DBackpropFilter` kernel (training a conv net fails out of the
 * box) and its `Conv2DBackpropInput` is several times slower than a forward `Conv2D` of the same
 * size. Both gradients are themselves convolutions:
 *
 *   forward   y[n, o, co]  = sum_{k, ci} xpad[n, o*s + k, ci] * W[k, ci, co]        (per spatial axis)
 *   input     dx = conv( pad(dilate_s(dy)), flip(W) with in/out swapped, stride 1 )
 *   filter    dW[k, ci, co] = sum_{n, o} xpad[n, o*s + k, ci] * dy[n, o, co]
 *             = conv over the batch axis: input xpad^T [Ci, Hp, Wp, N], filter dy^T [Ho, Wo, N, Co],
 *               dilation s, giving [Ci, K, K, Co] -> transpose to [K, K, Ci, Co].
 *
 * The replacement is registered for every backend but only used on backends listed in
 * `FORWARD_CONV_GRADIENT_BACKENDS`; elsewhere (cpu, tfjs-node) the original gradient runs, which is
 * also what the self-check compares against.
 */
import * as tf from '@tensorflow/tfjs';

/** Backends whose Conv2D gradient is computed with forward convolutions. */
export const FORWARD_CONV_GRADIENT_BACKENDS = new Set(['wasm']);

type PadInfo = { top: number; bottom: number; left: number; right: number };

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function convInfo(x: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DAttrs) {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`forward-conv gradients support dataFormat NHWC only, got ${attrs.dataFormat}`);
  }
  const dil = typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : attrs.dilations;
  if (dil[0] !== 1 || dil[1] !== 1) {
    throw new Error(`forward-conv gradients need dilation 1 in the forward conv, got [${dil}]`);
  }
  return tf.backend_util.computeConv2DInfo(
    x.shape,
    filter.shape,
    attrs.strides,
    attrs.dilations,
    attrs.pad as never,
    attrs.dimRoundingMode,
  );
}

/**
 * Inserts (s - 1) zeros after every row/column of dy: [N,Ho,Wo,C] -> [N,Ho*sh,Wo*sw,C]. The trailing
 * zeros are kept (the caller shrinks its bottom/right padding by s - 1 instead) because slicing them
 * off copies the whole tensor row by row on WASM (~9 ms at [128,28,28,8]).
 */
function dilateSpatial(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, ho, wo, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, ho, 1, wo, 1, c]), [
    [0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0],
  ]);
  return tf.reshape(spread, [n, ho * sh, wo * sw, c]);
}

/** dL/dx of y = conv2d(x, W) as a stride-1 forward convolution. Shapes: dy [N,Ho,Wo,Co] -> [N,H,W,Ci]. */
export function conv2dInputGradient(
  xShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  pad: PadInfo,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const [, h, w] = xShape;
    const [sh, sw] = strides;
    let dyd = dilateSpatial(dy, sh, sw);
    const top = kh - 1 - pad.top;
    const left = kw - 1 - pad.left;
    let bottom = h + pad.top - dyd.shape[1];
    let right = w + pad.left - dyd.shape[2];
    if (bottom < 0 || right < 0) {
      // the dilation's trailing zeros overhang the input: drop them (rare: only odd paddings)
      const [n, , , co] = dy.shape;
      const rows = dyd.shape[1] - Math.min(sh - 1, Math.max(0, -bottom));
      const cols = dyd.shape[2] - Math.min(sw - 1, Math.max(0, -right));
      dyd = tf.slice(dyd, [0, 0, 0, 0], [n, rows, cols, co]);
      bottom = h + pad.top - rows;
      right = w + pad.left - cols;
    }
    // flip spatially and swap in/out channels: [kh,kw,Ci,Co] -> [kh,kw,Co,Ci]
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      throw new Error(`conv2dInputGradient: unsupported padding ${JSON.stringify(pad)} for kernel ${kh}x${kw}`);
    }
    return tf.conv2d(dyd, flipped, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  });
}

/** dL/dW of y = conv2d(x, W) as a forward convolution over the batch axis. Returns [kh,kw,Ci,Co]. */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: PadInfo,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filterShape;
    const padded = pad.top || pad.bottom || pad.left || pad.right;
    if (kh === 1 && kw === 1 && strides[0] === 1 && strides[1] === 1) {
      const xp = padded ? tf.pad(x, [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]]) : x;
      // 1x1 conv: dW = x^T dy, a single matmul. WASM's transposed-operand matMul is slow (~23 ms at
      // [100352,16]), so the thinner operand is transposed explicitly first (~2x faster overall).
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      const x2 = tf.reshape(xp, [n, ci]);
      const dy2 = tf.reshape(dy, [n, co]);
      const w2 = ci <= co ? tf.matMul(tf.transpose(x2), dy2) : tf.transpose(tf.matMul(tf.transpose(dy2), x2));
      return tf.reshape(w2, [1, 1, ci, co]);
    }
    // The zero padding is the convolution's own (XNNPACK pads virtually) rather than a padded copy of x.
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, Co]
    const convPad: [[number, number], [number, number], [number, number], [number, number]] =
      [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]];
    let g = tf.conv2d(xT, dyT, 1, convPad, 'NHWC', strides); // [Ci, >=kh, >=kw, Co]
    if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

let installed = false;

/**
 * Replaces the global Conv2D gradient with one that uses forward convolutions on the backends in
 * `FORWARD_CONV_GRADIENT_BACKENDS` and the original gradient everywhere else. Idempotent.
 */
export function installForwardConvGradients(): void {
  if (installed) return;
  const original = tf.getGradient('Conv2D');
  if (!original) throw new Error('TF.js has no Conv2D gradient registered; cannot install the replacement');
  tf.unregisterGradient('Conv2D');
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      if (!FORWARD_CONV_GRADIENT_BACKENDS.has(tf.getBackend())) {
        return original.gradFunc(dy, saved, attrs);
      }
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as Conv2DAttrs;
      const info = convInfo(x, filter, a);
      const strides: [number, number] = [info.strideHeight, info.strideWidth];
      const dy4 = dy as tf.Tensor4D;
      return {
        x: () => conv2dInputGradient(x.shape, dy4, filter, strides, info.padInfo),
        filter: () => conv2dFilterGradient(x, dy4, filter.shape, strides, info.padInfo),
      };
    },
  });
  installed = true;
}
