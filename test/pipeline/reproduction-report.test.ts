/**
 * The pieces of reproduce's committed-against-reproduced comparison, on hand-made inputs: the
 * whole-run ETA, the manifest summary leaves, the front's FIDs in interval units, paired records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunEta } from '../../lib/pipeline/run-eta';
import { frontNumbers, pairedFidNumbers, summaryLeaves } from '../../lib/pipeline/reproduction-report';
import type { FrontData } from '../../lib/front/front-data';

test('the run ETA extrapolates the running stage and adds the committed times of the stages to come', () => {
  let now = 0;
  const eta = new RunEta(['a', 'b', 'c', 'd'], new Map([['a', 10], ['b', 100], ['c', 0.03], ['d', 40]]), () => now);
  assert.deepEqual(eta.reading(), { seconds: 150, unestimated: 1 }); // c (0.03 s committed: it found its work done) has no estimate
  eta.stageStarted('a');
  eta.stageFinished('a');
  eta.stageStarted('b');
  now = 20_000; // 20 s into b, 1/4 done: 60 s left of it, then 40 s of d
  eta.stageProgress(25, 100);
  assert.deepEqual(eta.reading(), { seconds: 100, unestimated: 1 });
  assert.deepEqual(eta.position(), { index: 2, count: 4 });
  eta.stageFinished('b');
  eta.stageStarted('c'); // no progress and no committed time: left out and counted
  assert.deepEqual(eta.reading(), { seconds: 40, unestimated: 1 });
});

test('summary leaves pair array entries by id, and budgets by grid position', () => {
  const leaves = summaryLeaves({ kendallTau: { train: 0.9 }, speedups: [{ budget: 113, fid: 40 }], zoo: [{ id: 't4', steps: 100 }], list: [3] });
  assert.deepEqual([...leaves], [['kendallTau.train', 0.9], ['speedups[budget 1].fid', 40], ['zoo[t4].steps', 100], ['list[0]', 3]]);
});

test('front FIDs are compared in units of the committed interval half-width', () => {
  const point = (fid: number, schedule: number[]) => ({ budget: 100, cost: 90, fid, fidLow: fid - 2, fidHigh: fid + 2, images: 1000, selectionFid: fid, selectionImages: 500, nfe: 4, schedule, label: '', candidates: 1 });
  const front = (fid: number, schedule: number[], verdict: 'win' | 'tie') =>
    ({ heldOut: { level: 0.95 }, budgets: [100], series: [{ name: 'oms-dpm', points: [point(fid, schedule)] }], comparisons: [{ budget: 100, baseline: 'random', difference: -1, low: -2, high: verdict === 'win' ? -0.5 : 1, verdict }] }) as unknown as FrontData;
  const rows = frontNumbers('front-ddim', front(50, [1, 2], 'win'), front(53, [1, 1], 'tie'));
  assert.equal(rows[0].measure, 1.5); // +3 FID over a half-width of 2
  assert.match(rows[0].difference, /\+3\.000 \(\+6\.0%\) = 1\.50 interval half-widths, another schedule/);
  assert.deepEqual([rows[1].committed, rows[1].reproduced], ['1 / 0 / 0', '0 / 1 / 0']);
});

test('paired records: counts, mean FIDs and the largest difference over the records in both runs', () => {
  const rows = pairedFidNumbers('collection-ddim', 'records', [{ key: '0:1', fid: 10 }, { key: '1:2', fid: 20 }], [{ key: '0:1', fid: 10.5 }, { key: '1:3', fid: 30 }]);
  assert.deepEqual(rows.map((r) => [r.committed, r.reproduced]), [[2, 2], [15, 20.25], [1, 1]]);
  assert.equal(rows[2].measure, 0.5);
});
