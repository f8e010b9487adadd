import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DATASET_NAMES, datasetShape, isDatasetName, loadDataset } from '../../lib/data/registry';
import { expectKitError, makeTempDir, noiseImage, writePng } from './helpers';

const root = makeTempDir('registry');

test('dataset names and shapes', () => {
  assert.deepEqual([...DATASET_NAMES], ['mnist', 'fashion-mnist', 'cifar10', 'celeba', 'lsun-church', 'imagenet64']);
  assert.ok(isDatasetName('cifar10'));
  assert.ok(!isDatasetName('cifar100'));
  assert.deepEqual(datasetShape('mnist'), { height: 28, width: 28, channels: 1 });
  assert.deepEqual(datasetShape('fashion-mnist'), { height: 28, width: 28, channels: 1 });
  assert.deepEqual(datasetShape('cifar10'), { height: 32, width: 32, channels: 3 });
  assert.deepEqual(datasetShape('celeba'), { height: 64, width: 64, channels: 3 });
  assert.deepEqual(datasetShape('lsun-church'), { height: 256, width: 256, channels: 3 });
  assert.deepEqual(datasetShape('lsun-church', 128), { height: 128, width: 128, channels: 3 });
  assert.deepEqual(datasetShape('imagenet64', 64), { height: 64, width: 64, channels: 3 });
});

test('unknown names, fixed-size datasets given another imageSize and bad parts are KitErrors', () => {
  const err = expectKitError(() => loadDataset('cifar100', { part: 'train' }), /unknown dataset 'cifar100'/);
  for (const name of DATASET_NAMES) assert.ok(err.message.includes(name));
  expectKitError(() => datasetShape('svhn'), /expected one of mnist, fashion-mnist, cifar10, celeba, lsun-church, imagenet64/);
  expectKitError(() => datasetShape('cifar10', 64), /cifar10 images are 32x32; imageSize 64 is not available/);
  expectKitError(() => loadDataset('mnist', { part: 'valid' as 'train' }), /part must be 'train' or 'test'/);
});

test('paper datasets without a root say they cannot be downloaded and what folder to provide', () => {
  const layouts: Record<string, RegExp> = {
    cifar10: /cifar-10-batches-bin/,
    celeba: /img_align_celeba/,
    'lsun-church': /church_outdoor/,
    imagenet64: /train_data_batch_1\.npz/,
  };
  for (const [name, layout] of Object.entries(layouts)) {
    for (const root of [undefined, null, '']) {
      const err = expectKitError(() => loadDataset(name, { part: 'train', root }), new RegExp(`${name} cannot be downloaded here`), layout);
      assert.match(err.hint!, /dataset\.root/);
    }
  }
});

test('loadDataset dispatches to the loaders', () => {
  assert.equal(loadDataset('mnist', { part: 'test' }).count, 10000);
  const lsun = path.join(root, 'lsun');
  writePng(path.join(lsun, 'a.png'), noiseImage(10, 12, 1));
  const ds = loadDataset('lsun-church', { part: 'train', root: lsun, imageSize: 8 });
  assert.deepEqual([ds.name, ds.count, ds.height], ['lsun-church/train', 1, 8]);
  const celeba = path.join(root, 'celeba', 'img_align_celeba');
  writePng(path.join(celeba, '000001.png'), noiseImage(218, 178, 2));
  assert.equal(loadDataset('celeba', { part: 'train', root: path.dirname(celeba) }).height, 64);
  expectKitError(() => loadDataset('cifar10', { part: 'train', root: lsun }), /found none/);
});
