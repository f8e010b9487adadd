/**
 * Schedule parsing, validation, NFE counts, the list <-> step-form codec, and time cost.
 *
 * Encoding checked in the official code (jsttlgdkycy/OMS-DPM, code/diffusion/examples/
 * ddpm_and_guided-diffusion): the DDIM branch of Diffusion.sample_image in runners/diffusion.py
 * keeps the non-zero positions of `range(0, 1000, 1000 // L)` and generalized_steps in
 * functions/denoising.py walks them from the highest down with the model index counting down;
 * the DPM-Solver side is get_orders_and_timesteps_for_model_schedule (orders of non-empty groups
 * of 3, each new one put in front) and noise_prediction_fn (model pointer starting at the last
 * entry, skipping zeros, moving backwards) in dpm_solver/sampler.py; packing is
 * correct_for_dpm_solver in utils/model_schedule_util.py; the cost is the sum of the zoo latency
 * list (null model 0 prepended) over the entries, model_schedule.get_cost in predictor/search_utils.py.
 * The examples below are ours, built to exercise those rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  costBreakdown,
  decodeSchedule,
  encodeSchedule,
  formatSchedule,
  latencyByModelIndex,
  nfe,
  parseSchedule,
  parseSolver,
  randomSchedules,
  readLatencyFile,
  scheduleCost,
  validateSchedule,
} from '../../lib/schedule/index';
import { KitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

/** Asserts a KitError whose message matches every pattern in `message` and whose hint matches `hint`. */
function throwsKit(fn: () => unknown, message: RegExp[], hint?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KitError, `expected KitError, got ${String(e)}`);
    for (const re of message) assert.match(e.message, re);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
}

test('parse: comma list, the bracketed list the official code prints, and arrays', () => {
  const a = parseSchedule('dpm-solver', '3,2,0,1,0,0');
  const b = parseSchedule('dpm-solver', '[3, 2, 0, 1, 0, 0]');
  const c = parseSchedule('dpm-solver', [3, 2, 0, 1, 0, 0]);
  assert.deepEqual(a, { solver: 'dpm-solver', entries: [3, 2, 0, 1, 0, 0] });
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  assert.equal(formatSchedule(a), '3,2,0,1,0,0');
  assert.equal(formatSchedule([1, 0]), '1,0');
  throwsKit(() => parseSchedule('ddim', '1,x,2'), [/position 1/, /'x'/], /comma-separated/);
  throwsKit(() => parseSchedule('ddim', '1,-2'), [/position 1/]);
  throwsKit(() => parseSchedule('ddim', '1.5'), [/position 0/]);
  throwsKit(() => parseSchedule('ddim', '  '), [/empty schedule/]);
});

test('parseSolver lists the allowed names and suggests the close one', () => {
  assert.equal(parseSolver('ddim'), 'ddim');
  assert.equal(parseSolver('dpm-solver'), 'dpm-solver');
  throwsKit(() => parseSolver('dpmsolver'), [/unknown solver 'dpmsolver'/, /did you mean 'dpm-solver'/], /ddim, dpm-solver/);
});

test('validation errors name the position or group and the rule', () => {
  // Model index out of range 0..N.
  throwsKit(() => validateSchedule('ddim', [1, 0, 7, 2], 6), [/position 2/, /model index 7/, /out of range 0\.\.6/], /1\.\.6/);
  throwsKit(() => validateSchedule('dpm-solver', [1, 0, 0, 0, 0, 0], 0), [/positive integer/]);
  // Packing rule (DPM-Solver): non-zero entries first in each group.
  throwsKit(
    () => validateSchedule('dpm-solver', [1, 2, 0, 0, 3, 0], 6),
    [/group 1 \(positions 3\.\.5\)/, /\[0, 3, 0\]/, /packing rule violated/, /position 4/],
    /\[3, 0, 0\]/,
  );
  throwsKit(() => validateSchedule('dpm-solver', [1, 0, 2], 6), [/group 0/, /position 2/], /\[1, 2, 0\]/);
  // Length.
  throwsKit(() => validateSchedule('ddim', [1, 0, 0], 6, 100), [/length 3, expected 100/]);
  throwsKit(() => validateSchedule('dpm-solver', [1, 0, 0, 2], 6), [/length 4/, /multiple of 3/]);
  throwsKit(() => validateSchedule('ddim', new Array(1001).fill(1), 6), [/length 1001/, /1\.\.1000/]);
  throwsKit(() => validateSchedule('ddim', [], 6), [/length 0/]);
  // No active entry.
  throwsKit(() => validateSchedule('dpm-solver', [0, 0, 0, 0, 0, 0], 6), [/no active entry/, /all 6 positions/]);
  // Without N only non-negativity is checked.
  assert.deepEqual(validateSchedule('ddim', [0, 42], undefined).entries, [0, 42]);
  // Valid schedules come back typed and copied.
  const entries = [3, 2, 1, 0, 0, 0, 6, 0, 0];
  const s = validateSchedule('dpm-solver', entries, 6, 9);
  assert.deepEqual(s, { solver: 'dpm-solver', entries });
  assert.notEqual(s.entries, entries);
});

test('NFE is the number of non-zero entries', () => {
  assert.equal(nfe([0, 0, 3, 0, 1]), 2);
  assert.equal(nfe(parseSchedule('dpm-solver', '3,2,1,0,0,0,6,0,0,5,4,0')), 6);
  assert.equal(nfe(parseSchedule('ddim', [1, 1, 1, 1])), 4);
});

test('decode: DDIM steps run from the highest active position down', () => {
  // L = 100: position p is timestep 10 p; 6 at position 99 goes first, then 3 at 50, then 1 at 0.
  const entries = new Array(100).fill(0);
  entries[0] = 1;
  entries[50] = 3;
  entries[99] = 6;
  const form = decodeSchedule(parseSchedule('ddim', entries, { numModels: 6 }));
  assert.deepEqual(form, {
    solver: 'ddim',
    length: 100,
    steps: [
      { position: 99, model: 6 },
      { position: 50, model: 3 },
      { position: 0, model: 1 },
    ],
  });
});

test('decode: DPM-Solver reads groups from the end, and inside a group the last non-zero entry first', () => {
  // Groups: [1,2,3] order 3, [0,0,0] null, [4,0,0] order 1, [5,6,0] order 2.
  const s = parseSchedule('dpm-solver', '1,2,3,0,0,0,4,0,0,5,6,0', { numModels: 6 });
  assert.deepEqual(decodeSchedule(s), {
    solver: 'dpm-solver',
    length: 12,
    steps: [
      { group: 3, models: [6, 5] },
      { group: 2, models: [4] },
      { group: 0, models: [3, 2, 1] },
    ],
  });
});

test('encode/decode round-trip: list -> steps -> list and steps -> list -> steps', () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    for (const s of randomSchedules(solver, 25, { seed: 11, length: solver === 'ddim' ? 100 : 60, numModels: 6 })) {
      assert.deepEqual(encodeSchedule(decodeSchedule(s), { numModels: 6 }), s);
    }
  }
  const form = {
    solver: 'dpm-solver' as const,
    length: 9,
    steps: [
      { group: 2, models: [1, 2] },
      { group: 0, models: [4] },
    ],
  };
  const list = encodeSchedule(form);
  assert.deepEqual(list.entries, [4, 0, 0, 0, 0, 0, 2, 1, 0]);
  assert.deepEqual(decodeSchedule(list), form);
  throwsKit(() => encodeSchedule({ solver: 'dpm-solver', length: 6, steps: [{ group: 1, models: [1] }, { group: 1, models: [2] }] }), [/group 1 is given twice/]);
  throwsKit(() => encodeSchedule({ solver: 'dpm-solver', length: 6, steps: [{ group: 0, models: [1, 2, 3, 4] }] }), [/4 models/]);
  throwsKit(() => encodeSchedule({ solver: 'ddim', length: 4, steps: [{ position: 4, model: 1 }] }), [/position 4/, /out of range 0\.\.3/]);
  throwsKit(() => encodeSchedule({ solver: 'ddim', length: 4, steps: [{ position: 1, model: 9 }] }, { numModels: 6 }), [/position 1/, /out of range 0\.\.6/]);
});

test('cost is additive over entries; null entries cost nothing', () => {
  const latency = [999, 10, 20.5, 3]; // index 0 (null) is never read
  const entries = [1, 0, 2, 3, 0, 2, 0, 0, 1];
  const total = scheduleCost(entries, latency);
  assert.equal(total, 10 + 20.5 + 3 + 20.5 + 10);
  // Sum over single-entry schedules = cost of the whole schedule.
  const parts = entries.map((m, i) => scheduleCost(entries.map((x, j) => (j === i ? x : 0)), latency));
  assert.equal(parts.reduce((a, b) => a + b, 0), total);
  // Cost of two schedules with disjoint active positions adds up.
  const a = [1, 0, 2, 0];
  const b = [0, 3, 0, 3];
  assert.equal(scheduleCost(a, latency) + scheduleCost(b, latency), scheduleCost([1, 3, 2, 3], latency));
  assert.equal(scheduleCost([0, 0, 0], latency), 0);
  const items = costBreakdown(entries, latency);
  assert.deepEqual(items, [
    { model: 1, nfe: 2, latencyMs: 10, totalMs: 20 },
    { model: 2, nfe: 2, latencyMs: 20.5, totalMs: 41 },
    { model: 3, nfe: 1, latencyMs: 3, totalMs: 3 },
  ]);
  assert.equal(items.reduce((s, it) => s + it.totalMs, 0), total);
  throwsKit(() => scheduleCost([1, 0, 4], latency), [/position 2/, /no latency for model 4/], /1\.\.3/);
});

test('latency profile: read, map zoo ids to model indices, clear errors', () => {
  const dir = tempDir('omsdpm-latency-');
  const file = path.join(dir, 'latency.json');
  fs.writeFileSync(file, JSON.stringify({ models: { small: { medianMs: 4 }, big: { medianMs: 40, p90Ms: 44 } }, device: 'cpu' }));
  const profile = readLatencyFile(file, 'cifar10');
  assert.deepEqual(latencyByModelIndex(['big', 'small'], profile), [0, 40, 4]);
  throwsKit(() => latencyByModelIndex(['big', 'tiny'], profile), [/no latency for zoo model 'tiny'/], /big, small|small, big/);
  throwsKit(() => readLatencyFile(path.join(dir, 'missing.json'), 'cifar10'), [/latency file not found/], /oms-dpm profile-latency --experiment cifar10/);
  fs.writeFileSync(file, '{"models": {"a": {"medianMs": "fast"}}}');
  throwsKit(() => readLatencyFile(file, 'cifar10'), [/models\.a\.medianMs/]);
  fs.writeFileSync(file, '{oops');
  throwsKit(() => readLatencyFile(file, 'cifar10'), [/not valid JSON/]);
});
