import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadLsunChurch } from '../../lib/data/lsun-church';
import { centerCrop, resizeShorterSide } from '../../lib/data/image-resize';
import { HwcImage } from '../../lib/data/hwc-image';
import { expectKitError, makeTempDir, maxAbsDiff, noiseImage, rampImage, readAll, writeJpeg, writePng } from './helpers';

const root = makeTempDir('lsun');

test('LSUN-Church: shorter side to imageSize, centre crop, recursive sorted files', () => {
  const dir = path.join(root, 'flat');
  const wide = noiseImage(12, 18, 1); // -> 8x12, crop columns 2..9
  const tall: HwcImage = noiseImage(20, 10, 2); // -> 16x8, crop rows 4..11
  writePng(path.join(dir, 'b', '0001.png'), tall);
  writePng(path.join(dir, 'a', '0009.png'), wide);
  writeJpeg(path.join(dir, 'c.jpg'), rampImage(30, 40), 100);
  const ds = loadLsunChurch(dir, 'train', 8);
  assert.deepEqual([ds.name, ds.count, ds.height, ds.width, ds.channels], ['lsun-church/train', 3, 8, 8, 3]);
  const pixels = readAll(ds);
  const expectedWide = centerCrop(resizeShorterSide(wide, 8), 8);
  const expectedTall = centerCrop(resizeShorterSide(tall, 8), 8);
  assert.deepEqual(Array.from(pixels.subarray(0, 192)), Array.from(expectedWide.data));
  assert.deepEqual(Array.from(pixels.subarray(192, 384)), Array.from(expectedTall.data));
  assert.ok(maxAbsDiff(pixels.subarray(384), centerCrop(resizeShorterSide(rampImage(30, 40), 8), 8).data) <= 6);
});

test('LSUN-Church: a constant image stays constant (hand check of resize + crop)', () => {
  const dir = path.join(root, 'constant');
  writePng(path.join(dir, 'x.png'), { height: 9, width: 27, channels: 3, data: new Uint8Array(9 * 27 * 3).fill(123) });
  const ds = loadLsunChurch(dir, 'train', 4);
  assert.ok(readAll(ds).every((v) => v === 123));
});

test('LSUN-Church: train/val subfolders, and the default size is 256', () => {
  const parent = path.join(root, 'parts');
  writePng(path.join(parent, 'church_outdoor_train', '1.png'), noiseImage(256, 300, 1));
  writePng(path.join(parent, 'church_outdoor_train', '2.png'), noiseImage(256, 256, 2));
  writePng(path.join(parent, 'church_outdoor_val', '1.png'), noiseImage(260, 256, 3));
  const train = loadLsunChurch(parent, 'train');
  const val = loadLsunChurch(parent, 'test');
  assert.deepEqual([train.count, train.height, val.count, val.name], [2, 256, 1, 'lsun-church/test']);
  const second = new Uint8Array(256 * 256 * 3);
  train.readInto([1], second);
  assert.deepEqual(Array.from(second.subarray(0, 30)), Array.from(noiseImage(256, 256, 2).data.subarray(0, 30)));
});

test('LSUN-Church errors: missing root, lmdb instead of images, no val folder, only webp', () => {
  expectKitError(() => loadLsunChurch(path.join(root, 'missing'), 'train', 8), /dataset root .*missing is not a folder/);
  const lmdb = path.join(root, 'lmdb');
  fs.mkdirSync(path.join(lmdb, 'church_outdoor_train_lmdb'), { recursive: true });
  expectKitError(() => loadLsunChurch(lmdb, 'train', 8), /holds LSUN lmdb databases \(church_outdoor_train_lmdb\)/);
  expectKitError(() => loadLsunChurch(path.join(root, 'flat'), 'test', 8), /test part needs a church_outdoor_val\/ image folder/);
  const webp = path.join(root, 'webp');
  fs.mkdirSync(webp);
  fs.writeFileSync(path.join(webp, 'a.webp'), 'RIFF....WEBP');
  expectKitError(() => loadLsunChurch(webp, 'train', 8), /expected \.jpg or \.png images/);
});
