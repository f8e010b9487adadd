/**
 * Sample grids: tiles sit `pad` pixels apart on grey 40; a grid of grey images is written as a
 * grey PNG (colour type 0) and of RGB images as RGB, and either decodes back to the tiled pixels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImageFile } from '../../lib/data/image-decode';
import { GRID_BACKGROUND, tileImages, writeImageGrid } from '../../lib/data/image-grid';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

/** 5 images of 3x4, pixel values distinct from the background. */
const count = 5, h = 3, w = 4;
const grey = Uint8Array.from({ length: count * h * w }, (_, i) => 100 + i);
const rgb = Uint8Array.from({ length: count * h * w * 3 }, (_, i) => (i * 7) % 200 + 50);

/** Expected pixel (all channels) of the grid at (x, y): a tile's pixel or the background. */
function expected(images: Uint8Array, c: number, cols: number, pad: number, x: number, y: number): number[] {
  const col = Math.floor((x - pad) / (w + pad)), row = Math.floor((y - pad) / (h + pad));
  const tx = x - pad - col * (w + pad), ty = y - pad - row * (h + pad);
  const n = row * cols + col;
  if (x < pad || y < pad || tx >= w || ty >= h || col >= cols || n >= count) return Array(c).fill(GRID_BACKGROUND);
  const src = ((n * h + ty) * w + tx) * c;
  return [...images.subarray(src, src + c)];
}

test('tileImages: tiles in rows of `columns`, `pad` apart on grey 40, keeping the channel count', () => {
  for (const [images, c] of [[grey, 1], [rgb, 3]] as const) {
    const g = tileImages(images, count, h, w, c, 2);
    assert.deepEqual([g.width, g.height, g.channels], [2 * w + 3 * 2, 3 * h + 4 * 2, c]);
    for (let y = 0; y < g.height; y++) {
      for (let x = 0; x < g.width; x++) {
        assert.deepEqual([...g.data.subarray((y * g.width + x) * c, (y * g.width + x + 1) * c)], expected(images, c, 2, 2, x, y), `pixel (${x}, ${y}), ${c} channels`);
      }
    }
  }
  assert.throws(() => tileImages(new Uint8Array(count * h * w * 4), count, h, w, 4, 2), /1 \(grey\) or 3 \(RGB\)/);
});

test('writeImageGrid: a grey grid is a grey PNG (colour type 0) that decodes to the same pixels; RGB stays RGB', () => {
  const dir = tempDir('omsdpm-grid-');
  try {
    const greyFile = path.join(dir, 'grey.png');
    writeImageGrid(greyFile, grey, count, h, w, 1, 3);
    const bytes = fs.readFileSync(greyFile);
    assert.equal(bytes[25], 0, 'IHDR colour type'); // 8 signature + 4 length + 4 type + 8 size + 1 bit depth
    assert.equal(bytes[24], 8, 'bit depth');
    const tiled = tileImages(grey, count, h, w, 1, 3);
    const back = decodeImageFile(greyFile); // RGB, grey replicated
    assert.deepEqual([back.width, back.height], [tiled.width, tiled.height]);
    for (let p = 0; p < tiled.width * tiled.height; p++) {
      assert.deepEqual([...back.data.subarray(3 * p, 3 * p + 3)], [tiled.data[p], tiled.data[p], tiled.data[p]], `pixel ${p}`);
    }
    const rgbFile = path.join(dir, 'rgb.png');
    writeImageGrid(rgbFile, rgb, count, h, w, 3, 3);
    assert.equal(fs.readFileSync(rgbFile)[25], 2);
    assert.deepEqual([...decodeImageFile(rgbFile).data], [...tileImages(rgb, count, h, w, 3, 3).data]);
  } finally {
    removeTempDir(dir);
  }
});
