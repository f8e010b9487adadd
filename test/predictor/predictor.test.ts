/**
 * The predictor as the rest of the kit uses it: batched scoring (validation, chunking, speed),
 * checkpoints, and training bookkeeping (determinism, evaluation cadence, best-selection file).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import { SchedulePredictor, loadPredictor, savePredictor, trainPredictor } from '../../lib/predictor/index';
import { randomSchedules } from '../../lib/schedule/index';
import { KitError } from '../../lib/util/errors';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const TINY = { modelEmbDim: 4, timeSinusoidDim: 8, timeEmbDim: 4, solverEncoderDims: [6, 5], orderEmbDim: 3, hiddenSize: 8, headDims: [8, 8] };

before(async () => {
  await initBackend('wasm');
});

function schedulesOf(solver: 'ddim' | 'dpm-solver', count: number, length: number, seed: number, numModels = 3): number[][] {
  return randomSchedules(solver, count, { length, numModels, seed }).map((s) => [...s.entries]);
}

test('score: deterministic, independent of chunking and of the other schedules in the call', () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const p = SchedulePredictor.create({ solver, numModels: 3, length: 12, ...TINY }, 7);
    const q = SchedulePredictor.create({ solver, numModels: 3, length: 12, ...TINY }, 7);
    const schedules = schedulesOf(solver, 25, 12, 1);
    const all = p.score(schedules);
    assert.equal(all.length, 25);
    assert.deepEqual(Array.from(q.score(schedules)), Array.from(all), 'same seed, same scores');
    const chunked = p.score(schedules, { chunkSize: 4 });
    const single = schedules.map((s) => p.score([s])[0]);
    for (let i = 0; i < 25; i++) {
      assert.ok(Math.abs(chunked[i] - all[i]) < 1e-5);
      assert.ok(Math.abs(single[i] - all[i]) < 1e-5);
    }
    assert.equal(p.score([]).length, 0);
    p.dispose();
    q.dispose();
  }
});

test('score: invalid schedules are KitErrors naming the input and the rule', () => {
  const p = SchedulePredictor.create({ solver: 'dpm-solver', numModels: 3, length: 6, ...TINY }, 1);
  const rejects = (schedules: number[][], re: RegExp) =>
    assert.throws(() => p.score(schedules), (e: unknown) => e instanceof KitError && re.test(e.message) && /length 6 over 3 models/.test(e.hint ?? ''));
  rejects([[1, 0, 0, 2, 0, 0], [1, 2, 3]], /predictor input 1: .*length 3, expected 6/);
  rejects([[1, 0, 0, 4, 0, 0]], /predictor input 0: .*model index 4 is out of range 0\.\.3/);
  rejects([[0, 1, 0, 0, 0, 0]], /packing rule/);
  rejects([[0, 0, 0, 0, 0, 0]], /no active entry/);
  assert.throws(() => p.score([[1, 0, 0, 0, 0, 0]], { chunkSize: 0 }), KitError);
  p.dispose();
});

test('checkpoint: save and load give the same scores; a config mismatch is a KitError', () => {
  const dir = tempDir('predictor-ckpt-');
  try {
    const p = SchedulePredictor.create({ solver: 'dpm-solver', numModels: 3, length: 12, ...TINY }, 2);
    const file = path.join(dir, 'p.bin');
    savePredictor(file, p, { note: 'test' });
    const { predictor: q, info } = loadPredictor(file);
    assert.deepEqual(info, { note: 'test' });
    assert.deepEqual(q.config, p.config);
    const schedules = schedulesOf('dpm-solver', 10, 12, 3);
    assert.deepEqual(Array.from(q.score(schedules)), Array.from(p.score(schedules)));
    assert.throws(
      () => SchedulePredictor.fromWeights({ ...p.config, hiddenSize: 9 }, new Map(p.weights().map((w) => [w.name, w])), 'x.bin'),
      (e: unknown) => e instanceof KitError && /x\.bin: predictor parameter 'lstm\.wIh' is \[/.test(e.message),
    );
    fs.writeFileSync(path.join(dir, 'junk.bin'), 'not a checkpoint');
    assert.throws(() => loadPredictor(path.join(dir, 'junk.bin')), KitError);
    p.dispose();
    q.dispose();
  } finally {
    removeTempDir(dir);
  }
});

test('training: deterministic in the seeds, evaluates every evalEvery epochs, writes the best-selection checkpoint', () => {
  const dir = tempDir('predictor-train-');
  try {
    const schedules = schedulesOf('ddim', 60, 8, 5);
    const fids = schedules.map((e) => e.reduce((a, m, i) => a + m * (i + 1), 0) / 4);
    const train = { schedules: schedules.slice(0, 40), fids: fids.slice(0, 40) };
    const selection = { schedules: schedules.slice(40), fids: fids.slice(40) };
    const run = (checkpointPath?: string) => {
      const p = SchedulePredictor.create({ solver: 'ddim', numModels: 3, length: 8, ...TINY }, 11);
      const r = trainPredictor(p, train, selection, { epochs: 4, seed: 3, batchSize: 16, evalEvery: 2, checkpointPath });
      const w = p.weights();
      p.dispose();
      return { r, w };
    };
    const file = path.join(dir, 'best.bin');
    const a = run(file);
    const b = run();
    assert.deepEqual(
      a.w.map((x) => Array.from(x.data)),
      b.w.map((x) => Array.from(x.data)),
      'bit-identical weights',
    );
    assert.deepEqual(a.r.history.map((e) => e.epoch), [2, 4]);
    assert.equal(a.r.steps, 4 * 3);
    assert.deepEqual(
      a.r.history.map((e) => [e.loss, e.trainTau, e.selectionTau]),
      b.r.history.map((e) => [e.loss, e.trainTau, e.selectionTau]),
    );
    const best = a.r.best!;
    assert.equal(best.selectionTau, Math.max(...a.r.history.map((e) => e.selectionTau)));
    const { predictor, info } = loadPredictor(file);
    assert.equal(info.epoch, best.epoch);
    assert.deepEqual(info.metrics, { loss: best.loss, trainTau: best.trainTau, selectionTau: best.selectionTau });
    assert.deepEqual(info.dataset, { train: 40, selection: 20 });
    // The file holds the best weights, which training restored at the end.
    assert.deepEqual(predictor.weights().map((x) => Array.from(x.data)), a.w.map((x) => Array.from(x.data)));
    predictor.dispose();
    // A batch with no pair over the threshold is skipped, not a NaN step.
    const flat = { schedules: train.schedules, fids: train.fids.map(() => 1) };
    const p = SchedulePredictor.create({ solver: 'ddim', numModels: 3, length: 8, ...TINY }, 11);
    const r = trainPredictor(p, flat, selection, { epochs: 1, seed: 3, batchSize: 16, evalEvery: 1 });
    assert.equal(r.steps, 0);
    assert.equal(r.skippedBatches, 3);
    assert.throws(() => trainPredictor(p, { schedules: train.schedules, fids: [1] }, selection, { epochs: 1, seed: 1 }), KitError);
    assert.throws(() => trainPredictor(p, train, { schedules: selection.schedules.slice(0, 1), fids: selection.fids.slice(0, 1) }, { epochs: 1, seed: 1 }), (e: unknown) => e instanceof KitError && /selection set has 1 schedule/.test(e.message));
    assert.throws(() => trainPredictor(p, train, selection, { epochs: 0, seed: 1 }), KitError);
    p.dispose();
    assert.equal(tf.memory().numTensors, 0, 'no tensor leaks');
  } finally {
    removeTempDir(dir);
  }
});

test('scoring throughput at the paper sizes (1000 schedules, L = 90)', (t) => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const p = SchedulePredictor.create({ solver, numModels: 6, length: 90 }, 1);
    const schedules = schedulesOf(solver, 1000, 90, 9, 6);
    p.score(schedules.slice(0, 40)); // warm-up
    let t0 = performance.now();
    const s = p.score(schedules);
    const ms = performance.now() - t0;
    t0 = performance.now();
    p.score(schedules.slice(0, 40));
    const ms40 = performance.now() - t0;
    assert.equal(s.length, 1000);
    assert.ok(s.every((v) => Number.isFinite(v)));
    t.diagnostic(`${solver}: 1000 schedules in ${ms.toFixed(0)} ms (${((1000 / ms) * 1000).toFixed(0)} schedules/s); a 40-schedule generation in ${ms40.toFixed(0)} ms`);
    p.dispose();
  }
});
