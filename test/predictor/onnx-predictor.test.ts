/**
 * The predictor on ONNX Runtime (lib/predictor/onnx-predictor.ts) scores exactly what the TF.js
 * forward scores: on the trained mnist predictors with the collected schedules, and on random
 * predictors of odd sizes (which catch a gate-order or layout mistake that a trained model's
 * scores might hide), and the search finds the same population with either.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readDataset } from '../../lib/collection/dataset-file';
import { initBackend } from '../../lib/tfjs/backend';
import { batchedScorer } from '../../lib/predictor/batched-scorer';
import { OnnxSchedulePredictor } from '../../lib/predictor/onnx-predictor';
import { SchedulePredictor, loadPredictor } from '../../lib/predictor/index';
import { randomSchedules } from '../../lib/schedule/index';
import { evolutionarySearch } from '../../lib/search/evolution';
import { isKitError } from '../../lib/util/errors';

const ODD = { modelEmbDim: 5, timeSinusoidDim: 10, timeEmbDim: 7, solverEncoderDims: [6, 9], orderEmbDim: 3, hiddenSize: 11, headDims: [13, 6] };
const results = path.join(__dirname, '..', '..', 'results', 'mnist');

before(async () => {
  await initBackend('wasm');
});

/** max |a - b| relative to the largest |a| (scores of random predictors are small). */
function relativeGap(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return gap / scale;
}

test('the trained mnist predictors score every collected schedule as on TF.js (1e-4 relative)', async () => {
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const { predictor } = loadPredictor(path.join(results, `predictor-${solver}`, 'predictor.bin'));
    const schedules = readDataset(path.join(results, `schedule-fid-${solver}.jsonl`)).records.map((r) => r.schedule);
    const ort = await OnnxSchedulePredictor.fromPredictor(predictor);
    try {
      const gap = relativeGap(predictor.score(schedules), await ort.score(schedules));
      assert.ok(gap < 1e-4, `${solver}: relative gap ${gap}`);
    } finally {
      await ort.release();
      predictor.dispose();
    }
  }
});

test('random predictors of odd sizes agree too, for several zoo sizes and lengths', async () => {
  for (const [solver, length, numModels] of [['ddim', 7, 1], ['ddim', 20, 4], ['dpm-solver', 9, 2], ['dpm-solver', 24, 3]] as const) {
    const p = SchedulePredictor.create({ solver, numModels, length, ...ODD }, 5);
    const ort = await OnnxSchedulePredictor.fromPredictor(p);
    try {
      const schedules = randomSchedules(solver, 40, { length, numModels, seed: 2 }).map((s) => [...s.entries]);
      const gap = relativeGap(p.score(schedules), await ort.score(schedules));
      assert.ok(gap < 1e-4, `${solver} L=${length} N=${numModels}: relative gap ${gap}`);
      assert.equal((await ort.score([])).length, 0);
      await assert.rejects(ort.score([schedules[0].slice(1)]), (e: unknown) => isKitError(e) && /length/.test((e as Error).message));
    } finally {
      await ort.release();
      p.dispose();
    }
  }
});

test('a scorer on two ONNX Runtime threads gives the one-thread scores', async () => {
  const p = SchedulePredictor.create({ solver: 'dpm-solver', numModels: 4, length: 90, ...ODD }, 3);
  const schedules = randomSchedules('dpm-solver', 64, { length: 90, numModels: 4, seed: 7 }).map((s) => [...s.entries]);
  const scores = [];
  for (const threads of [1, 2]) {
    const scorer = await batchedScorer(p, 'onnx', { threads });
    scores.push(await scorer.score(schedules));
    await scorer.release();
  }
  p.dispose();
  assert.ok(relativeGap(Float32Array.from(scores[0]), Float32Array.from(scores[1])) < 1e-6);
});

test('the search keeps the same population whichever engine scores', async () => {
  const p = SchedulePredictor.create({ solver: 'dpm-solver', numModels: 3, length: 30, ...ODD }, 1);
  const runs = [];
  for (const choice of ['onnx', 'tfjs'] as const) {
    const scorer = await batchedScorer(p, choice);
    assert.equal(scorer.engine, choice === 'onnx' ? 'onnxruntime-cpu' : 'tfjs');
    runs.push(
      await evolutionarySearch({ solver: 'dpm-solver', length: 30, numModels: 3, latency: [0, 10, 20, 35], budget: 200, seed: 4, settings: { generations: 40 }, score: scorer.score }),
    );
    await scorer.release();
  }
  p.dispose();
  assert.deepEqual(runs[0].map((m) => m.schedule), runs[1].map((m) => m.schedule));
});
