/**
 * Small timing helpers shared by the benchmark parts: medians and spreads of repeated timings,
 * and a timer for an async action repeated after warm-up runs.
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function spread(xs: readonly number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}

export interface Timed { medianMs: number; spreadMs: [number, number]; samples: number }

/** Runs `action` `warmup` times untimed, then `repeats` times timed (ms, wall clock). */
export async function timeRepeated(action: () => Promise<unknown> | unknown, repeats: number, warmup = 1): Promise<Timed> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer, got ${repeats}`);
  for (let i = 0; i < warmup; i++) await action();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await action();
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), spreadMs: spread(times), samples: times.length };
}

/** Seconds taken by `action` (one run). */
export async function secondsOf<T>(action: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await action();
  return { seconds: (performance.now() - t0) / 1000, value };
}
