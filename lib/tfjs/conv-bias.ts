/**
 * Convolution plus bias as one `FusedConv2D` kernel, with a gradient made of forward convolutions.
 *
 * Why: on WASM a separate bias `Add` of a [128,28,28,C] activation costs ~2 ms (broadcasting is a
 * slow path there) and its gradient, a `Sum` over the non-trailing axes (N,H,W), transposes first
 * (~3 ms); the fused kernel adds the bias inside XNNPACK's convolution for free. `tf.fused.conv2d`
 * cannot be used for training on WASM because its built-in gradient calls Conv2DBackpropFilter,
 * which WASM lacks. So this module runs the kernel directly and registers a gradient for the
 * `FusedConv2D` kernel (only reachable this way: `tf.fused.conv2d` wraps the kernel in its own
 * customGrad, so it never records a `FusedConv2D` tape node and is unaffected).
 *
 * A kernel gradient (not tf.customGrad) is used because kernel gradients are lazy per input: the
 * input gradient of the UNet's first convolution, whose input is data, is never computed.
 *
 *   dx = conv2dInputGradient, dW = conv2dFilterGradient (conv-gradients.ts),
 *   db = Ho*Wo * sum_N avgPool(dy over Ho x Wo)   (~10x faster on WASM than Sum over N,H,W)
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGradient, conv2dInputGradient, FORWARD_CONV_GRADIENT_BACKENDS } from './conv-gradients';

export type ConvPad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface FusedConv2DAttrs {
  strides: [number, number] | number;
  pad: ConvPad;
  dataFormat: 'NHWC';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: string;
  leakyreluAlpha?: number;
}

/**
 * Sum of dy [N,H,W,C] over N, H and W, as H*W times the sum over N of per-image spatial means.
 * `avgPool` over the whole H x W window is NHWC-native in XNNPACK; `sum` over the leading axes
 * transposes the whole tensor first on WASM, and a ones-row matMul packs all of dy as weights.
 */
export function sumToChannels(dy: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, h, w, c] = dy.shape;
    const means = tf.reshape(tf.avgPool(dy, [h, w], 1, 'valid'), [n, c]);
    return tf.mul(tf.sum(means, 0), h * w) as tf.Tensor1D;
  });
}

let installed = false;

/** Registers the forward-convolution gradient of the `FusedConv2D` kernel (bias, no activation). Idempotent. */
export function installConvBiasGradient(): void {
  if (installed) return;
  if (tf.getGradient('FusedConv2D')) tf.unregisterGradient('FusedConv2D');
  tf.registerGradient({
    kernelName: 'FusedConv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as FusedConv2DAttrs;
      if (a.activation !== 'linear') throw new Error(`FusedConv2D gradient: only the linear activation is supported, got ${a.activation}`);
      const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, a.dilations, a.pad as never, a.dimRoundingMode);
      if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('FusedConv2D gradient: dilation must be 1');
      const strides: [number, number] = [info.strideHeight, info.strideWidth];
      const dy4 = dy as tf.Tensor4D;
      return {
        x: () => conv2dInputGradient(x.shape, dy4, filter, strides, info.padInfo),
        filter: () => conv2dFilterGradient(x, dy4, filter.shape, strides, info.padInfo),
        bias: () => sumToChannels(dy4),
      };
    },
  });
  installed = true;
}

/**
 * conv2d(x, w) + b, NHWC, dilation 1. On the forward-conv-gradient backends (WASM) this is one
 * FusedConv2D kernel with the gradient above; elsewhere it is `tf.fused.conv2d`, whose native
 * gradient those backends can run.
 */
export function convBias(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, strides: number | [number, number], pad: ConvPad): tf.Tensor4D {
  if (!FORWARD_CONV_GRADIENT_BACKENDS.has(tf.getBackend())) {
    return tf.fused.conv2d({ x, filter: w, bias: b, strides, pad });
  }
  installConvBiasGradient();
  const attrs: FusedConv2DAttrs = { strides, pad, dataFormat: 'NHWC', dilations: 1, activation: 'linear' };
  return tf.engine().runKernel('FusedConv2D', { x, filter: w, bias: b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
