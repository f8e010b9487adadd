/**
 * Tournament selection, shared by the per-budget search (evolution.ts: lower predicted score wins)
 * and the whole-front search (crowded-selection.ts: Deb's crowded comparison).
 */
import type { Rng } from '../util/rng';

/**
 * The preferred of `size` distinct random members under `better(a, b)` ("a is preferred to b"),
 * or of all of them when the population is not larger than `size` (as in the official code); on a
 * tie the one drawn first.
 */
export function tournament<T>(population: readonly T[], size: number, rng: Rng, better: (a: T, b: T) => boolean): T {
  const n = population.length;
  if (n <= size) {
    let best = population[0];
    for (const m of population) if (better(m, best)) best = m;
    return best;
  }
  const drawn: number[] = [];
  let best: T | undefined;
  while (drawn.length < size) {
    const i = Math.floor(rng() * n);
    if (drawn.includes(i)) continue;
    drawn.push(i);
    if (best === undefined || better(population[i], best)) best = population[i];
  }
  return best as T;
}
