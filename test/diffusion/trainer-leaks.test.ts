import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/tfjs/backend';
import { InMemoryImageDataset } from '../../lib/data/image-dataset';
import { linearBetaSchedule } from '../../lib/diffusion/noise-schedule';
import { planUNet } from '../../lib/diffusion/unet-spec';
import { trainModel } from '../../lib/diffusion/trainer';
import { tempDir } from '../helpers/temp-dir';

test('training and resuming leave no TF.js tensors behind (memory stays flat over steps)', async () => {
  await initBackend('wasm');
  const plan = planUNet({ ch: 4, chMult: [1, 2], numResBlocks: 1, attnResolutions: [4], dropout: 0.1, groupNormGroups: 2, resamplingConv: true, imageSize: 8, inChannels: 1, outChannels: 1 });
  const data = new InMemoryImageDataset('synthetic', 8, 8, 1, new Uint8Array(16 * 64).map((_, i) => (i * 7) % 256));
  const settings = { batchSize: 8, microBatchSize: 4, iterations: 4, learningRate: 1e-3, adamBeta1: 0.9, adamBeta2: 0.999, adamEps: 1e-8, gradClipNorm: 1, warmupSteps: 0, lrDecay: 'constant' as const, emaRate: 0.9, emaWarmup: true, seed: 0, checkpointEvery: 2, snapshotEvery: null, logEvery: 1, randomFlip: false };
  const file = path.join(tempDir('omsdpm-leak-'), 'ck.bin');
  const job = { modelId: 'x', plan, schedule: linearBetaSchedule(1000, 1e-4, 0.02), data, settings, identity: {}, provenance: {}, checkpointFile: file };
  const before = tf.memory().numTensors;
  await trainModel({ ...job, resume: false, stopAfterStep: 2 });
  assert.equal(tf.memory().numTensors, before, 'after a fresh run');
  await trainModel({ ...job, resume: true });
  assert.equal(tf.memory().numTensors, before, 'after a resumed run');
});
