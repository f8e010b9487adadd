/**
 * The whole-front search against the per-budget loop at equal predictor work, on the synthetic
 * additive oracle (synthetic.ts), whose exact optimum under each budget is known by dynamic
 * programming.
 *
 * Setting: DPM-Solver, L = 90 (the official CIFAR-10 length), a zoo of 6 with integer latencies
 * [2, 3, 4, 6, 8, 11] (about the ratios of the kit's measured zoo, 11.5..83 ms, made integer so the
 * optimum is exact), and the front's default grid rule for 5 budgets (3 NFEs of the cheapest model
 * to 20 of the dearest, geometric: 6, 14.8, 36.3, 89.4, 220) rounded to integers: 6, 15, 36, 89, 220.
 *
 * The comparison, per seed:
 *   - per-budget: evolutionarySearch at each of the 5 budgets, 300 generations, official settings
 *     otherwise; its pick at C is its best-scored schedule. Predictor work W = the number of
 *     schedules handed to the score function over the 5 runs (each run scores a schedule at most
 *     once; the runs do not share scores, as in the front's current per-budget loop);
 *   - whole-front: frontSearch over the same grid with the same seed and default settings,
 *     stopped by maxScored = W, so it hands the score function at most W schedules, counted the
 *     same way (asserted equal); its pick at C is its best-scored schedule costing <= C.
 * Both use the oracle as the predictor, so a pick's score is its true value (lower = better).
 *
 * Measured with this file's settings (the default polishShare 0.3) on seeds 1..8: the whole-front
 * pick is worse at 6 of the 40 (budget, seed) pairs; its mean distance to the exact optimum is
 * lower at each of the 5 budgets (0.34 / 2.48 / 5.73 / 5.59 / 3.01% against 3.82 / 5.79 / 6.88 /
 * 6.34 / 4.50%; 3.43% against 5.46% over the budgets). Pair by pair the two searches end in
 * different local optima, so "never worse" does not hold seed by seed; the statement tested below
 * is per budget, over the seeds of this file (1..3), and on seeds 9..16 (not used to choose
 * polishShare) it holds too (2.86% against 5.47% over the budgets). The oracle scores DPM-Solver
 * groups by position, where the kit's predictor and sampler do not (a schedule's copies in other
 * groups are one sampler); the whole-front search keeps one schedule per sampler in its budget
 * archive, the better-scored, which costs it a little here (before: 3.26% and 2.91%).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evolutionarySearch, frontSearch } from '../../lib/search/index';
import { makeTable, optimumUnderBudget, tableScore } from './synthetic';

const SOLVER = 'dpm-solver' as const;
const LENGTH = 90;
const LATENCY = [0, 2, 3, 4, 6, 8, 11];
const NUM_MODELS = LATENCY.length - 1;
const BUDGETS = [6, 15, 36, 89, 220];
const GENERATIONS_PER_BUDGET = 300;
const SEEDS = [1, 2, 3];

interface Row { seed: number; budget: number; perBudget: number; wholeFront: number; optimum: number }
interface SeedRun { seed: number; perBudgetScored: number; wholeFrontScored: number; rows: Row[] }

async function compare(seed: number): Promise<SeedRun> {
  const table = makeTable(LENGTH, NUM_MODELS, seed);
  let scored = 0;
  const score = (xs: number[][]): number[] => {
    scored += xs.length;
    return xs.map((x) => tableScore(table, x));
  };
  const common = { solver: SOLVER, length: LENGTH, numModels: NUM_MODELS, latency: LATENCY, seed, score };
  const perBudget: number[] = [];
  for (const budget of BUDGETS) {
    const [best] = await evolutionarySearch({ ...common, budget, settings: { generations: GENERATIONS_PER_BUDGET } });
    perBudget.push(best.score);
  }
  const perBudgetScored = scored;
  scored = 0;
  const front = await frontSearch({ ...common, budgets: BUDGETS, settings: { generations: 1_000_000, maxScored: perBudgetScored } });
  const wholeFrontScored = scored;
  const rows = BUDGETS.map((budget, b) => ({
    seed,
    budget,
    perBudget: perBudget[b],
    wholeFront: front.byBudget[b].population[0].score,
    optimum: optimumUnderBudget(SOLVER, table, LATENCY, budget),
  }));
  return { seed, perBudgetScored, wholeFrontScored, rows };
}

let runs: Promise<SeedRun[]> | undefined;
/** The comparison runs once for all tests of this file. */
const allRuns = (): Promise<SeedRun[]> => (runs ??= (async () => {
  const out: SeedRun[] = [];
  for (const seed of SEEDS) out.push(await compare(seed));
  return out;
})());

const gap = (value: number, optimum: number): number => (value - optimum) / Math.abs(optimum);
const line = (r: Row): string =>
  `seed ${r.seed} C=${r.budget}: per-budget ${r.perBudget.toFixed(3)}, whole-front ${r.wholeFront.toFixed(3)}, optimum ${r.optimum.toFixed(3)}${r.wholeFront > r.perBudget ? '  <- whole-front worse' : ''}`;
const formatRows = (rows: Row[]): string => rows.map(line).join('\n');

test('equal predictor work: the whole-front search scores exactly as many schedules as the 5 per-budget searches together', async (t) => {
  for (const run of await allRuns()) {
    t.diagnostic(`seed ${run.seed}: per-budget ${run.perBudgetScored} schedules scored, whole-front ${run.wholeFrontScored}`);
    assert.equal(run.wholeFrontScored, run.perBudgetScored);
  }
});

test('no pick beats the exact optimum (the oracle and both searches agree on what fits)', async () => {
  for (const r of (await allRuns()).flatMap((run) => run.rows)) {
    assert.ok(r.perBudget >= r.optimum - 1e-9 && r.wholeFront >= r.optimum - 1e-9, formatRows([r]));
  }
});

test('whole-front picks are closer to the optimum on average, for every seed', async (t) => {
  const all = (await allRuns()).flatMap((run) => run.rows);
  for (const r of all) t.diagnostic(line(r));
  for (const seed of SEEDS) {
    const rows = all.filter((r) => r.seed === seed);
    const mean = (f: (r: Row) => number): number => rows.reduce((a, r) => a + f(r), 0) / rows.length;
    const perBudget = mean((r) => gap(r.perBudget, r.optimum));
    const wholeFront = mean((r) => gap(r.wholeFront, r.optimum));
    t.diagnostic(`seed ${seed}: mean distance to the optimum, per-budget ${(100 * perBudget).toFixed(2)}%, whole-front ${(100 * wholeFront).toFixed(2)}%`);
    assert.ok(wholeFront < perBudget, `seed ${seed}: whole-front ${wholeFront} vs per-budget ${perBudget}`);
  }
});

test('at every budget the whole-front pick is nearer the optimum than the per-budget pick, on average over the seeds', async (t) => {
  const all = (await allRuns()).flatMap((run) => run.rows);
  const worse = all.filter((r) => r.wholeFront > r.perBudget);
  t.diagnostic(`pair by pair the whole-front pick is worse at ${worse.length} of ${all.length}${worse.length ? `:\n${formatRows(worse)}` : ''}`);
  for (const budget of BUDGETS) {
    const rows = all.filter((r) => r.budget === budget);
    const mean = (f: (r: Row) => number): number => rows.reduce((a, r) => a + f(r), 0) / rows.length;
    const perBudget = mean((r) => gap(r.perBudget, r.optimum));
    const wholeFront = mean((r) => gap(r.wholeFront, r.optimum));
    t.diagnostic(`C = ${budget}: mean distance to the optimum, per-budget ${(100 * perBudget).toFixed(2)}%, whole-front ${(100 * wholeFront).toFixed(2)}%`);
    assert.ok(wholeFront <= perBudget, `C = ${budget}: whole-front ${wholeFront} vs per-budget ${perBudget}\n${formatRows(rows)}`);
  }
});
