/**
 * The acquisition (lib/active/acquisition.ts) skips samplers already scored or picked: a DPM-Solver
 * schedule's copy in other groups (schedule/sampler-key.ts) would cost a second FID for the same
 * samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acquire, type AcquisitionInputs } from '../../lib/active/acquisition';
import { samplerKey } from '../../lib/schedule/index';
import type { FrontSearchResult } from '../../lib/search/front-search';

// 3 groups: "a then b" in groups (2, 1), the same sampler in groups (2, 0), and "b then a"
const A = [0, 0, 0, 2, 0, 0, 1, 0, 0];
const A_COPY = [2, 0, 0, 0, 0, 0, 1, 0, 0];
const B = [0, 0, 0, 1, 0, 0, 2, 0, 0];

function inputs(want: number, scored: number[][], acquisition: 'thompson' | 'lcb'): AcquisitionInputs {
  const population = [A, A_COPY, B].map((schedule, i) => ({ schedule, score: i, cost: 10, nfe: 2 }));
  const result: FrontSearchResult = { byBudget: [{ budget: 10, population }], generations: 1, scoredCount: 3 };
  const samplerOf = (s: readonly number[]) => samplerKey('dpm-solver', s);
  return {
    ensemble: { size: 2, score: async (_k, schedules) => schedules.map(() => 0), release: async () => {} },
    search: async () => result,
    want,
    exclude: new Set(scored.map(samplerOf)),
    samplerOf,
    rng: () => 0.25,
    reference: [A, B],
  };
}

for (const acquisition of ['thompson', 'lcb'] as const) {
  test(`${acquisition}: a copy of a scored sampler is not picked, nor a copy of an earlier pick`, async () => {
    // the copy of a record: A and A_COPY are both taken, B is next
    assert.deepEqual((await acquire(acquisition, inputs(1, [A_COPY], acquisition))).map((p) => p.schedule), [B]);
    // nothing scored: A, then not A_COPY (A's sampler, just picked) but B
    const x = inputs(2, [], acquisition);
    assert.deepEqual((await acquire(acquisition, x)).map((p) => p.schedule), [A, B]);
    assert.deepEqual([...x.exclude].sort(), [A, B].map((s) => samplerKey('dpm-solver', s)).sort());
  });
}
