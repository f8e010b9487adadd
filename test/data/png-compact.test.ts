/**
 * Rendered figures are stored without loss in fewer bytes: an opaque grey RGBA PNG becomes grey, an
 * opaque coloured one RGB, both decode to the same pixels; one with transparency is kept as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { compactPng } from '../../lib/data/png-compact';

/** An RGBA PNG as Chromium writes it (pngjs defaults); `pixel` gives [r, g, b, a] at (x, y). */
function rgbaPng(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(pixel(x, y), 4 * (y * width + x));
  return PNG.sync.write(png, { deflateLevel: 1 });
}

const pixelsOf = (bytes: Buffer) => [...PNG.sync.read(bytes).data];

test('compactPng: opaque grey becomes grey (colour type 0), opaque colour RGB (type 2), pixels unchanged', () => {
  // a "plot": white paper, grey text-like noise, and (for the coloured one) a red line
  const grey = rgbaPng(120, 80, (x, y) => { const v = (x * 37 + y * 11) % 9 === 0 ? (x * y) % 256 : 255; return [v, v, v, 255]; });
  const g = compactPng(grey);
  assert.equal(g[25], 0);
  assert.ok(g.length < grey.length, `${g.length} < ${grey.length} bytes`);
  assert.deepEqual(pixelsOf(g), pixelsOf(grey));

  const colour = rgbaPng(120, 80, (x, y) => (y === 40 ? [214, 39, 40, 255] : [255 - (x % 3), 255 - (x % 3), 255 - (x % 3), 255]));
  const c = compactPng(colour);
  assert.equal(c[25], 2);
  assert.deepEqual(pixelsOf(c), pixelsOf(colour));
});

test('compactPng: a PNG with any transparent pixel is returned as it is', () => {
  const png = rgbaPng(10, 10, (x, y) => [200, 200, 200, x === 3 && y === 4 ? 128 : 255]);
  assert.equal(compactPng(png), png);
});
