import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InMemoryImageDataset } from '../../lib/data/image-dataset';
import { datasetFingerprint, drawValidationIndices, loadOrCreateSplit } from '../../lib/data/split';
import { expectKitError, makeTempDir } from './helpers';

const root = makeTempDir('split');

/** `count` 2x2x1 images; image i is filled with (i * 7 + salt) mod 256. */
function dataset(count: number, salt = 0, name = 'toy/train'): InMemoryImageDataset {
  const pixels = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) pixels.fill((i * 7 + salt) % 256, i * 4, i * 4 + 4);
  return new InMemoryImageDataset(name, 2, 2, 1, pixels, Int32Array.from({ length: count }, (_, i) => i % 3));
}

test('validation indices are a deterministic function of (count, seed, fraction)', () => {
  const a = drawValidationIndices(1000, 42, 0.1);
  assert.equal(a.length, 100);
  assert.deepEqual(a, drawValidationIndices(1000, 42, 0.1));
  assert.notDeepEqual(a, drawValidationIndices(1000, 43, 0.1));
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.equal(new Set(a).size, 100);
  assert.ok(a.every((i) => Number.isInteger(i) && i >= 0 && i < 1000));
  // Pinned values: a change here means seedrandom's alea or the shuffle changed, and splits would differ across versions.
  assert.deepEqual(drawValidationIndices(10, 42, 0.3), [5, 6, 8]);
  assert.deepEqual(a.slice(0, 8), [11, 25, 50, 63, 95, 96, 104, 109]);
});

test('loadOrCreateSplit writes the file once and returns the same split after', () => {
  const file = path.join(root, 'a', 'split.json');
  const ds = dataset(50);
  const first = loadOrCreateSplit(file, ds, 7, 0.2);
  assert.equal(first.validation.length, 10);
  assert.equal(first.train.length, 40);
  assert.deepEqual([...first.train, ...first.validation].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(Object.keys(stored), ['dataset', 'count', 'seed', 'validationFraction', 'fingerprint', 'validation']);
  assert.deepEqual([stored.dataset, stored.count, stored.seed, stored.validationFraction], ['toy/train', 50, 7, 0.2]);
  assert.match(stored.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(stored.fingerprint, datasetFingerprint(ds));
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['split.json'], 'no temp files left behind');

  // A stored split is never redrawn: hand-edit it (still valid) and it is returned as stored.
  stored.validation = Array.from({ length: 10 }, (_, i) => i);
  fs.writeFileSync(file, JSON.stringify(stored));
  assert.deepEqual(loadOrCreateSplit(file, ds, 7, 0.2).validation, stored.validation);
});

test('a split file that does not match its dataset or settings is refused', () => {
  const file = path.join(root, 'b', 'split.json');
  loadOrCreateSplit(file, dataset(50), 7, 0.2);
  const before = fs.readFileSync(file, 'utf8');
  expectKitError(() => loadOrCreateSplit(file, dataset(51), 7, 0.2), /was drawn for 50 images \(now 51\)/);
  expectKitError(() => loadOrCreateSplit(file, dataset(50, 1), 7, 0.2), /fingerprint/);
  expectKitError(() => loadOrCreateSplit(file, dataset(50), 8, 0.2), /seed 7 \(now 8\)/);
  expectKitError(() => loadOrCreateSplit(file, dataset(50), 7, 0.25), /validation fraction 0\.2 \(now 0\.25\)/);
  expectKitError(() => loadOrCreateSplit(file, dataset(50, 0, 'other/train'), 7, 0.2), /dataset 'toy\/train' \(now 'other\/train'\)/);
  const err = expectKitError(() => loadOrCreateSplit(file, dataset(51), 7, 0.2), /split\.json/);
  assert.match(err.hint!, /delete the file/);
  assert.match(err.hint!, /restore the dataset/);
  assert.equal(fs.readFileSync(file, 'utf8'), before, 'the file is left untouched');
});

test('corrupt split files and bad arguments are KitErrors', () => {
  const file = path.join(root, 'c.json');
  fs.writeFileSync(file, '{ not json');
  expectKitError(() => loadOrCreateSplit(file, dataset(20), 1, 0.5), /cannot read .*c\.json as JSON/);
  fs.writeFileSync(file, JSON.stringify({ dataset: 'toy/train' }));
  expectKitError(() => loadOrCreateSplit(file, dataset(20), 1, 0.5), /is not a split file/);
  const ok = loadOrCreateSplit(path.join(root, 'd.json'), dataset(20), 1, 0.5);
  fs.writeFileSync(file, JSON.stringify({ ...ok, train: undefined, validation: [...ok.validation.slice(1), 99] }));
  expectKitError(() => loadOrCreateSplit(file, dataset(20), 1, 0.5), /validation index 99/);
  fs.writeFileSync(file, JSON.stringify({ ...ok, train: undefined, validation: ok.validation.slice(1) }));
  expectKitError(() => loadOrCreateSplit(file, dataset(20), 1, 0.5), /lists 9 validation indices/);

  expectKitError(() => loadOrCreateSplit(path.join(root, 'e.json'), dataset(20), 1, 0), /between 0 and 1/);
  expectKitError(() => loadOrCreateSplit(path.join(root, 'e.json'), dataset(20), 1.5, 0.1), /seed must be an integer/);
  expectKitError(() => loadOrCreateSplit(path.join(root, 'e.json'), dataset(3), 1, 0.1), /leaves 0 validation/);
  assert.equal(fs.existsSync(path.join(root, 'e.json')), false);
});
