/**
 * The whole-front search (lib/search/front-search.ts): one NSGA-II run answering every budget of a
 * grid. Validity of everything it scores and picks, determinism, the score limit, and the KitErrors
 * for bad input. Its quality against the per-budget search is in front-vs-per-budget.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SolverName, scheduleCost, validateSchedule } from '../../lib/schedule/index';
import { FrontGenerationReport, FrontSearchOptions, frontSearch } from '../../lib/search/index';
import { KitError } from '../../lib/util/errors';
import { makeTable, tableScore } from './synthetic';

const LATENCY = [0, 1, 2, 3];

function options(solver: SolverName, length: number, budgets: number[], seed: number, extra: Partial<FrontSearchOptions> = {}): FrontSearchOptions {
  const table = makeTable(length, 3, 200 + length);
  return {
    solver,
    length,
    numModels: 3,
    latency: LATENCY,
    budgets,
    seed,
    score: (xs) => xs.map((x) => tableScore(table, x)),
    settings: { generations: 60 },
    ...extra,
  };
}

test('every scored schedule is valid and within the largest budget; every pick is valid, fits its budget, sorted and distinct', async () => {
  for (const [solver, length, budgets] of [['dpm-solver', 30, [6, 12, 20, 28]], ['ddim', 40, [5, 15, 35]]] as const) {
    const seen: number[][] = [];
    const base = options(solver, length, [...budgets], 4);
    const result = await frontSearch({
      ...base,
      score: (xs) => {
        seen.push(...xs);
        return base.score(xs) as number[];
      },
    });
    assert.ok(seen.length > 300, `${seen.length} schedules scored`);
    const largest = budgets[budgets.length - 1];
    for (const x of seen) {
      validateSchedule(solver, x, 3, length); // throws on a broken packing rule
      assert.ok(scheduleCost(x, LATENCY) <= largest);
    }
    assert.deepEqual(result.byBudget.map((p) => p.budget), budgets);
    result.byBudget.forEach(({ budget, population }) => {
      // At most the archive size (40); a small budget may have seen fewer schedules that fit it.
      assert.ok(population.length >= 1 && population.length <= 40, `budget ${budget}: ${population.length} picks`);
      for (const r of population) {
        validateSchedule(solver, r.schedule, 3, length);
        assert.equal(r.cost, scheduleCost(r.schedule, LATENCY));
        assert.ok(r.cost <= budget, `budget ${budget}: pick costs ${r.cost}`);
        assert.equal(r.nfe, r.schedule.filter((m) => m !== 0).length);
        assert.equal(r.score, (base.score([r.schedule]) as number[])[0]);
      }
      for (let i = 1; i < population.length; i++) assert.ok(population[i - 1].score <= population[i].score);
      assert.equal(new Set(population.map((r) => r.schedule.join(','))).size, population.length);
    });
    assert.equal(result.byBudget[budgets.length - 1].population.length, 40, 'the largest budget keeps a full archive');
    // A larger budget admits every schedule a smaller one does, so its best is no worse.
    for (let b = 1; b < budgets.length; b++) assert.ok(result.byBudget[b].population[0].score <= result.byBudget[b - 1].population[0].score);
  }
});

test('same seed -> the same picks at every budget; a different seed -> different ones; budget order does not matter', async () => {
  const a = await frontSearch(options('dpm-solver', 30, [6, 12, 20, 28], 7));
  const b = await frontSearch(options('dpm-solver', 30, [6, 12, 20, 28], 7));
  const shuffled = await frontSearch(options('dpm-solver', 30, [20, 6, 28, 12, 6], 7));
  const c = await frontSearch(options('dpm-solver', 30, [6, 12, 20, 28], 8));
  assert.deepEqual(a, b);
  assert.deepEqual(shuffled, a);
  assert.notDeepEqual(
    a.byBudget.map((p) => p.population.map((r) => r.schedule)),
    c.byBudget.map((p) => p.population.map((r) => r.schedule)),
  );
});

test('one predictor call per generation with unseen schedules only; maxScored caps the distinct schedules scored exactly', async () => {
  const calls: number[][][] = [];
  const reports: FrontGenerationReport[] = [];
  const base = options('ddim', 30, [8, 16, 30], 3, { settings: { generations: 10_000, maxScored: 777 } });
  const result = await frontSearch({
    ...base,
    score: async (xs) => {
      calls.push(xs);
      return base.score(xs) as number[];
    },
    onGeneration: (r) => reports.push(r),
  });
  assert.equal(calls[0].length, 3, 'the three starting schedules are scored together');
  const everScored = new Set<string>();
  for (const batch of calls) {
    for (const x of batch) {
      const key = x.join(',');
      assert.ok(!everScored.has(key), `[${key}] scored twice`);
      everScored.add(key);
    }
  }
  assert.equal(everScored.size, 777);
  assert.equal(result.scoredCount, 777);
  // The starting batch, then at most one call per generation (none when every child was seen).
  assert.ok(calls.length <= result.generations + 1 && calls.length > result.generations / 2, `${calls.length} calls in ${result.generations} generations`);
  assert.ok(result.generations < 10_000, 'the limit, not the generations, ended the search');
  assert.deepEqual(reports.map((r) => r.generation), Array.from({ length: result.generations }, (_, i) => i + 1));
  for (let i = 1; i < reports.length; i++) {
    reports[i].bestScoreByBudget.forEach((s, b) => assert.ok(s <= reports[i - 1].bestScoreByBudget[b], 'a budget\'s best never gets worse'));
  }
});

test('bad input is a KitError that names the problem and the fix', async () => {
  const rejectsWith = async (o: FrontSearchOptions, message: RegExp, hint: RegExp) =>
    assert.rejects(frontSearch(o), (e: unknown) => {
      assert.ok(e instanceof KitError, String(e));
      assert.match(e.message, message);
      assert.match(e.hint ?? '', hint);
      return true;
    });
  await rejectsWith(options('ddim', 10, [], 1), /budget grid is empty/, /at least one time budget/);
  // No schedule fits 0.5: the cheapest one (one NFE of model 1) costs 1.
  await rejectsWith(options('ddim', 10, [0.5, 5], 1), /budget 0\.5 of the grid \[0\.5, 5\].*cheapest possible schedule \(one NFE of model 1\) costs 1, more than the budget/, /raise the budget to at least 1/);
  // No DPM-Solver schedule of length 6 can use 40: the dearest costs 6 x 3 = 18 < 0.9 x 40.
  await rejectsWith(options('dpm-solver', 6, [5, 40], 1), /budget 40 of the grid.*most expensive one .* costs 18/, /lower the budget to at most 20/);
  await rejectsWith(options('ddim', 10, [5, -1], 1), /budget must be a positive number/, /time budget/);
  await rejectsWith(options('dpm-solver', 10, [5], 1), /length 10 is not allowed/, /multiple of 3/);
  await rejectsWith(options('ddim', 10, [5], 1, { numModels: 4 }), /4 entries for a zoo of 4 models; expected 5/, /null model/);
  await rejectsWith(options('ddim', 10, [5, 8], 1, { settings: { maxScored: 1 } }), /maxScored 1 is less than the 2 budgets/, /at least one score per budget/);
  await rejectsWith(options('ddim', 10, [5], 1, { settings: { archiveSize: 0 } }), /archiveSize must be a positive integer/, /default is 40/);
  await rejectsWith(options('ddim', 10, [5], 1, { settings: { polishShare: 1 } }), /polishShare must be in \[0, 1\), got 1/, /0 turns the polish off/);
  await rejectsWith(options('ddim', 10, [5], 1, { settings: { polishShare: -0.1 } }), /polishShare must be in \[0, 1\), got -0\.1/, /0 turns the polish off/);
  await rejectsWith(options('ddim', 10, [5], 1, { settings: { populaton: 3 } as never }), /unknown front search setting 'populaton'/, /archiveSize, maxScored, polishShare/);
  await rejectsWith(options('ddim', 10, [5], 1, { score: (xs) => xs.map(() => NaN) }), /returned NaN/, /finite numbers/);
});

test('the work divides as polishShare says: 0 means no polish, the generations bound the run, a stalled polish stops early', async () => {
  // polishShare 0 under a score limit the run never reaches: exactly `generations`, all shared
  const unpolished = await frontSearch(options('ddim', 30, [8, 16, 30], 3, { settings: { generations: 20, maxScored: 100_000, polishShare: 0 } }));
  assert.equal(unpolished.generations, 20);
  // the same with the polish: still `generations` in all (shared + each budget's polish), never more
  const polished = await frontSearch(options('ddim', 30, [8, 16, 30], 3, { settings: { generations: 20, maxScored: 100_000, polishShare: 0.5 } }));
  assert.equal(polished.generations, 20);
  // budget 1 admits only the 10 one-NFE schedules of model 1: its polish (300 generations) finds
  // nothing new after a few and stops POLISH_STALL_GENERATIONS (50) later; budget 25's runs in full
  const stalled = await frontSearch(options('ddim', 10, [1, 25], 3, { settings: { generations: 2000, polishShare: 0.3 } }));
  assert.ok(stalled.generations < 2000 - 200, `${stalled.generations} generations: the stalled polish should have stopped early`);
  assert.ok(stalled.generations >= 1400 + 50 + 300, `${stalled.generations} generations: the shared search (1400) and the last budget's polish (300) run in full`);
  assert.ok(stalled.byBudget[0].population.every((p) => p.cost <= 1 && p.nfe === 1));
});
