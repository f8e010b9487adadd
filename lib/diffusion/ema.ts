/**
 * Exponential moving average of the weights, the copy that samples (method doc §2: rate 0.9999).
 * With `warmup`, decay = min(rate, (1 + step) / (10 + step)): at CPU-scale training lengths a
 * 0.9999 average would still sit near the random initialisation (cpu-scale-evidence.md), so the
 * CPU profiles use it and list it as a deviation.
 */
import * as tf from '@tensorflow/tfjs';

export function emaDecay(rate: number, warmup: boolean, step: number): number {
  return warmup ? Math.min(rate, (1 + step) / (10 + step)) : rate;
}

export function updateEma(ema: Map<string, tf.Variable>, params: Map<string, tf.Variable>, decay: number): void {
  tf.tidy(() => {
    for (const [name, p] of params) {
      const e = ema.get(name)!;
      e.assign(tf.add(tf.mul(e, decay), tf.mul(p, 1 - decay)));
    }
  });
}
