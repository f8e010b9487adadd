/**
 * samplerKey (lib/schedule/sampler-key.ts): equal keys exactly when two schedules call the same
 * models at the same times, checked against the evaluations the samplers run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluations, samplerKey } from '../../lib/schedule/index';

/** A DPM-Solver schedule of 10 groups with `steps` (models in calling order) in the given groups. */
function dpm(placed: Array<[group: number, models: number[]]>): number[] {
  const e = new Array<number>(30).fill(0);
  for (const [g, models] of placed) models.forEach((m, j) => (e[3 * g + models.length - 1 - j] = m));
  return e;
}

/** The network calls a schedule makes (model, time, step, order), without where it sits in the list. */
function calls(solver: 'ddim' | 'dpm-solver', entries: readonly number[]) {
  return evaluations(solver, entries).map(({ position: _where, ...call }) => call);
}

test('DPM-Solver: the same steps in other groups are one sampler, with the same network calls', () => {
  // mnist's DPM-Solver front at 114 ms re-ranked these three as its "top 3": w4 then w8, one NFE each
  const a = dpm([[7, [1]], [6, [2]]]);
  const b = dpm([[6, [1]], [5, [2]]]);
  const c = dpm([[9, [1]], [0, [2]]]);
  assert.equal(samplerKey('dpm-solver', a), samplerKey('dpm-solver', b));
  assert.equal(samplerKey('dpm-solver', a), samplerKey('dpm-solver', c));
  assert.deepEqual(calls('dpm-solver', b), calls('dpm-solver', a));
  assert.deepEqual(calls('dpm-solver', c), calls('dpm-solver', a));
  // a second-order step with w2 then w1 inside it, then a first-order step: the same in any two groups
  const d = dpm([[8, [2, 1]], [3, [1]]]);
  const e = dpm([[2, [2, 1]], [1, [1]]]);
  assert.equal(samplerKey('dpm-solver', d), samplerKey('dpm-solver', e));
  assert.deepEqual(calls('dpm-solver', e), calls('dpm-solver', d));
});

test('DPM-Solver: other models, another calling order or other step orders are other samplers', () => {
  const base = samplerKey('dpm-solver', dpm([[7, [1]], [6, [2]]]));
  const others = [
    dpm([[7, [2]], [6, [1]]]), // the models swapped
    dpm([[7, [1, 2]]]), // one second-order step instead of two first-order ones
    dpm([[7, [2, 1]]]), // the same, models the other way round
    dpm([[7, [1]], [6, [2]], [5, [2]]]), // one step more
  ];
  const keys = others.map((s) => samplerKey('dpm-solver', s));
  assert.equal(new Set([base, ...keys]).size, 1 + others.length);
  for (const s of others) assert.notDeepEqual(calls('dpm-solver', s), calls('dpm-solver', dpm([[7, [1]], [6, [2]]])));
});

test('DDIM: every position is a timestep, so moved steps or another length are other samplers', () => {
  const a = [0, 1, 0, 2];
  assert.equal(samplerKey('ddim', a), samplerKey('ddim', [...a]));
  assert.notEqual(samplerKey('ddim', a), samplerKey('ddim', [1, 0, 0, 2]));
  assert.notDeepEqual(calls('ddim', [1, 0, 0, 2]), calls('ddim', a));
  assert.notEqual(samplerKey('ddim', a), samplerKey('ddim', [0, 1, 0, 2, 0]));
});
