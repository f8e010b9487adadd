import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCelebA } from '../../lib/data/celeba';
import { centerCrop, resizeAntialiased } from '../../lib/data/image-resize';
import { expectKitError, makeTempDir, maxAbsDiff, noiseImage, rampImage, readAll, writeJpeg, writePng } from './helpers';

const root = makeTempDir('celeba');

/** CelebA-shaped (218 high, 178 wide) images: 000001..000003 as JPEG, 000004 as PNG, written out of order. */
function writeCeleba(parent: string) {
  const dir = path.join(parent, 'img_align_celeba');
  const png = noiseImage(218, 178, 4);
  writePng(path.join(dir, '000004.png'), png);
  for (const n of [3, 1, 2]) writeJpeg(path.join(dir, `00000${n}.jpg`), rampImage(218, 178, n), 100);
  return { dir, png };
}

test('CelebA: sorted files, centre crop 140 then antialiased resize to 64, lazily decoded', () => {
  const { dir, png } = writeCeleba(path.join(root, 'ok'));
  const ds = loadCelebA(path.dirname(dir), 'train');
  assert.deepEqual([ds.name, ds.count, ds.height, ds.width, ds.channels, ds.labels], ['celeba/train', 4, 64, 64, 3, null]);
  const pixels = readAll(ds);
  // The PNG is lossless, so image 3 must equal the reference pipeline exactly.
  const expected = resizeAntialiased(centerCrop(png, 140), 64, 64);
  assert.deepEqual(Array.from(pixels.subarray(3 * 12288)), Array.from(expected.data));
  // JPEGs are lossy: compare with the pipeline applied to the source image, within JPEG error.
  for (const n of [1, 2, 3]) {
    const reference = resizeAntialiased(centerCrop(rampImage(218, 178, n), 140), 64, 64);
    assert.ok(maxAbsDiff(pixels.subarray((n - 1) * 12288, n * 12288), reference.data) <= 6, `image 00000${n}.jpg`);
  }
  // The folder itself works as root too, and imageSize is configurable.
  assert.equal(loadCelebA(dir, 'train', 32).height, 32);
});

test('CelebA: list_eval_partition.txt selects train (0) and test (2)', () => {
  const { dir } = writeCeleba(path.join(root, 'partitioned'));
  const partition = path.join(path.dirname(dir), 'list_eval_partition.txt');
  fs.writeFileSync(partition, '000001.jpg 0\n000002.jpg 2\n000003.jpg 1\n000004.jpg 0\n');
  const train = loadCelebA(path.dirname(dir), 'train');
  const testPart = loadCelebA(path.dirname(dir), 'test');
  assert.equal(train.count, 2);
  assert.equal(testPart.count, 1);
  const all = readAll(loadCelebA(path.join(root, 'ok'), 'train'));
  assert.deepEqual(Array.from(readAll(testPart)), Array.from(all.subarray(12288, 2 * 12288)));

  fs.writeFileSync(partition, '000001.jpg 0\n000002.jpg 2\n');
  expectKitError(() => loadCelebA(dir, 'train'), /do not match: 0 listed images are missing .* 2 images are not listed \(e\.g\. 000003\.jpg, 000004\.png\)/);
  fs.writeFileSync(partition, '000001.jpg zero\n');
  expectKitError(() => loadCelebA(dir, 'train'), /line 1 of .*list_eval_partition\.txt/);
});

test('CelebA errors: missing root, empty folder, no partition file for test, small or corrupt images', () => {
  expectKitError(() => loadCelebA(path.join(root, 'missing'), 'train'), /dataset root .*missing does not exist; expected the CelebA img_align_celeba\//);
  const empty = path.join(root, 'empty', 'img_align_celeba');
  fs.mkdirSync(empty, { recursive: true });
  expectKitError(() => loadCelebA(path.dirname(empty), 'train'), /expected \.jpg or \.png images in .*img_align_celeba .*it is empty/);

  const { dir } = writeCeleba(path.join(root, 'nopartition'));
  expectKitError(() => loadCelebA(dir, 'test'), /test part needs list_eval_partition\.txt/);

  const small = path.join(root, 'small');
  writePng(path.join(small, '000001.png'), noiseImage(100, 100, 1));
  expectKitError(() => loadCelebA(small, 'train'), /000001\.png is 100x100, expected an aligned face image of at least 140x140/);

  const corrupt = path.join(root, 'corrupt');
  writePng(path.join(corrupt, '000001.png'), noiseImage(218, 178, 1));
  fs.writeFileSync(path.join(corrupt, '000002.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  const ds = loadCelebA(corrupt, 'train'); // only the first image is checked at load
  expectKitError(() => ds.readInto([1], new Uint8Array(12288)), /000002\.jpg is a corrupt JPEG/);
  fs.writeFileSync(path.join(corrupt, '000000.jpg'), 'not an image');
  expectKitError(() => loadCelebA(corrupt, 'train'), /expected a JPEG or PNG image in .*000000\.jpg/);

  expectKitError(() => loadCelebA(corrupt, 'train', 0), /imageSize must be an integer/);
});
