/**
 * The front's figure and the speed-up at equal FID on hand-made fronts, where the answers are
 * worked out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frontFigure } from '../../lib/figures/front-figures';
import { costToReach, lowerEnvelope, speedupAtEqualFid } from '../../lib/front/speedup';
import { frontTableFigure, frontTableRows } from '../../lib/figures/front-table';
import { scheduleStripsFigure } from '../../lib/figures/schedule-strips';
import type { FrontData, FrontPoint, FrontSeries, FrontSeriesName } from '../../lib/front/index';

function pt(budget: number, cost: number, fid: number, extra: Partial<FrontPoint> = {}): FrontPoint {
  return { budget, cost, fid, fidLow: fid - 1, fidHigh: fid + 2, images: 100, selectionFid: fid - 0.5, selectionImages: 50, nfe: 1, schedule: [1], label: 'x', candidates: 1, ...extra };
}

function front(series: Partial<Record<FrontSeriesName, FrontPoint[]>>): FrontData {
  return {
    kind: 'oms-dpm-front', version: 2, experiment: 'toy', solver: 'dpm-solver', engine: 'onnxruntime-cpu', configHash: 'h', experimentConfigHash: 'e',
    featureNetwork: 'toy features', selectionImages: 50, heldOut: { start: 1000, images: 100, resamples: 200, seed: 0, level: 0.95, interval: 'basic' },
    note: '', length: 9, latency: [0, 1, 2], modelIds: ['a', 'b'], budgets: [], budgetRule: '', settings: {},
    series: Object.entries(series).map(([name, points]) => ({ name, points }) as FrontSeries), empty: [], comparisons: [], provenance: null,
  };
}

test('lower envelope: the Pareto front of a baseline, cheapest first', () => {
  const env = lowerEnvelope([
    { cost: 40, fid: 20 },
    { cost: 10, fid: 50 },
    { cost: 20, fid: 30 },
    { cost: 25, fid: 35 }, // worse than the cheaper (20, 30): dropped
    { cost: 40, fid: 25 }, // same cost, worse: dropped
    { cost: 80, fid: 20 }, // no improvement: dropped
    { cost: 100, fid: 10 },
  ]);
  assert.deepEqual(env, [
    { cost: 10, fid: 50 },
    { cost: 20, fid: 30 },
    { cost: 40, fid: 20 },
    { cost: 100, fid: 10 },
  ]);
});

test('cost to reach a FID: linear between envelope points, the first point when already reached, null beyond the best', () => {
  const env = [
    { cost: 10, fid: 50 },
    { cost: 20, fid: 30 },
    { cost: 40, fid: 20 },
  ];
  assert.equal(costToReach(env, 40), 15);
  assert.equal(costToReach(env, 30), 20);
  assert.equal(costToReach(env, 25), 30);
  assert.equal(costToReach(env, 20), 40);
  assert.equal(costToReach(env, 60), 10);
  assert.equal(costToReach(env, 19.9), null);
  assert.equal(costToReach([], 10), null);
});

test('speed-up at equal FID: baseline cost on its envelope over the oms-dpm cost, per oms-dpm point', () => {
  const data = front({
    'oms-dpm': [pt(30, 28, 20), pt(10, 9, 30), pt(60, 55, 12)],
    'best-single-model': [pt(10, 10, 50), pt(20, 20, 30), pt(30, 30, 30), pt(60, 40, 20)],
    random: [pt(10, 10, 5)], // other series do not matter
  });
  const rows = speedupAtEqualFid(data);
  assert.deepEqual(rows.map((r) => r.budget), [10, 30, 60]);
  // FID 30: the baseline needs 20 ms, OMS-DPM 9 ms
  assert.equal(rows[0].baselineCost, 20);
  assert.ok(Math.abs(rows[0].speedup! - 20 / 9) < 1e-12);
  // FID 20: 40 ms against 28 ms
  assert.ok(Math.abs(rows[1].speedup! - 40 / 28) < 1e-12);
  // FID 12: the baseline never gets there
  assert.equal(rows[2].baselineCost, null);
  assert.equal(rows[2].speedup, null);
  // another baseline, and a front without one
  assert.equal(speedupAtEqualFid(data, 'random')[0].baselineCost, 10);
  assert.deepEqual(speedupAtEqualFid(front({ 'oms-dpm': [pt(10, 9, 30)] })).map((r) => r.speedup), [null]);
  assert.deepEqual(speedupAtEqualFid(front({ 'best-single-model': [pt(10, 9, 30)] })), []);
});

test('the figure: FID vs cost, one trace per series in budget order, the random mean beside it, the speed-up in the caption', () => {
  const data = front({
    'oms-dpm': [pt(60, 55, 12), pt(10, 9, 30)],
    'best-single-model': [pt(10, 10, 50), pt(60, 20, 30)],
    'best-in-training-set': [pt(10, 8, 45, { images: 32 })],
    random: [pt(10, 9.5, 40, { selectionMeanFid: 60, meanCost: 9.6, selectionFids: [40, 80] })],
  });
  const fig = frontFigure(data);
  assert.equal(fig.id, 'fid-vs-cost-dpm-solver');
  assert.deepEqual(fig.sources, ['toy/front-dpm-solver.json']);
  assert.deepEqual(fig.data.map((t) => t.name), ['oms-dpm', 'best-single-model', 'best-in-training-set', 'random', 'random (mean of 2, selection FID)']);
  assert.deepEqual(fig.data[0].x, [9, 55]);
  assert.deepEqual(fig.data[0].y, [30, 12]);
  assert.deepEqual(fig.data[4].y, [60]);
  assert.match(fig.caption, /up to 2\.22x faster than the best single model \(FID 30\.00: 9\.0 vs 20\.0 ms\)/);
  assert.match(fig.caption, /Held-out FID \(100 noise-bank images from 1000/);
  assert.match(fig.caption, /chosen on the selection images 0\.\.49/);
  // the interval as asymmetric error bars
  assert.deepEqual((fig.data[0] as { error_y: { array: number[]; arrayminus: number[] } }).error_y.array, [2, 2]);
  assert.deepEqual((fig.data[0] as { error_y: { array: number[]; arrayminus: number[] } }).error_y.arrayminus, [1, 1]);
  assert.match(JSON.stringify(fig.layout), /time cost of a batch \(ms, onnxruntime-cpu\)/);
  const slower = frontFigure(front({ 'oms-dpm': [pt(10, 10, 40)], 'best-single-model': [pt(10, 5, 40)] }));
  assert.match(slower.caption, /nowhere faster than the best single model on this grid; its best cost ratio is 0\.50/);
  assert.match(frontFigure(front({ 'oms-dpm': [pt(10, 10, 4)], 'best-single-model': [pt(10, 5, 40)] })).caption, /never reaches the FID/);
});

test('schedule strips: one row per searched schedule and its two-segment rival, cells = models in calling order', () => {
  // DDIM entries are read from the last position (the noisiest timestep) to the first
  const data = {
    ...front({
      'oms-dpm': [pt(60, 55, 12, { schedule: [2, 0, 2, 0, 1] }), pt(10, 9, 30, { schedule: [0, 0, 1, 0, 1] })],
      'two-segment': [pt(60, 50, 14, { schedule: [2, 2, 1] })],
    }),
    solver: 'ddim' as const,
  };
  const fig = scheduleStripsFigure(data);
  assert.equal(fig.id, 'schedule-strips-ddim');
  const heat = fig.data[0] as { z: (number | null)[][]; y: string[] };
  // plotly draws the first row at the bottom: rows are stored bottom-up
  assert.deepEqual(heat.y, ['C=60 two-segment', 'C=60 OMS-DPM', 'C=10 OMS-DPM']);
  assert.deepEqual(heat.z, [
    [1, 2, 2],
    [1, 2, 2],
    [1, 1, null],
  ]);
  assert.deepEqual(fig.data.slice(1).map((t) => t.name), ['1: a (1.0 ms)', '2: b (2.0 ms)']);
});

test('the per-budget table: FIDs with intervals, the paired verdicts (wins, ties, losses), and the speed-up', () => {
  const cmp = (budget: number, baseline: FrontSeriesName, difference: number, low: number, high: number) =>
    ({ budget, baseline, difference, low, high, verdict: high < 0 ? 'win' : low > 0 ? 'loss' : 'tie' }) as const;
  const data = {
    ...front({
      'oms-dpm': [pt(10, 9, 30), pt(30, 28, 20)],
      'best-single-model': [pt(10, 10, 50), pt(20, 20, 30), pt(30, 30, 30), pt(60, 40, 20)],
      random: [pt(10, 9.5, 35), pt(30, 29, 18)],
      'two-segment': [pt(30, 30, 20)],
    }),
    budgets: [30, 10, 60],
    comparisons: [
      cmp(10, 'best-single-model', -20, -25, -15),
      cmp(10, 'random', -5, -7, -3),
      cmp(30, 'best-single-model', -10, -12, -8),
      // 20 against 18: inside the noise, a tie, not a loss
      cmp(30, 'random', 2, -1, 5),
      cmp(30, 'two-segment', 0, 0, 0),
    ],
  };
  const rows = frontTableRows(data);
  assert.deepEqual(rows.map((r) => r.budget), [10, 30, 60]);
  assert.deepEqual(rows[0].fid, { 'oms-dpm': 30, 'best-single-model': 50, random: 35, 'two-segment': null });
  assert.deepEqual(rows[0].interval['oms-dpm'], [29, 32]);
  assert.deepEqual(rows[0].beats, ['best-single-model', 'random']);
  assert.deepEqual(rows[0].losesTo, []);
  assert.deepEqual(rows[1].beats, ['best-single-model']);
  assert.deepEqual(rows[1].ties, ['random', 'two-segment']);
  assert.deepEqual(rows[1].losesTo, []);
  assert.ok(Math.abs(rows[1].speedup! - 40 / 28) < 1e-12);
  // no OMS-DPM point at C = 60: nothing beaten, nothing lost
  assert.deepEqual([rows[2].fid['oms-dpm'], rows[2].beats, rows[2].losesTo, rows[2].speedup], [null, [], [], null]);
  const fig = frontTableFigure(data);
  assert.equal(fig.id, 'front-table-dpm-solver');
  const cells = (fig.data[0] as { cells: { values: string[][] } }).cells.values;
  assert.deepEqual(cells[0], ['10', '30', '60']);
  assert.deepEqual(cells[1], ['30.0 [29.0, 32.0]', '20.0 [19.0, 22.0]', '-']);
  assert.deepEqual(cells[cells.length - 1], ['2.22x', '1.43x', '-']);
  assert.match(fig.caption, /3 wins, 2 ties, 0 losses/);
  // FID 5 is out of every single-model setting's reach up to C = 60: the speed-up is above 60 / 25
  const beyond = { ...front({ 'oms-dpm': [pt(30, 25, 5)], 'best-single-model': [pt(10, 10, 50), pt(60, 40, 20)] }), budgets: [30, 60] };
  const b = frontTableRows(beyond);
  assert.deepEqual([b[0].speedup, b[0].speedupAbove], [null, 60 / 25]);
  const bcells = (frontTableFigure(beyond).data[0] as { cells: { values: string[][] } }).cells.values;
  assert.deepEqual(bcells[bcells.length - 1], ['> 2.40x (not reached)', '-']);
  assert.equal(rows[0].speedupAbove, null, 'a known speed-up needs no bound');
});
