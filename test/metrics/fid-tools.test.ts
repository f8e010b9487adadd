import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { initBackend } from '../../lib/tfjs/backend';
import { loadTfjsFeatureModel } from '../../lib/metrics/feature-extractor';
import { writeStatsNpz, readStatsNpz } from '../../lib/metrics/fid-stats-file';
import { readImageFolder } from '../../lib/metrics/folder-images';
import { trainFeatureNet } from '../../lib/metrics/feature-network-training';
import { loadMnist } from '../../lib/data/mnist';
import { subsetDataset } from '../../lib/data/image-dataset';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const tmp = () => tempDir('omsdpm-fid-');

function diagStats(mu: number[], v: number[]) {
  const n = mu.length;
  const sigma = new Float64Array(n * n);
  v.forEach((x, i) => (sigma[i * n + i] = x));
  return { mu: Float64Array.from(mu), sigma, dim: n };
}

test('oms-dpm fid on two .npz statistics files prints the closed-form value as JSON', () => {
  const dir = tmp();
  writeStatsNpz(path.join(dir, 'a.npz'), diagStats([0, 0], [1, 4]));
  writeStatsNpz(path.join(dir, 'b.npz'), diagStats([3, 0], [4, 4]));
  const back = readStatsNpz(path.join(dir, 'a.npz'));
  assert.deepEqual([...back.sigma], [1, 0, 0, 4]);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'fid', path.join(dir, 'a.npz'), path.join(dir, 'b.npz'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { fid } = JSON.parse(r.stdout);
  assert.ok(Math.abs(fid - (9 + 1)) < 1e-9, `fid ${fid}`); // |dmu|^2 = 9, (1-2)^2 = 1
});

test('fid errors: a missing file, an npz without mu/sigma, an empty folder, and folders without --experiment', () => {
  const dir = tmp();
  const cli = (...a: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'fid', ...a], { encoding: 'utf8' });
  let r = cli(path.join(dir, 'nope.npz'), path.join(dir, 'nope2.npz'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not found/);
  fs.mkdirSync(path.join(dir, 'empty'));
  r = cli(path.join(dir, 'empty'), path.join(dir, 'empty'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--experiment/);
  assert.throws(() => readImageFolder(path.join(dir, 'empty'), 1), (e: unknown) => isKitError(e) && /0 \.png\/\.jpg image/.test((e as Error).message));
  fs.writeFileSync(path.join(dir, 'x.npz'), Buffer.from('not a zip'));
  r = cli(path.join(dir, 'x.npz'), path.join(dir, 'x.npz'));
  assert.equal(r.status, 2);
});

test('image folders are read sorted, converted to grey by luma, and must share one size', () => {
  const dir = tmp();
  const write = (name: string, w: number, h: number, rgb: [number, number, number]) => {
    const png = new PNG({ width: w, height: h });
    for (let i = 0; i < w * h; i++) png.data.set([...rgb, 255], i * 4);
    fs.writeFileSync(path.join(dir, name), PNG.sync.write(png));
  };
  write('b.png', 2, 2, [255, 0, 0]);
  write('a.png', 2, 2, [0, 0, 255]);
  const imgs = readImageFolder(dir, 1);
  assert.equal(imgs.count, 2);
  assert.equal(imgs.pixels[0], Math.round(0.114 * 255)); // a.png first: blue
  assert.equal(imgs.pixels[4], Math.round(0.299 * 255));
  write('c.png', 3, 2, [1, 2, 3]);
  assert.throws(() => readImageFolder(dir, 1), /share one size/);
});

test('a TF.js model folder (model.json + shard) loads as a feature extractor and matches the model', async () => {
  await initBackend('wasm');
  const dir = tmp();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 5 }),
    ],
  });
  await model.save(tf.io.withSaveHandler(async (art) => {
    const data = Buffer.from(art.weightData as ArrayBuffer);
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), data);
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: art.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: art.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const ex = await loadTfjsFeatureModel(dir);
  assert.equal(ex.dim, 5);
  const pixels = new Uint8Array(2 * 4 * 4 * 1).map((_, i) => (i * 23) % 256); // 4x4 grey -> resized to 8x8x3
  const f = await ex.features(pixels, 2, 4, 4, 1);
  const ref = tf.tidy(() => {
    let x = tf.tensor4d(Float32Array.from(pixels, (p) => p / 127.5 - 1), [2, 4, 4, 1]);
    x = tf.image.resizeBilinear(tf.concat([x, x, x], 3) as tf.Tensor4D, [8, 8]);
    return model.predict(x) as tf.Tensor;
  });
  const r = await ref.data();
  for (let i = 0; i < f.length; i++) assert.ok(Math.abs(f[i] - r[i]) < 1e-5);
  ex.dispose();
  ref.dispose();
  await assert.rejects(loadTfjsFeatureModel(path.join(dir, 'missing')), /model\.json not found/);
});

test('the label-classifier feature network learns MNIST digits well above chance from a small subset', async () => {
  await initBackend('wasm');
  const train = loadMnist('train');
  const test = loadMnist('test');
  const small = subsetDataset(train, Array.from({ length: 2048 }, (_, i) => i), 'mnist/train[:2048]');
  const smallTest = subsetDataset(test, Array.from({ length: 500 }, (_, i) => i), 'mnist/test[:500]');
  const net = await trainFeatureNet(small, smallTest, { epochs: 1, batchSize: 64, learningRate: 2e-3, seed: 0 });
  assert.ok(net.testAccuracy > 0.6, `test accuracy ${net.testAccuracy} after 32 steps (chance 0.1)`);
  assert.equal(net.weights.find((w) => w.name === 'fc2.w')!.shape[1], 64);
});
