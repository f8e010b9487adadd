/**
 * The evolutionary search (method doc §6, Algorithm 1). Checked in the official code:
 * code/predictor/search_utils.py, class `controller` (`search`, `step`, `get_initial_ms`), and the
 * `search` section of code/predictor/configs/*.yml for the default settings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SolverName, scheduleCost, validateSchedule } from '../../lib/schedule/index';
import { DEFAULT_SEARCH_SETTINGS, GenerationReport, SearchOptions, evolutionarySearch } from '../../lib/search/index';
import { KitError } from '../../lib/util/errors';
import { makeTable, optimumUnderBudget, tableScore } from './synthetic';

const LATENCY = [0, 1, 2, 3];

function options(solver: SolverName, length: number, budget: number, seed: number, extra: Partial<SearchOptions> = {}): SearchOptions {
  const table = makeTable(length, 3, 100 + length);
  return {
    solver,
    length,
    numModels: 3,
    latency: LATENCY,
    budget,
    seed,
    score: (xs) => xs.map((x) => tableScore(table, x)),
    settings: { generations: 60 },
    ...extra,
  };
}

test('defaults are the official settings (plus the kit additions: distinct population, redraws)', () => {
  const { keepDuplicates, initialDraws, ...official } = DEFAULT_SEARCH_SETTINGS;
  assert.equal(keepDuplicates, false);
  assert.equal(initialDraws, 5);
  assert.deepEqual(official, {
    populationSize: 40,
    childrenPerGeneration: 40,
    maxMutationAttempts: 200,
    tournamentSize: 2,
    maxMutatedPositions: 10,
    mutationProbability: 1,
    repairProbability: 0.1,
    maxRepairRounds: 1000,
    repairTolerance: 0.9,
    generations: 1000,
  });
});

test('every scored child is a valid schedule within budget; the final population is too, sorted and distinct', async () => {
  for (const [solver, length, budget] of [['ddim', 40, 35], ['dpm-solver', 30, 28]] as const) {
    const seen: number[][] = [];
    const base = options(solver, length, budget, 4);
    const result = await evolutionarySearch({
      ...base,
      score: (xs) => {
        seen.push(...xs);
        return base.score(xs) as number[];
      },
    });
    assert.ok(seen.length > 100);
    for (const s of seen) {
      validateSchedule(solver, s, 3, length);
      assert.ok(scheduleCost(s, LATENCY) <= budget);
    }
    // The first scored schedule is the repaired initial one.
    assert.ok(scheduleCost(seen[0], LATENCY) >= 0.9 * budget);
    assert.equal(result.length, 40);
    for (const r of result) {
      validateSchedule(solver, r.schedule, 3, length);
      assert.equal(r.cost, scheduleCost(r.schedule, LATENCY));
      assert.ok(r.cost <= budget);
      assert.equal(r.nfe, r.schedule.filter((m) => m !== 0).length);
    }
    for (let i = 1; i < result.length; i++) assert.ok(result[i - 1].score <= result[i].score);
    assert.equal(new Set(result.map((r) => r.schedule.join(','))).size, result.length);
  }
});

test('same seed -> identical population; different seed -> a different one', async () => {
  const a = await evolutionarySearch(options('dpm-solver', 30, 28, 7));
  const b = await evolutionarySearch(options('dpm-solver', 30, 28, 7));
  const c = await evolutionarySearch(options('dpm-solver', 30, 28, 8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.map((r) => r.schedule),
    c.map((r) => r.schedule),
  );
});

test('the score function gets one call per generation (plus the initial schedule), only with unseen schedules', async () => {
  const calls: number[][][] = [];
  const reports: GenerationReport[] = [];
  const base = options('ddim', 30, 30, 3, { settings: { generations: 40, keepDuplicates: true } });
  await evolutionarySearch({
    ...base,
    score: async (xs) => {
      calls.push(xs);
      return base.score(xs) as number[];
    },
    onGeneration: (r) => reports.push(r),
  });
  assert.deepEqual(calls[0].length, 1, 'the initial schedule is scored alone');
  assert.ok(calls.length <= 41 && calls.length > 30, `${calls.length} calls`);
  const everScored = new Set<string>();
  for (const batch of calls) {
    assert.ok(batch.length >= 1 && batch.length <= 40);
    for (const s of batch) {
      const key = s.join(',');
      assert.ok(!everScored.has(key), `[${key}] scored twice`);
      everScored.add(key);
    }
  }
  assert.deepEqual(
    reports.map((r) => r.generation),
    Array.from({ length: 40 }, (_, i) => i + 1),
  );
  assert.equal(reports[39].scoredCount, everScored.size);
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i].bestScore <= reports[i - 1].bestScore);
});

test('finds a schedule within 1.5% of the exact optimum under the budget (synthetic table score)', async () => {
  for (const [solver, length, budget] of [['ddim', 20, 30], ['dpm-solver', 24, 30]] as const) {
    for (const seed of [1, 2]) {
      const table = makeTable(length, 3, seed);
      const optimum = optimumUnderBudget(solver, table, LATENCY, budget);
      const [best] = await evolutionarySearch({
        solver,
        length,
        numModels: 3,
        latency: LATENCY,
        budget,
        seed,
        score: (xs) => xs.map((x) => tableScore(table, x)),
        settings: { generations: 500 },
      });
      assert.ok(best.cost <= budget);
      assert.ok(best.score >= optimum - 1e-9, 'nothing beats the exact optimum');
      assert.ok(best.score - optimum <= 0.015 * Math.abs(optimum), `${solver} seed ${seed}: found ${best.score}, optimum ${optimum}`);
    }
  }
});

test('an impossible budget is a KitError naming the cheapest cost; bad options are KitErrors', async () => {
  await assert.rejects(
    evolutionarySearch(options('ddim', 10, 0.5, 1)),
    (e: unknown) => e instanceof KitError && /costs 1, more than the budget/.test(e.message),
  );
  await assert.rejects(evolutionarySearch(options('dpm-solver', 10, 20, 1)), KitError);
  await assert.rejects(evolutionarySearch(options('ddim', 10, 20, 1, { numModels: 4 })), KitError);
  await assert.rejects(evolutionarySearch(options('ddim', 10, 20, 1, { settings: { populationSize: 0 } })), KitError);
  await assert.rejects(evolutionarySearch(options('ddim', 10, 20, 1, { settings: { populaton: 3 } as never })), /unknown search setting 'populaton'/);
  await assert.rejects(evolutionarySearch(options('ddim', 10, 20, 1, { score: () => [NaN] })), KitError);
  await assert.rejects(evolutionarySearch(options('ddim', 10, 20, 1, { score: () => [] })), KitError);
});

test('keepDuplicates reproduces the official population, which may hold copies of a schedule', async () => {
  const result = await evolutionarySearch(options('dpm-solver', 12, 12, 2, { settings: { generations: 100, keepDuplicates: true } }));
  assert.equal(result.length, 40);
  assert.ok(new Set(result.map((r) => r.schedule.join(','))).size < 40);
  for (const r of result) assert.ok(r.cost <= 12);
});
