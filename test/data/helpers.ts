import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { KitError } from '../../lib/util/errors';
import { HwcImage } from '../../lib/data/hwc-image';
import { tempDir } from '../helpers/temp-dir';

/** A fresh folder under the OS temp dir, removed when the test file's process exits (test/helpers/temp-dir.ts). */
export function makeTempDir(prefix: string): string {
  return tempDir(`oms-dpm-${prefix}-`);
}

/** Asserts `fn` throws a KitError whose message matches every pattern and which carries a hint. */
export function expectKitError(fn: () => unknown, ...patterns: RegExp[]): KitError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KitError, `expected a KitError, got ${caught === undefined ? 'no error' : String(caught)}`);
  for (const p of patterns) assert.match(caught.message, p);
  assert.ok(caught.hint !== undefined && caught.hint.length > 10, `KitError "${caught.message}" has no useful hint`);
  return caught;
}

/** A deterministic RGB test image: smooth ramps plus a little structure, so JPEG keeps it close. */
export function rampImage(height: number, width: number, shift = 0): HwcImage {
  const data = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = Math.round((255 * x) / Math.max(1, width - 1));
      data[p + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      data[p + 2] = (shift * 37 + 60) % 256;
    }
  }
  return { height, width, channels: 3, data };
}

/** A deterministic RGB image of pseudo-random bytes (for lossless PNG round trips). */
export function noiseImage(height: number, width: number, seed: number): HwcImage {
  const data = new Uint8Array(height * width * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { height, width, channels: 3, data };
}

function toRgba(image: HwcImage): Buffer {
  const rgba = Buffer.alloc(image.height * image.width * 4);
  for (let p = 0; p < image.height * image.width; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = image.data[3 * p + c];
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

export function writePng(file: string, image: HwcImage): void {
  const png = new PNG({ width: image.width, height: image.height });
  toRgba(image).copy(png.data);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png));
}

export function writeJpeg(file: string, image: HwcImage, quality = 95): void {
  const encoded = jpeg.encode({ width: image.width, height: image.height, data: toRgba(image) }, quality);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encoded.data);
}

/** Largest absolute byte difference between two equally long arrays. */
export function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Reads every image of a dataset (small test datasets only). */
export function readAll(ds: { count: number; height: number; width: number; channels: number; readInto(i: ArrayLike<number>, o: Uint8Array): void }): Uint8Array {
  const out = new Uint8Array(ds.count * ds.height * ds.width * ds.channels);
  ds.readInto(Array.from({ length: ds.count }, (_, i) => i), out);
  return out;
}
