/**
 * Exponential moving average of the weights, the copy that samples (method doc §2: rate 0.9999).
 * With `warmup`, decay = min(rate, (1 + step) / (10 + step)): at CPU-scale training lengths a
 * 0.9999 average would still sit near the random initialisation (cpu-scale-evidence.md), so the
 * CPU profiles use it and list it as a deviation.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The decay of the EMA update after training step `step` (0-based: the trainer's first update uses
 * step 0, decay 0.1 with warm-up). With warm-up it reaches `rate` only at step
 * (10 rate - 1) / (1 - rate): 0.999 at step 8990 (8991 / 9000), 0.9999 at step 89990.
 */
export function emaDecay(rate: number, warmup: boolean, step: number): number {
  return warmup ? Math.min(rate, (1 + step) / (10 + step)) : rate;
}

/**
 * The effective decay at the end of a run of `iterations` training steps: that of its last update
 * (step iterations - 1), i.e. min(rate, iterations / (iterations + 9)) with warm-up. The same
 * formula as the trainer (`emaDecay`), so it is what the EMA weights of such a run last used: e.g.
 * 0.9940, 0.9970 and 0.9978 after 1500, 3000 and 4000 steps at rate 0.999 with warm-up.
 */
export function finalEmaDecay(rate: number, warmup: boolean, iterations: number): number {
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`training iterations must be a positive integer, got ${iterations}`);
  return emaDecay(rate, warmup, iterations - 1);
}

export function updateEma(ema: Map<string, tf.Variable>, params: Map<string, tf.Variable>, decay: number): void {
  tf.tidy(() => {
    for (const [name, p] of params) {
      const e = ema.get(name)!;
      e.assign(tf.add(tf.mul(e, decay), tf.mul(p, 1 - decay)));
    }
  });
}
