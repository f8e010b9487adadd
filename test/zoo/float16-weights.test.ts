/**
 * train-zoo with storage.weights float16 (test/fixtures/tiny-mnist.yaml, WASM backend): the
 * committed ema-weights.bin is float16 while the training checkpoint in runs/ stays float32, and
 * what train-zoo makes after saving (the sample grid, the ONNX export) comes from the stored,
 * rounded weights: redrawn from the file alone it is the same grid, and drawn from the unrounded
 * EMA it is not (so the check can tell the two apart). Switching back to float32 rewrites the file
 * from the finished checkpoint without training a step; switching to float16 again with no
 * checkpoint left (a fresh clone) rounds the committed float32 file in place, also without a step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment, type ResolvedExperiment } from '../../lib/config/index';
import { writeImageGrid } from '../../lib/data/image-grid';
import { readTensorFile, writeTensorFile, type NamedArray } from '../../lib/diffusion/tensor-file';
import { initBackend } from '../../lib/tfjs/backend';
import { roundToFloat16 } from '../../lib/util/float16';
import { trainZoo, weightsState } from '../../lib/zoo/train-zoo';
import { zooPaths } from '../../lib/zoo/workspace';
import { loadZooModel } from '../../lib/zoo/zoo-model';
import { sampleWithDdim } from '../../lib/zoo/zoo-sampling';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');
const GRID = { count: 16, steps: 4 };

/** The member's DDIM images drawn from whatever its weights file holds now. */
async function drawFromFile(exp: ResolvedExperiment, id: string): Promise<Uint8Array> {
  const model = loadZooModel(exp, id);
  try {
    return await sampleWithDdim(exp, model.denoiser, GRID);
  } finally {
    model.dispose();
  }
}

/** The EMA arrays of a training checkpoint, under their weight names. */
function checkpointEma(file: string): NamedArray[] {
  const ck = readTensorFile(file);
  assert.equal(ck.dtype, 'float32', 'training checkpoints stay float32');
  return [...ck.arrays.values()].filter((a) => a.name.startsWith('ema/')).map((a) => ({ ...a, name: a.name.slice('ema/'.length) }));
}

test('float16 zoo weights: stored rounded, and the grid and ONNX export are made from the stored weights', async () => {
  const dir = tempDir('omsdpm-f16-zoo-');
  process.env.OMS_DPM_RESULTS = path.join(dir, 'results');
  process.env.OMS_DPM_RUNS = path.join(dir, 'runs');
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, { set: ['storage.weights=float16'] });
    await trainZoo(exp, { models: ['a'], resume: false, grid: GRID });
    const p = zooPaths(exp, 'a');
    const stored = readTensorFile(p.weights);
    assert.equal(stored.dtype, 'float16');
    assert.deepEqual(weightsState(exp, 'a'), { state: 'trained' });

    // the file holds the checkpoint's EMA rounded to float16, which is not the EMA itself
    const ema = checkpointEma(p.checkpoint);
    let changed = 0;
    for (const a of ema) {
      assert.deepEqual(stored.arrays.get(a.name)!.data, roundToFloat16(a.data), a.name);
      changed += a.data.filter((x, i) => x !== stored.arrays.get(a.name)!.data[i]).length;
    }
    assert.ok(changed > 0, 'rounding changed some weights');

    // the grid train-zoo drew is the grid of the stored weights, drawn from the file alone
    const fromFile = await drawFromFile(exp, 'a');
    const d = exp.config.dataset;
    const redrawn = path.join(dir, 'redrawn.png');
    writeImageGrid(redrawn, fromFile, GRID.count, d.imageSize, d.imageSize, d.channels, 8);
    assert.ok(fs.readFileSync(redrawn).equals(fs.readFileSync(p.sampleGrid(GRID.steps))), 'the sample grid is not the stored weights\' grid');
    // the ONNX export was made from the stored file
    const onnx = JSON.parse(fs.readFileSync(p.onnxProvenance, 'utf8')) as { weightsSha256: string };
    assert.equal(onnx.weightsSha256, stored.sha256);

    // the unrounded EMA draws other images: the grid check above can tell them apart
    writeTensorFile(p.weights, stored.meta, ema);
    assert.notDeepEqual(await drawFromFile(exp, 'a'), fromFile, 'float32 and float16 weights draw the same images: the grid check proves nothing');

    // back to float32: the float16 file is stale, and the finished checkpoint gives the exact EMA without a training step
    writeTensorFile(p.weights, stored.meta, [...stored.arrays.values()], { dtype: 'float16' });
    const exp32 = loadExperiment(tiny);
    assert.deepEqual(weightsState(exp32, 'a'), { state: 'stale' });
    const steps: number[] = [];
    await trainZoo(exp32, { models: ['a'], resume: true, onProgress: (_, s) => steps.push(s.step) });
    assert.deepEqual(steps, [], 'no step trained');
    const back = readTensorFile(p.weights);
    assert.equal(back.dtype, 'float32');
    for (const a of ema) assert.deepEqual(back.arrays.get(a.name)!.data, a.data, a.name);

    // float16 again, runs/ gone: the finished float32 file is rounded in place, the grid and export follow
    fs.rmSync(path.join(dir, 'runs'), { recursive: true, force: true });
    assert.deepEqual(weightsState(exp, 'a'), { state: 'roundable' });
    const summaryBefore = JSON.parse(fs.readFileSync(p.summary, 'utf8')) as { trainSeconds: number; provenance: unknown };
    const roundingSteps: number[] = [];
    const rounded = await trainZoo(exp, { models: ['a'], resume: false, grid: GRID, onProgress: (_, s) => roundingSteps.push(s.step) });
    assert.deepEqual(roundingSteps, [], 'no step trained');
    assert.equal(rounded[0].steps, (back.meta as { step: number }).step);
    const again = readTensorFile(p.weights);
    assert.equal(again.dtype, 'float16');
    assert.deepEqual(again.meta, back.meta, 'the training metadata and provenance are kept');
    for (const a of ema) assert.deepEqual(again.arrays.get(a.name)!.data, roundToFloat16(a.data), a.name);
    assert.equal(again.sha256, stored.sha256, 'the same bytes the finished checkpoint gave');
    assert.deepEqual(weightsState(exp, 'a'), { state: 'trained' });
    const summaryAfter = JSON.parse(fs.readFileSync(p.summary, 'utf8')) as { trainSeconds: number; provenance: unknown; onnx: { weightsSha256: string } };
    assert.equal(summaryAfter.trainSeconds, summaryBefore.trainSeconds);
    assert.deepEqual(summaryAfter.provenance, summaryBefore.provenance);
    assert.equal(summaryAfter.onnx.weightsSha256, again.sha256);
    assert.equal((JSON.parse(fs.readFileSync(p.onnxProvenance, 'utf8')) as { weightsSha256: string }).weightsSha256, again.sha256);
    assert.ok(fs.readFileSync(redrawn).equals(fs.readFileSync(p.sampleGrid(GRID.steps))), 'the grid is the rounded weights\' grid again');
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    delete process.env.OMS_DPM_RUNS;
    removeTempDir(dir);
  }
});
