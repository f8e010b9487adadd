import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { decodeImage, decodeImageFile } from '../../lib/data/image-decode';
import { listImageFiles } from '../../lib/data/image-folder';
import { expectKitError, makeTempDir, maxAbsDiff, noiseImage, rampImage, writeJpeg, writePng } from './helpers';

const root = makeTempDir('decode');

test('PNG decodes losslessly to RGB; JPEG decodes close to the original', () => {
  const noise = noiseImage(6, 5, 3);
  writePng(path.join(root, 'a.png'), noise);
  const png = decodeImageFile(path.join(root, 'a.png'));
  assert.deepEqual([png.height, png.width, png.channels], [6, 5, 3]);
  assert.deepEqual(Array.from(png.data), Array.from(noise.data));

  const ramp = rampImage(32, 24);
  writeJpeg(path.join(root, 'b.jpg'), ramp, 100);
  const jpg = decodeImageFile(path.join(root, 'b.jpg'));
  assert.deepEqual([jpg.height, jpg.width, jpg.channels], [32, 24, 3]);
  assert.ok(maxAbsDiff(jpg.data, ramp.data) <= 8);
});

test('the format comes from the bytes: a PNG named .jpg still decodes', () => {
  writePng(path.join(root, 'actually-png.jpg'), noiseImage(2, 2, 1));
  assert.equal(decodeImageFile(path.join(root, 'actually-png.jpg')).width, 2);
});

test('grey PNGs are replicated to RGB and alpha is dropped', () => {
  const png = new PNG({ width: 2, height: 1, colorType: 0, inputColorType: 0, bitDepth: 8 } as ConstructorParameters<typeof PNG>[0]);
  png.data = Buffer.from([10, 200]);
  const bytes = PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
  assert.deepEqual(Array.from(decodeImage(bytes, 'grey.png').data), [10, 10, 10, 200, 200, 200]);
});

test('non-image and corrupt files are KitErrors naming the file', () => {
  expectKitError(() => decodeImage(Buffer.from('hello world'), '/x/readme.jpg'), /expected a JPEG or PNG image in \/x\/readme\.jpg/);
  expectKitError(() => decodeImage(new Uint8Array(0), '/x/empty.png'), /empty file/);
  const jpeg = fs.readFileSync(path.join(root, 'b.jpg'));
  expectKitError(() => decodeImage(jpeg.subarray(0, 200), '/x/cut.jpg'), /\/x\/cut\.jpg is a corrupt JPEG/);
  const png = fs.readFileSync(path.join(root, 'a.png'));
  const broken = Buffer.from(png);
  broken.fill(0, 40, 60);
  expectKitError(() => decodeImage(broken, '/x/broken.png'), /\/x\/broken\.png is a corrupt PNG/);
  expectKitError(() => decodeImageFile(path.join(root, 'missing.png')), /cannot read .*missing\.png/);
});

test('listImageFiles: recursive, sorted by path, other files ignored; empty and image-less folders refused', () => {
  const dir = path.join(root, 'list');
  writePng(path.join(dir, 'b.png'), noiseImage(1, 1, 1));
  writePng(path.join(dir, 'a', 'z.PNG'), noiseImage(1, 1, 1));
  writeJpeg(path.join(dir, 'c.jpeg'), rampImage(8, 8));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
  const files = listImageFiles(dir, 'Test', 'a test folder').map((f) => path.relative(dir, f));
  assert.deepEqual(files, [path.join('a', 'z.PNG'), 'b.png', 'c.jpeg']);

  expectKitError(() => listImageFiles(path.join(root, 'nope'), 'Test', 'a test folder'), /expected an image folder at .*nope \(a test folder\); it does not exist/);
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  expectKitError(() => listImageFiles(empty, 'Test', 'a test folder'), /expected \.jpg or \.png images in .*empty .*it is empty/);
  const webp = path.join(root, 'webp');
  fs.mkdirSync(webp);
  fs.writeFileSync(path.join(webp, '0001.webp'), 'RIFF');
  expectKitError(() => listImageFiles(webp, 'Test', 'a test folder'), /found 1 other files, e\.g\. 0001\.webp/);
});
