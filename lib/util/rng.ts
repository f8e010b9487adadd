/**
 * Seeded, counter-based randomness. Every random draw of a training step is a pure function of
 * (seed, purpose, step), so resuming from a checkpoint reproduces the uninterrupted run exactly
 * without serialising generator internals.
 */
import seedrandom from 'seedrandom';

export type Rng = () => number;

/** A uniform [0,1) generator for one (seed, ...keys) stream. */
export function streamRng(seed: number, ...keys: (string | number)[]): Rng {
  return seedrandom.alea(`${seed}:${keys.join(':')}`);
}

/** Integer seed in [0, 2^31) for TF.js ops that take a numeric seed (dropout, randomNormal). */
export function streamSeed(seed: number, ...keys: (string | number)[]): number {
  return Math.floor(streamRng(seed, ...keys)() * 2 ** 31);
}

/** Standard normals by Box-Muller, float32. */
export function fillNormal(out: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    let u = rng();
    while (u <= 1e-12) u = rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * `count` items of `d` standard normals, item i drawn from its own stream (seed, ...keys, first + i),
 * so any item is reproducible alone, whatever batch it is drawn in.
 */
export function itemNormals(count: number, d: number, seed: number, keys: readonly (string | number)[], first: number): Float32Array {
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++) fillNormal(out.subarray(i * d, (i + 1) * d), streamRng(seed, ...keys, first + i));
  return out;
}

/** Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
