/** The collection study's verdict (lib/study/study-verdict.ts), checked by hand on small point sets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { studyVerdict } from '../../lib/study/study-verdict';

const point = (strategy: 'random' | 'active', trainingRecords: number, value: number) => ({ strategy, trainingRecords, meanDifference: { value } });

test('studyVerdict: the better strategy with every record, and the fewest active records that match random with all', () => {
  const points = [point('random', 25, 5), point('random', 75, 2), point('random', 225, -1), point('active', 25, 5), point('active', 75, -1.5), point('active', 225, -3)];
  assert.deepEqual(studyVerdict(points), { allRecords: 225, randomAtAll: -1, activeAtAll: -3, better: 'active', activeRecordsToMatch: 75, ratio: 75 / 225 });
  // equal at every record: random (the official strategy); a tie at 225 itself still matches
  const tie = [point('random', 225, -1), point('active', 50, 0), point('active', 225, -1)];
  assert.deepEqual(studyVerdict(tie), { allRecords: 225, randomAtAll: -1, activeAtAll: -1, better: 'random', activeRecordsToMatch: 225, ratio: 1 });
  // active never as good
  assert.equal(studyVerdict([point('random', 100, -2), point('active', 100, 1)])!.activeRecordsToMatch, null);
  // one strategy's last point missing: no verdict yet
  assert.equal(studyVerdict([point('random', 100, -2), point('active', 50, -3)]), null);
});
