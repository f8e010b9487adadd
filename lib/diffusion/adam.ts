/**
 * Adam with PyTorch's update rule (what the official code trains with), written out so that its
 * whole state is (step, m, v) and a resumed run is bit-identical to an uninterrupted one.
 * (TF.js's AdamOptimizer keeps beta^t as a running float32 product but restores it with pow(),
 * which differs in the last bits.)
 *
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamConfig { lr: number; beta1: number; beta2: number; eps: number }

export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(readonly config: AdamConfig, params: Map<string, tf.Variable>) {
    for (const [name, p] of params) {
      // tidy disposes the zerosLike temporaries; the variables keep their data
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }

  /** One update at 1-based step `t` with learning rate `lr` (after any warm-up). */
  apply(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, t: number, lr: number): void {
    const { beta1, beta2, eps } = this.config;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const stepSize = lr / bc1;
    const invSqrtBc2 = 1 / Math.sqrt(bc2);
    tf.tidy(() => {
      for (const [name, p] of params) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m1);
        v.assign(v1);
        const denom = tf.add(tf.mul(tf.sqrt(v1), invSqrtBc2), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m1, denom), stepSize)));
      }
    });
  }
}
