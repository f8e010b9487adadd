/**
 * The answer of the whole-front search (front-search.ts): for every budget C of a grid, the
 * best-scored schedules seen so far that cost at most C. A front search's population keeps a
 * spread of trade-offs and forgets schedules as it moves on, so the picks are kept here, apart
 * from it: every scored schedule is offered, and a budget keeps it while it is among that budget's
 * `size` best. The kept lists play the part of the per-budget search's final population (best
 * first, distinct, cost <= C), so a front can re-rank the top few of each exactly as before.
 *
 * Distinct means distinct by `identity`: by default the exact list, and in the front search the
 * sampler (schedule/sampler-key.ts), because a DPM-Solver schedule's copies in other groups would
 * otherwise fill a budget's list with one sampler (mnist's DPM-Solver front at 114 ms: every kept
 * schedule was one sampler). Of two schedules with one identity the better-scored is kept.
 */

/** A scored schedule as the archive keeps it. */
export interface ArchivedSchedule {
  entries: readonly number[];
  /** scheduleKey(entries) */
  key: string;
  /** Predicted score, lower = better. */
  score: number;
  cost: number;
}

export class BudgetArchive {
  /** The grid, ascending and distinct. */
  readonly budgets: readonly number[];
  private readonly kept: ArchivedSchedule[][];
  private readonly keys: Map<string, ArchivedSchedule>[];

  /**
   * `budgets` must be ascending and distinct; `size` is how many schedules each budget keeps;
   * `identity` says which schedules count as one (default: the same `key`).
   */
  constructor(budgets: readonly number[], readonly size: number, private readonly identity: (s: ArchivedSchedule) => string = (s) => s.key) {
    for (let b = 1; b < budgets.length; b++) {
      if (!(budgets[b] > budgets[b - 1])) throw new Error(`budget archive: budgets must ascend, got [${budgets.join(', ')}]`);
    }
    if (!Number.isInteger(size) || size < 1) throw new Error(`budget archive: size must be a positive integer, got ${size}`);
    this.budgets = budgets.slice();
    this.kept = budgets.map(() => []);
    this.keys = budgets.map(() => new Map<string, ArchivedSchedule>());
  }

  /**
   * Keeps `s` at every budget it fits (cost <= budget) where it is among the `size` best and no
   * schedule of its identity is kept with a score as good. On equal scores the schedule offered
   * first stays ahead, as in the per-budget search's stable sort.
   */
  offer(s: ArchivedSchedule): void {
    const id = this.identity(s);
    for (let b = this.budgets.length - 1; b >= 0 && s.cost <= this.budgets[b]; b--) {
      const list = this.kept[b];
      if (list.length === this.size && s.score >= list[list.length - 1].score) continue;
      const keys = this.keys[b];
      const same = keys.get(id);
      if (same !== undefined) {
        if (same.score <= s.score) continue;
        list.splice(list.indexOf(same), 1);
      }
      // First position whose score is larger than s.score: after the equal ones.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].score <= s.score) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, s);
      keys.set(id, s);
      if (list.length > this.size) keys.delete(this.identity(list.pop() as ArchivedSchedule));
    }
  }

  /** The schedules kept for budget number `b` of the grid, best first. */
  at(b: number): readonly ArchivedSchedule[] {
    return this.kept[b];
  }

  /** The best score kept for each budget (Infinity where nothing fits yet). */
  bestScores(): number[] {
    return this.kept.map((list) => (list.length > 0 ? list[0].score : Infinity));
  }
}
