import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStudyRecords } from '../../lib/study/record-subset';

test('default record counts: the random start x 1, 2, 4, 6 and a third of all, from the minimum to below all, then all', () => {
  // the CPU profiles: 25 initial records, 225 training records; 75 = 225 / 3 is the "third" point
  assert.deepEqual(defaultStudyRecords(25, 225), [25, 50, 75, 100, 150, 225]);
  // a third that equals a multiple counts once: 300 / 3 = 100 = 4 x 25
  assert.deepEqual(defaultStudyRecords(25, 300), [25, 50, 100, 150, 300]);
  // multiples at or above all are left out; 30 / 3 = 10 = the start
  assert.deepEqual(defaultStudyRecords(10, 30), [10, 20, 30]);
  // a third below the start comes first: 9 / 3 = 3
  assert.deepEqual(defaultStudyRecords(4, 9), [3, 4, 8, 9]);
  // but none below the fewest records a predictor trains on
  assert.deepEqual(defaultStudyRecords(4, 9, 4), [4, 8, 9]);
});
