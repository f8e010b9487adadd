/**
 * The arithmetic of the bench's collection-throughput estimate and its helpers, on hand values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { collectionThroughput, estimateEngineThroughput, expectedRandomNfe, workersFor } from '../../lib/bench/collection-throughput';
import { randomSchedules } from '../../lib/bench/predictor-bench';
import { formatTable } from '../../lib/bench/report';
import { syntheticScoreTable } from '../../lib/bench/search-bench';
import { median } from '../../lib/bench/timing';
import { jobFor } from '../../lib/collection/schedule-job';
import { loadExperiment } from '../../lib/config/index';
import { nfe } from '../../lib/schedule/index';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test('collectionThroughput: 3600 / (mean NFE x images/batch x forward ms + feature ms), times the workers', () => {
  // 12 NFEs x (1000 / 128) batches x 500 ms = 46875 ms sampling, + 2000 ms features = 48.875 s
  const r = collectionThroughput({ meanNfe: 12, images: 1000, batch: 128, forwardMs: 500, featureMs: 2000, workers: 2 });
  close(r.secondsPerSchedule, 48.875);
  close(r.schedulesPerHourPerWorker, 3600 / 48.875);
  close(r.schedulesPerHour, (2 * 3600) / 48.875);
  // one worker, one batch of exactly `batch` images, no feature cost: 3600 s / (NFE x forward)
  const one = collectionThroughput({ meanNfe: 10, images: 64, batch: 64, forwardMs: 100, featureMs: 0, workers: 1 });
  close(one.secondsPerSchedule, 1);
  close(one.schedulesPerHour, 3600);
  // images / batch is a ratio (linear scaling), not a count of batches
  close(collectionThroughput({ meanNfe: 1, images: 32, batch: 128, forwardMs: 400, featureMs: 0, workers: 1 }).secondsPerSchedule, 0.1);
  assert.throws(() => collectionThroughput({ meanNfe: 1, images: 1, batch: 0, forwardMs: 1, featureMs: 0, workers: 1 }), /batch and workers must be positive/);
  assert.throws(() => collectionThroughput({ meanNfe: NaN, images: 1, batch: 1, forwardMs: 1, featureMs: 0, workers: 1 }), /meanNfe/);
  assert.throws(() => collectionThroughput({ meanNfe: 0, images: 1, batch: 1, forwardMs: 1, featureMs: 0, workers: 1 }), /no time/);
});

test('expectedRandomNfe: L(1-q)/(1-q^L), the mean of the collection schedules', () => {
  close(expectedRandomNfe(100, 0.8), 20 / (1 - 0.8 ** 100));
  close(expectedRandomNfe(1, 0.8), 1); // a one-position schedule always has its NFE (empty draws are redrawn)
  close(expectedRandomNfe(60, 0), 60);
  const exp = loadExperiment(tiny);
  const c = exp.config.collection;
  for (const [solver, length] of [['ddim', c.ddimLength], ['dpm-solver', c.dpmSolverLength]] as const) {
    let sum = 0;
    const n = 3000;
    for (let id = 0; id < n; id++) sum += nfe(jobFor(c, solver, 2, 1000, id).schedule);
    const want = expectedRandomNfe(length, c.nullProbability);
    // standard error ~ sqrt(L q (1 - q) / n) < 0.03 here
    assert.ok(Math.abs(sum / n - want) < 0.12, `${solver}: sample mean ${sum / n}, expected ${want}`);
  }
});

test('estimateEngineThroughput: mean zoo model, collection lengths, fid.images', () => {
  const exp = loadExperiment(tiny); // fid.images 64, ddimLength 10, dpmSolverLength 6, q 0.8
  const e = estimateEngineThroughput(exp, { engine: 'onnx', tag: 'onnxruntime-cpu', plan: { workers: 2, threadsPerWorker: 1, rule: 'hand' }, forwardMsByModel: { a: 10, b: 30 }, forwardBatch: 16, featureMs: 100 });
  assert.equal(e.images, 64);
  close(e.meanModelForwardMs, 20);
  assert.deepEqual(e.solvers.map((s) => [s.solver, s.length]), [['ddim', 10], ['dpm-solver', 6]]);
  for (const s of e.solvers) {
    const want = (s.meanNfe * (64 / 16) * 20 + 100) / 1000;
    close(s.secondsPerSchedule, want);
    close(s.schedulesPerHour, (2 * 3600) / want);
  }
  close(e.solvers[0].meanNfe, expectedRandomNfe(10, 0.8));
});

test('workersFor: one single-threaded worker per core for ORT and TF.js WASM, one process for tfjs-node', () => {
  assert.deepEqual([workersFor('onnx', 'wasm', 2).workers, workersFor('onnx', 'wasm', 2).threadsPerWorker], [2, 1]);
  assert.deepEqual([workersFor('tfjs', 'wasm', 2).workers, workersFor('tfjs', 'wasm', 2).threadsPerWorker], [2, 1]);
  assert.equal(workersFor('tfjs', 'wasm', 4).workers, 4);
  assert.equal(workersFor('tfjs', 'tensorflow', 4).workers, 1);
});

test('helpers: median, synthetic score table, random schedules, table layout', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 3);
  const t = syntheticScoreTable(6, 3, 0);
  assert.equal(t.length, 6);
  for (const row of t) {
    assert.equal(row[0], 0);
    for (let m = 1; m <= 3; m++) assert.ok(row[m] < 0);
  }
  const s = randomSchedules('dpm-solver', 60, 4, 5);
  assert.equal(s.length, 5);
  for (const e of s) assert.ok(e.length === 60 && e.every((m) => m >= 0 && m <= 4) && nfe(e) >= 1);
  assert.deepEqual(randomSchedules('ddim', 100, 4, 3), randomSchedules('ddim', 100, 4, 3));
  assert.equal(formatTable(['name', 'x'], [['a', '1'], ['bb', '100']]), 'name    x\na       1\nbb    100');
});
