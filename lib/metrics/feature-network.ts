/**
 * The FID feature network for the offline datasets (MNIST, Fashion-MNIST), where no Inception
 * weights can be downloaded: a small CNN classifier trained on the dataset's labels, whose
 * penultimate layer (64-d) gives the features. FIDs computed with it are comparable only with each
 * other, and every result names it (ecosystem.md: "a feature network trained on the dataset's
 * labels is the honest choice").
 *
 *   x [B,H,W,C] in [-1,1] -> conv3x3(32) relu -> maxpool2 -> conv3x3(64) relu -> maxpool2
 *     -> dense(128) relu -> dense(64) relu  = features [B,64] -> dense(classes) = logits
 */
import * as tf from '@tensorflow/tfjs';
import { toModelInput } from '../data/batch';

export const FEATURE_DIM = 64;

export interface FeatureNetArch { height: number; width: number; channels: number; classes: number }

export interface FeatureParamSpec { name: string; shape: number[]; fanIn: number }

export function featureNetParams(a: FeatureNetArch): FeatureParamSpec[] {
  const flat = Math.floor(Math.floor(a.height / 2) / 2) * Math.floor(Math.floor(a.width / 2) / 2) * 64;
  return [
    { name: 'conv1.w', shape: [3, 3, a.channels, 32], fanIn: 9 * a.channels },
    { name: 'conv1.b', shape: [32], fanIn: 9 * a.channels },
    { name: 'conv2.w', shape: [3, 3, 32, 64], fanIn: 9 * 32 },
    { name: 'conv2.b', shape: [64], fanIn: 9 * 32 },
    { name: 'fc1.w', shape: [flat, 128], fanIn: flat },
    { name: 'fc1.b', shape: [128], fanIn: flat },
    { name: 'fc2.w', shape: [128, FEATURE_DIM], fanIn: 128 },
    { name: 'fc2.b', shape: [FEATURE_DIM], fanIn: 128 },
    { name: 'head.w', shape: [FEATURE_DIM, a.classes], fanIn: FEATURE_DIM },
    { name: 'head.b', shape: [a.classes], fanIn: FEATURE_DIM },
  ];
}

export type FeatureParams = Record<string, tf.Tensor>;

/** Penultimate features [B, 64]. */
export function featureNetFeatures(p: FeatureParams, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let h = tf.relu(tf.add(tf.conv2d(x, p['conv1.w'] as tf.Tensor4D, 1, 'same'), p['conv1.b'])) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.relu(tf.add(tf.conv2d(h, p['conv2.w'] as tf.Tensor4D, 1, 'same'), p['conv2.b'])) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    const f1 = tf.relu(tf.add(tf.matMul(flat, p['fc1.w'] as tf.Tensor2D), p['fc1.b'])) as tf.Tensor2D;
    return tf.relu(tf.add(tf.matMul(f1, p['fc2.w'] as tf.Tensor2D), p['fc2.b'])) as tf.Tensor2D;
  });
}

/** `head` applied to `count` uint8 NHWC images (h x w x c), `batch` images per pass: [count * width]. */
async function batched(head: (x: tf.Tensor4D) => tf.Tensor2D, width: number, images: Uint8Array, count: number, h: number, w: number, c: number, batch: number): Promise<Float32Array> {
  const out = new Float32Array(count * width);
  const d = h * w * c;
  for (let s = 0; s < count; s += batch) {
    const n = Math.min(batch, count - s);
    const x = tf.tensor4d(toModelInput(images.subarray(s * d, (s + n) * d), n, h, w, c), [n, h, w, c]);
    const f = head(x);
    out.set(await f.data(), s * width);
    tf.dispose([x, f]);
  }
  return out;
}

/** Penultimate features of `count` uint8 NHWC images (h x w x c), `batch` images per pass: [count * 64]. */
export function featureNetBatchedFeatures(p: FeatureParams, images: Uint8Array, count: number, h: number, w: number, c: number, batch = 500): Promise<Float32Array> {
  return batched((x) => featureNetFeatures(p, x), p['fc2.b'].shape[0], images, count, h, w, c, batch);
}

/** Class probabilities (softmax of the logits) of `count` uint8 NHWC images: [count * classes]. */
export function featureNetBatchedProbabilities(p: FeatureParams, images: Uint8Array, count: number, h: number, w: number, c: number, batch = 500): Promise<Float32Array> {
  return batched((x) => tf.tidy(() => tf.softmax(featureNetLogits(p, x))), p['head.b'].shape[0], images, count, h, w, c, batch);
}

/** Class logits [B, classes]. */
export function featureNetLogits(p: FeatureParams, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(featureNetFeatures(p, x), p['head.w'] as tf.Tensor2D), p['head.b']) as tf.Tensor2D);
}
