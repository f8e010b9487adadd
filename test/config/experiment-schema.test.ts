import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExperimentConfig,
  modelIndex,
  resolveModelTraining,
  unetChannelCounts,
  unetResolutions,
  validateExperiment,
  zooMember,
} from '../../lib/config/experiment-schema';
import { ConfigError, formatPath } from '../../lib/config/schema-kit';
import { KitError } from '../../lib/util/errors';
import { minimalExperiment } from './fixtures';

function rejects(value: unknown, pathText: string, ...fragments: string[]): ConfigError {
  try {
    validateExperiment(value, { expectedName: 'tiny' });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(formatPath(e.path), pathText, e.message);
    for (const f of fragments) assert.ok(e.message.includes(f), `'${e.message}' lacks '${f}'`);
    return e;
  }
  assert.fail(`expected an error at ${pathText}`);
}

test('a minimal config gets the paper defaults', () => {
  const cfg: ExperimentConfig = validateExperiment(minimalExperiment(), { expectedName: 'tiny' });
  assert.deepEqual(cfg.diffusion, { timesteps: 1000, betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 });
  assert.equal(cfg.training.batchSize, 128);
  assert.equal(cfg.training.learningRate, 2e-4);
  assert.equal(cfg.training.adamEps, 1e-8);
  assert.equal(cfg.training.gradClipNorm, 1);
  assert.equal(cfg.training.microBatchSize, null);
  assert.equal(cfg.training.emaRate, 0.9999);
  assert.equal(cfg.training.emaWarmup, false);
  assert.equal(cfg.dataset.root, null);
  assert.equal(cfg.dataset.validationFraction, 0.1);
  assert.deepEqual(cfg.zoo[0].unet, {
    ch: 8,
    chMult: [1, 2, 2],
    numResBlocks: 1,
    attnResolutions: [],
    dropout: 0.1,
    groupNormGroups: 4,
    resamplingConv: true,
  });
  assert.deepEqual(cfg.zoo[0].training, {});
  assert.deepEqual(cfg.sampling, { batchSize: 128, noiseBankSeed: 1234, clipDenoised: true });
  assert.deepEqual(cfg.deviations, []);
  assert.equal(cfg.description, '');
});

test('resolveModelTraining merges a member over the global training', () => {
  const cfg = validateExperiment(minimalExperiment());
  assert.equal(resolveModelTraining(cfg, 's8').iterations, 100);
  const m = resolveModelTraining(cfg, 'm16');
  assert.equal(m.iterations, 200);
  assert.equal(m.learningRate, 2e-4);
  assert.equal(cfg.training.iterations, 100, 'global training untouched');
  const v = minimalExperiment();
  v.zoo[2].training = { microBatchSize: 32, gradClipNorm: null };
  const big = resolveModelTraining(validateExperiment(v), 'l24');
  assert.deepEqual([big.microBatchSize, big.gradClipNorm, big.batchSize], [32, null, 128]);
  assert.equal(modelIndex(cfg, 's8'), 1);
  assert.equal(modelIndex(cfg, 'l24'), 3);
  assert.throws(() => zooMember(cfg, 'm61'), (e: unknown) => e instanceof KitError && /did you mean 'm16'/.test(e.message));
});

test('negative learning rate', () => {
  const v = minimalExperiment();
  v.training.learningRate = -2e-4;
  rejects(v, 'training.learningRate', 'must be number > 0', '-0.0002');
});

test('wrong type deep in the zoo', () => {
  const v = minimalExperiment();
  v.zoo[2].unet.chMult = [1, '2', 2];
  rejects(v, 'zoo[2].unet.chMult[1]', 'expected int >= 1', '"2" (string)');
});

test('unknown key with suggestion', () => {
  const v = minimalExperiment();
  v.dataset.imgSize = 28;
  rejects(v, 'dataset.imgSize', "did you mean 'imageSize'?", 'allowed keys in dataset:');
  const w = minimalExperiment();
  w.zoo[1].training.iteration = 5;
  rejects(w, 'zoo[1].training.iteration', "did you mean 'iterations'?");
});

test('groupNormGroups must divide every channel count', () => {
  const v = minimalExperiment();
  v.zoo[2].unet.groupNormGroups = 16; // 24 is not a multiple of 16
  rejects(v, 'zoo[2].unet.groupNormGroups', '16 does not divide channel count 24', 'allowed: 1, 2, 3, 4, 6, 8, 12, 24');
  assert.deepEqual(unetChannelCounts({ ch: 24, chMult: [1, 2, 2] } as never), [24, 24, 48, 48]);
});

test('attention resolutions must be reachable', () => {
  const v = minimalExperiment();
  v.zoo[0].unet.attnResolutions = [14, 16];
  rejects(v, 'zoo[0].unet.attnResolutions[1]', '16 is not a resolution of this UNet', '28, 14, 7');
  assert.deepEqual(unetResolutions({ chMult: [1, 2, 2, 2] } as never, 32), [32, 16, 8, 4]);
});

test('imageSize must survive the downsampling', () => {
  const v = minimalExperiment();
  v.zoo[1].unet.chMult = [1, 2, 2, 2]; // 28 -> 14 -> 7 -> 3.5
  rejects(v, 'zoo[1].unet.chMult', 'divisible by 8', '28 is not');
});

test('duplicate zoo ids', () => {
  const v = minimalExperiment();
  v.zoo[2].id = 's8';
  rejects(v, 'zoo[2].id', "duplicate id 's8'", 'zoo[0]');
});

test('bad zoo id, empty zoo, bad fraction, channels mismatch, betas', () => {
  const a = minimalExperiment();
  a.zoo[0].id = 'S_8';
  rejects(a, 'zoo[0].id', 'must match [a-z0-9-]+');
  const b = minimalExperiment();
  b.zoo = [];
  rejects(b, 'zoo', 'at least 1');
  const c = minimalExperiment();
  c.dataset.validationFraction = 1;
  rejects(c, 'dataset.validationFraction', 'number in (0, 1)');
  const d = minimalExperiment();
  d.dataset.channels = 3;
  rejects(d, 'dataset.channels', 'mnist has 1 channel');
  const e = minimalExperiment();
  e.diffusion = { betaStart: 0.03 };
  rejects(e, 'diffusion.betaStart', 'must not exceed betaEnd');
  const f = minimalExperiment();
  f.diffusion = { betaSchedule: 'cosine' };
  rejects(f, 'diffusion.betaSchedule', "'cosine' is not allowed", "'linear'");
  const g = minimalExperiment();
  delete g.dataset.imageSize;
  rejects(g, 'dataset.imageSize', 'required key is missing');
});

test('name must equal the file base name', () => {
  const v = minimalExperiment();
  v.name = 'other';
  const e = rejects(v, 'name', "'other' must equal the file's base name 'tiny'");
  assert.match(e.hint ?? '', /rename/);
});

test('profile keys must resolve to schema keys and existing zoo members', () => {
  const a = minimalExperiment();
  a.profiles.smoke['training.iteration'] = 3;
  rejects(a, 'profiles.smoke["training.iteration"]', "did you mean 'iterations'?");
  const b = minimalExperiment();
  b.profiles.smoke['zoo[xl32].training.iterations'] = 3;
  rejects(b, 'profiles.smoke["zoo[xl32].training.iterations"]', "no element with id 'xl32'");
  const c = minimalExperiment();
  c.profiles.default = {};
  rejects(c, 'profiles.default', 'reserved');
  const d = minimalExperiment();
  d.profiles.Smoke = {};
  rejects(d, 'profiles.Smoke', 'must match');
});

test('held-out images never overlap the selection images: an overlapping range is refused with the fix', () => {
  const base = minimalExperiment() as Record<string, unknown>;
  const cfg = validateExperiment(base, { expectedName: 'tiny' });
  assert.ok(cfg.search.finalImagesStart >= Math.max(cfg.fid.images, cfg.search.rerankImages), 'the defaults are disjoint');
  const e = rejects({ ...base, fid: { images: 1000 }, search: { rerankImages: 5000, finalImagesStart: 4000 } }, 'search.finalImagesStart', 'inside the selection images 0..4999');
  assert.match(e.hint ?? '', /finalImagesStart to 5000 or more/);
  // the boundary itself is disjoint: held-out image 5000 follows selection image 4999
  validateExperiment({ ...base, fid: { images: 1000 }, search: { rerankImages: 5000, finalImagesStart: 5000 } }, { expectedName: 'tiny' });
});
