import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../lib/tfjs/backend';
import { InMemoryImageDataset } from '../../lib/data/image-dataset';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { planUNet } from '../../lib/diffusion/unet-spec';
import { trainModel, type TrainerSettings } from '../../lib/diffusion/trainer';
import { readTensorFile } from '../../lib/diffusion/tensor-file';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const plan = planUNet({ ch: 4, chMult: [1, 2], numResBlocks: 1, attnResolutions: [4], dropout: 0.1, groupNormGroups: 2, resamplingConv: true, imageSize: 8, inChannels: 1, outChannels: 1 });
const schedule = linearBetaSchedule(1000, 1e-4, 0.02);
const pixels = new Uint8Array(40 * 64);
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + (i >> 6) * 11) % 256;
const data = new InMemoryImageDataset('synthetic/train', 8, 8, 1, pixels);
const settings: TrainerSettings = {
  batchSize: 8, microBatchSize: 4, iterations: 6, learningRate: 2e-3, adamBeta1: 0.9, adamBeta2: 0.999, adamEps: 1e-8,
  gradClipNorm: 1.0, warmupSteps: 2, lrDecay: 'cosine', emaRate: 0.9, emaWarmup: true, seed: 3, checkpointEvery: 2, snapshotEvery: 3, logEvery: 1, randomFlip: true,
};

function tmp(): string {
  return tempDir('omsdpm-train-');
}

test('a run stopped after step 2 and resumed reaches the same weights as an uninterrupted run', async () => {
  await initBackend('wasm');
  const dirA = tmp();
  const dirB = tmp();
  const base = { modelId: 'tiny', plan, schedule, data, settings, identity: { plan: plan.arch }, provenance: {} };
  const snapshot = (dir: string) => (step: number) => path.join(dir, 'snapshots', `ema-${step}.bin`);
  const full = await trainModel({ ...base, checkpointFile: path.join(dirA, 'ck.bin'), snapshotFile: snapshot(dirA), resume: false });
  // A kill between checkpoints leaves the last checkpoint on disk: here the step-2 one.
  await trainModel({ ...base, checkpointFile: path.join(dirB, 'ck.bin'), snapshotFile: snapshot(dirB), resume: false, stopAfterStep: 2 });
  assert.equal(readTensorFile<{ step: number }>(path.join(dirB, 'ck.bin')).meta.step, 2);
  const resumed = await trainModel({ ...base, checkpointFile: path.join(dirB, 'ck.bin'), snapshotFile: snapshot(dirB), resume: true });
  assert.equal(resumed.resumedFrom, 2);
  assert.equal(resumed.step, full.step);
  for (let i = 0; i < full.params.length; i++) {
    assert.deepEqual(resumed.params[i].data, full.params[i].data, `params ${full.params[i].name} differ`);
    assert.deepEqual(resumed.ema[i].data, full.ema[i].data, `ema ${full.ema[i].name} differ`);
  }
  assert.deepEqual(resumed.lossCurve, full.lossCurve);
  // the EMA snapshots of steps 3 and 6 (snapshotEvery 3) are the same in both runs; the last is the final EMA
  for (const dir of [dirA, dirB]) assert.deepEqual(fs.readdirSync(path.join(dir, 'snapshots')).sort(), ['ema-3.bin', 'ema-6.bin']);
  for (const step of [3, 6]) {
    const a = readTensorFile<{ step: number }>(snapshot(dirA)(step));
    assert.equal(a.meta.step, step);
    assert.equal(a.sha256, readTensorFile(snapshot(dirB)(step)).sha256);
  }
  assert.deepEqual(readTensorFile(snapshot(dirA)(6)).arrays.get(full.ema[0].name)!.data, full.ema[0].data);
  // training changed the weights, and the loss curve has one point per logged step
  assert.equal(full.lossCurve.length, 6);
  assert.ok(full.lossCurve.every((p) => Number.isFinite(p.loss) && p.loss > 0));
});

test('an existing checkpoint is never overwritten without --resume, and a mismatched one is refused', async () => {
  await initBackend('wasm');
  const dir = tmp();
  const file = path.join(dir, 'ck.bin');
  const base = { modelId: 'tiny', plan, schedule, data, settings: { ...settings, iterations: 2 }, identity: { plan: plan.arch }, provenance: {}, checkpointFile: file };
  await trainModel({ ...base, resume: false });
  await assert.rejects(trainModel({ ...base, resume: false }), (e: unknown) => isKitError(e) && /already exists/.test((e as Error).message));
  await assert.rejects(trainModel({ ...base, identity: { other: 1 }, resume: true }), (e: unknown) => isKitError(e) && /another model/.test((e as Error).message));
});

test('a truncated checkpoint is reported as corrupt', async () => {
  const dir = tmp();
  const file = path.join(dir, 'ck.bin');
  await initBackend('wasm');
  await trainModel({ modelId: 'tiny', plan, schedule, data, settings: { ...settings, iterations: 1 }, identity: {}, provenance: {}, checkpointFile: file, resume: false });
  const buf = fs.readFileSync(file);
  fs.writeFileSync(file, buf.subarray(0, buf.length - 100));
  assert.throws(() => readTensorFile(file), (e: unknown) => isKitError(e) && /corrupt or truncated/.test((e as Error).message));
});
