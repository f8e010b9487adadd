/**
 * A synthetic predictor with a known constrained optimum, for testing the search without a trained
 * predictor: score(schedule) = sum over positions p of table[p][schedule[p]], and with integer
 * latencies the best score under a budget is found exactly by dynamic programming over cost.
 */
import { streamRng } from '../../lib/util/rng';
import { GROUP_SIZE, SolverName } from '../../lib/schedule/index';

export type ScoreTable = number[][];

/**
 * table[p][m]: 0 for the null model; for model m >= 1 a negative value that grows in size with m
 * plus noise, so heavier models are usually better and a tight budget forces real trade-offs.
 */
export function makeTable(length: number, numModels: number, seed: number): ScoreTable {
  const rng = streamRng(seed, 'synthetic-table');
  return Array.from({ length }, () => [0, ...Array.from({ length: numModels }, (_, i) => -((i + 1) * 0.6 + 1.5 * rng()))]);
}

export function tableScore(table: ScoreTable, entries: readonly number[]): number {
  let s = 0;
  for (let p = 0; p < entries.length; p++) s += table[p][entries[p]];
  return s;
}

/** Every packed content of one DPM-Solver group: [] (inactive), [a], [a, b], [a, b, c]. */
function groupContents(numModels: number): number[][] {
  const out: number[][] = [[]];
  for (let k = 1; k <= GROUP_SIZE; k++) {
    const prev = out.filter((c) => c.length === k - 1);
    for (const c of prev) for (let m = 1; m <= numModels; m++) out.push([...c, m]);
  }
  return out;
}

/**
 * The lowest table score of a valid schedule costing at most `budget`, for integer latencies
 * (knapsack DP over units: DDIM positions or DPM-Solver groups). Schedules with no NFE are left out.
 */
export function optimumUnderBudget(solver: SolverName, table: ScoreTable, latency: readonly number[], budget: number): number {
  const L = table.length;
  const N = latency.length - 1;
  // Each unit is a list of options {cost, score, active}.
  const units: { cost: number; score: number; active: boolean }[][] = [];
  if (solver === 'ddim') {
    for (let p = 0; p < L; p++) units.push(Array.from({ length: N + 1 }, (_, m) => ({ cost: latency[m], score: table[p][m], active: m !== 0 })));
  } else {
    const contents = groupContents(N);
    for (let g = 0; g < L / GROUP_SIZE; g++) {
      units.push(
        contents.map((c) => ({
          cost: c.reduce((a, m) => a + latency[m], 0),
          score: c.reduce((a, m, j) => a + table[g * GROUP_SIZE + j][m], 0),
          active: c.length > 0,
        })),
      );
    }
  }
  const C = Math.floor(budget);
  // best[a][c]: lowest score with cost exactly c, a = 1 when some NFE is present.
  let best = [new Array<number>(C + 1).fill(Infinity), new Array<number>(C + 1).fill(Infinity)];
  best[0][0] = 0;
  for (const options of units) {
    const next = [new Array<number>(C + 1).fill(Infinity), new Array<number>(C + 1).fill(Infinity)];
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c <= C; c++) {
        if (best[a][c] === Infinity) continue;
        for (const o of options) {
          const c2 = c + o.cost;
          if (c2 > C) continue;
          const a2 = a === 1 || o.active ? 1 : 0;
          next[a2][c2] = Math.min(next[a2][c2], best[a][c] + o.score);
        }
      }
    }
    best = next;
  }
  return Math.min(...best[1]);
}
