/**
 * Concatenation of two NHWC tensors along channels, with a cheap gradient.
 *
 * Why: the WASM `Concat` kernel copies row by row from JavaScript, and a channel concat of
 * [128,28,28,C] tensors has 100k rows (~12 ms); its gradient, `SplitV`, slices channels the same
 * way (~20-35 ms per UNet skip connection). Here, with P = N*H*W pixel rows:
 *
 *   forward   pad(a, channels [0, Cb]) + pad(b, channels [Ca, 0])      (XNNPACK pads: ~5 ms)
 *   backward  da = dy[P, C] . I[C, :Ca],  db = dy[P, C] . I[C, Ca:]     (two thin matMuls: ~5 ms)
 *
 * Both are exact: adding zeros and multiplying by 0/1 selection matrices round nothing.
 */
import * as tf from '@tensorflow/tfjs';

/** concat([a, b], 3) for a: [N,H,W,Ca], b: [N,H,W,Cb]. */
export function concatChannels(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, ca] = a.shape;
  const cb = b.shape[3];
  if (b.shape[0] !== n || b.shape[1] !== h || b.shape[2] !== w) {
    throw new Error(`concatChannels: shapes [${a.shape}] and [${b.shape}] differ outside the channel axis`);
  }
  const c = ca + cb;
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [aIn, bIn] = inputs as [tf.Tensor4D, tf.Tensor4D];
    const value = tf.add(
      tf.pad(aIn as tf.Tensor4D, [[0, 0], [0, 0], [0, 0], [0, cb]]),
      tf.pad(bIn as tf.Tensor4D, [[0, 0], [0, 0], [0, 0], [ca, 0]]),
    ) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const rows = tf.reshape(dy, [n * h * w, c]);
      const eye = tf.eye(c);
      const da = tf.matMul(rows, tf.slice(eye, [0, 0], [c, ca]));
      const db = tf.matMul(rows, tf.slice(eye, [0, ca], [c, cb]));
      return [tf.reshape(da, [n, h, w, ca]), tf.reshape(db, [n, h, w, cb])];
    };
    return { value, gradFunc };
  });
  return op(a, b) as tf.Tensor4D;
}
