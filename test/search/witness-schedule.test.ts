/**
 * The built schedule for windows the repair walk misses (lib/search/witness-schedule.ts), checked
 * by hand on the case measured in the bench: models of 97.6 and 175.4 ms, window [490.5, 545].
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf, latencyTable } from '../../lib/search/budget';
import { firstSchedule } from '../../lib/search/initial';
import { scheduleOfNfes, witnessNfes } from '../../lib/search/witness-schedule';
import { nfe, validateSchedule } from '../../lib/schedule/index';
import { streamRng } from '../../lib/util/rng';

const lat = [0, 97.6, 175.4];

test('witnessNfes: the fewest NFEs whose latencies sum into the window, or null', () => {
  // 5 x 97.6 = 488 and 4 x 97.6 + 175.4 = 565.8 miss [490.5, 545]; 3 x 175.4 = 526.2 is inside
  assert.deepEqual(witnessNfes(latencyTable(lat), 90, 490.5, 545), [2, 2, 2]);
  assert.deepEqual(witnessNfes(latencyTable(lat), 90, 190, 200), [1, 1]);
  // models of 40 and 100 ms, at most 4 NFEs: 160, then 180; nothing in [161.1, 179]
  assert.equal(witnessNfes(latencyTable([0, 40, 100]), 4, 161.1, 179), null);
  // the NFE cap: 3 x 175.4 needs 3 NFEs
  assert.equal(witnessNfes(latencyTable(lat), 2, 490.5, 545), null);
});

test('scheduleOfNfes: valid schedules with exactly those NFEs, spread over the length', () => {
  const ddim = scheduleOfNfes('ddim', 10, 2, [1, 2, 1]);
  assert.deepEqual(ddim, [1, 0, 0, 2, 0, 0, 1, 0, 0, 0]);
  const dpm = scheduleOfNfes('dpm-solver', 90, 2, [2, 2, 2]);
  validateSchedule('dpm-solver', dpm, 2);
  assert.equal(nfe(dpm), 3);
  assert.ok(Math.abs(costOf(dpm, latencyTable(lat)) - 526.2) < 1e-9);
  // more NFEs than groups: orders above 1, packed at the start of each group
  const packed = scheduleOfNfes('dpm-solver', 6, 2, [1, 1, 2, 2, 1]);
  assert.deepEqual(packed, [1, 1, 2, 2, 1, 0]);
  validateSchedule('dpm-solver', packed, 2);
  assert.equal(nfe(packed), 5);
});

test('firstSchedule: when every repair walk runs out of rounds, a schedule built inside the window', () => {
  const table = latencyTable(lat);
  for (let seed = 0; seed < 5; seed++) {
    const s = firstSchedule('dpm-solver', 90, lat, 545, streamRng(seed, 'witness-test'), { draws: 1, maxRounds: 1 });
    const cost = costOf(s, table);
    assert.ok(cost >= 490.5 && cost <= 545, `seed ${seed}: cost ${cost}`);
    validateSchedule('dpm-solver', s, 2);
  }
});
