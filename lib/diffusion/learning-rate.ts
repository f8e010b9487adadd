/**
 * The learning rate at each training step: the base rate, times a linear warm-up, times an
 * optional cosine annealing to zero over the run.
 *
 *   lr(n) = lr * min(1, (n + 1) / warmupSteps) * (cosine ? (1 + cos(pi n / N)) / 2 : 1)
 *
 * n is the 0-based step, N the run's `iterations`. The paper trains at a constant 2e-4 for 800k
 * steps; a CPU zoo trained a few thousand steps samples better when the rate is annealed, so the
 * CPU profiles may use `cosine` (listed as a deviation in their YAML). Because the cosine depends
 * on N, a cosine run's checkpoint can only be resumed with the same `iterations`.
 * reference/pytorch/torch_scout.py implements the same formula for the PyTorch scout.
 */
export type LearningRateDecay = 'constant' | 'cosine';

export const LEARNING_RATE_DECAYS: readonly LearningRateDecay[] = ['constant', 'cosine'];

export function learningRateAt(lr: number, decay: LearningRateDecay, warmupSteps: number, step: number, iterations: number): number {
  const warm = warmupSteps > 0 ? Math.min(1, (step + 1) / warmupSteps) : 1;
  const anneal = decay === 'cosine' ? 0.5 * (1 + Math.cos((Math.PI * step) / iterations)) : 1;
  return lr * warm * anneal;
}
