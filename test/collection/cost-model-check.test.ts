import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCostModel, costModelShortfall } from '../../lib/collection/cost-model-check';
import type { ScheduleRecord } from '../../lib/collection/dataset-file';
import { costModelFigure } from '../../lib/figures/cost-model-figure';
import { isKitError } from '../../lib/util/errors';

// 300 images at batch 128 are ceil(300/128) = 3 batches, so a schedule costing c ms per batch
// predicts 3c/1000 s of sampling.
const rec = (id: number, costMs: number | null, seconds: number, engine = 'onnxruntime-cpu'): ScheduleRecord => ({
  id, split: 'train', solver: 'ddim', schedule: [1, 0, 2], fid: 50, costMs, nfe: 2, images: 300, seed: 0, configHash: 'h', engine, seconds,
});
const kit = (re: RegExp) => (e: unknown) => isKitError(e) && re.test((e as Error).message);

test('an exactly affine time recovers overhead and slope with R² 1 and zero error', () => {
  const costs = [100, 250, 400, 800, 1300];
  const records = costs.map((c, i) => rec(i, c, 0.5 + 0.9 * (3 * c) / 1000));
  const c = checkCostModel(records, 128);
  assert.equal(c.count, 5);
  assert.equal(c.skipped, 0);
  assert.ok(Math.abs(c.overheadSeconds - 0.5) < 1e-12);
  assert.ok(Math.abs(c.slope - 0.9) < 1e-12);
  assert.ok(Math.abs(c.r2 - 1) < 1e-12);
  assert.ok(c.relativeError.max < 1e-12);
  assert.deepEqual(c.points.map((p) => p.predictedSeconds), costs.map((x) => (3 * x) / 1000));
});

test('golden fit on four hand-computed points', () => {
  // predicted x = 0.3, 0.6, 0.9, 1.2 s; measured y = 1, 2, 2, 3: slope Sxy/Sxx = 0.9/0.45 = 2,
  // overhead 2 - 2 * 0.75 = 0.5, fitted 1.1, 1.7, 2.3, 2.9; relative errors 0.1, 0.15, 0.15, 1/30
  // (median 0.125), R² = 1 - 0.2/2 = 0.9.
  const c = checkCostModel([rec(0, 100, 1), rec(1, 200, 2), rec(2, 300, 2), rec(3, 400, 3)], 128);
  assert.ok(Math.abs(c.slope - 2) < 1e-12);
  assert.ok(Math.abs(c.overheadSeconds - 0.5) < 1e-12);
  assert.ok(Math.abs(c.r2 - 0.9) < 1e-12);
  assert.ok(Math.abs(c.relativeError.max - 0.15) < 1e-12);
  assert.ok(Math.abs(c.relativeError.median - 0.125) < 1e-12);
});

test('records of other engines and unpriced records are left out and counted', () => {
  const records = [rec(0, 100, 1), rec(1, 200, 2), rec(2, null, 9), rec(3, 300, 3), rec(4, 300, 30, 'tfjs-wasm')];
  const c = checkCostModel(records, 128);
  assert.equal(c.engine, 'onnxruntime-cpu');
  assert.equal(c.count, 3);
  assert.equal(c.skipped, 2);
  assert.throws(() => checkCostModel(records, 128, 'tfjs-wasm'), kit(/at least 3 priced records.*tfjs-wasm.*has 1 .*records per engine: onnxruntime-cpu \(4\), tfjs-wasm \(1\)/));
  assert.throws(() => checkCostModel(records, 128, 'foo'), (e: unknown) => isKitError(e) && /no record was sampled on foo/.test((e as { hint?: string }).hint ?? ''));
});

test('too few records or a single cost is a clear error', () => {
  assert.throws(() => checkCostModel([rec(0, 100, 1)], 128), kit(/at least 3/));
  assert.throws(() => checkCostModel([rec(0, 100, 1), rec(1, 100, 2), rec(2, 100, 3)], 128), kit(/same cost/));
  assert.throws(() => checkCostModel([rec(0, 100, 1)], 0), kit(/batch size/));
  // the same reasons, as values (for a figure that is missing rather than a failed build)
  assert.match(costModelShortfall([rec(0, 100, 1)])?.message ?? '', /has 1 \(of 1/);
  assert.match(costModelShortfall([rec(0, 100, 1), rec(1, 100, 2), rec(2, 100, 3)])?.message ?? '', /same cost/);
  assert.equal(costModelShortfall([rec(0, 100, 1), rec(1, 200, 2), rec(2, 300, 3)]), null);
});

test('the figure draws every point and the fitted line', () => {
  const c = checkCostModel([rec(0, 100, 1), rec(1, 200, 2), rec(2, 300, 2), rec(3, 400, 3)], 128);
  const f = costModelFigure('mnist', 'ddim', c, 'mnist/schedule-fid-ddim.jsonl');
  assert.equal(f.id, 'cost-model-ddim');
  assert.deepEqual(f.data[0].y, [1, 2, 2, 3]);
  assert.deepEqual(f.data[1].x, [0.3, 1.2]);
  assert.ok(Math.abs((f.data[1].y as number[])[1] - 2.9) < 1e-12);
  assert.match(f.caption, /R² 0\.900/);
});
