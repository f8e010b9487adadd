/**
 * Predictor scores of every schedule the search has seen, so no schedule is scored twice, and the
 * batched call that fills it. The official search asks its predictor one schedule at a time
 * (method doc §8); here each generation's unseen schedules go to the predictor in one call.
 */
import { KitError } from '../util/errors';

/**
 * The predictor as the search sees it: a score per schedule, lower = better (predicted FID rank).
 * It gets a batch of schedules (official integer lists, copies it may keep) and returns one finite
 * number per schedule, in the same order, directly or as a promise.
 */
export type ScoreFunction = (schedules: number[][]) => number[] | Promise<number[]>;

/**
 * An exact, compact key of a schedule: one UTF-16 code unit per entry. Cheaper than joining the
 * numbers into a string and, unlike a numeric hash, free of collisions.
 */
export function scheduleKey(entries: readonly number[]): string {
  return String.fromCharCode.apply(null, entries as number[]);
}

export class ScoreCache {
  private readonly scores = new Map<string, number>();

  constructor(private readonly score: ScoreFunction) {}

  /** How many distinct schedules have been scored. */
  get size(): number {
    return this.scores.size;
  }

  get(key: string): number | undefined {
    return this.scores.get(key);
  }

  /**
   * Scores the schedules whose keys are not cached yet (each distinct one once) in a single call
   * and caches the results; does not call the predictor when all are known.
   */
  async scoreUnseen(items: readonly { key: string; entries: readonly number[] }[]): Promise<void> {
    const batch: { key: string; entries: readonly number[] }[] = [];
    const inBatch = new Set<string>();
    for (const item of items) {
      if (this.scores.has(item.key) || inBatch.has(item.key)) continue;
      inBatch.add(item.key);
      batch.push(item);
    }
    if (batch.length === 0) return;
    const result = await this.score(batch.map((b) => b.entries.slice()));
    if (!Array.isArray(result) || result.length !== batch.length) {
      throw new KitError(`the score function returned ${Array.isArray(result) ? `${result.length} scores` : String(result)} for ${batch.length} schedules`, {
        hint: 'it must return one number per schedule, in the order given',
      });
    }
    batch.forEach((b, i) => {
      const s = result[i];
      if (typeof s !== 'number' || !Number.isFinite(s)) {
        throw new KitError(`the score function returned ${String(s)} for schedule [${b.entries.join(', ')}]`, {
          hint: 'scores must be finite numbers (lower = better); check the predictor for NaN outputs',
        });
      }
      this.scores.set(b.key, s);
    });
  }
}

/** `children` cut so that scoring them takes the cache to at most `limit` schedules (cached ones stay). */
export function withinScoreLimit<T extends { key: string }>(children: T[], cache: ScoreCache, limit: number): T[] {
  let room = limit - cache.size;
  return children.filter((c) => {
    if (cache.get(c.key) !== undefined) return true;
    if (room <= 0) return false;
    room--;
    return true;
  });
}
