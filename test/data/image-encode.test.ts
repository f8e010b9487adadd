/**
 * The PNG writer of sample folders: grey images stay grey (colour type 0), RGB ones RGB, and what
 * it writes decodes to the same pixels through the kit's reader and the FID folder reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeImage } from '../../lib/data/image-decode';
import { encodePng, writePng } from '../../lib/data/image-encode';
import { readImageFolder } from '../../lib/metrics/folder-images';
import { tempDir } from '../helpers/temp-dir';

const grey = { height: 3, width: 4, channels: 1, data: Uint8Array.from({ length: 12 }, (_, i) => i * 21) };
const rgb = { height: 2, width: 3, channels: 3, data: Uint8Array.from({ length: 18 }, (_, i) => 255 - i * 13) };

test('encodePng round trips grey (colour type 0) and RGB (colour type 2) images', () => {
  const g = encodePng(grey);
  assert.equal(g[25], 0);
  const back = decodeImage(g, 'grey.png');
  assert.deepEqual([back.height, back.width], [3, 4]);
  for (let i = 0; i < 12; i++) assert.deepEqual([...back.data.subarray(i * 3, i * 3 + 3)], [grey.data[i], grey.data[i], grey.data[i]]);
  const c = encodePng(rgb);
  assert.equal(c[25], 2);
  assert.deepEqual([...decodeImage(c, 'rgb.png').data], [...rgb.data]);
  assert.throws(() => encodePng({ ...grey, channels: 2 }), /1 \(grey\) or 3 \(RGB\)/);
  assert.throws(() => encodePng({ ...grey, height: 4 }), /bytes for a 4x4x1 image/);
});

test('a folder of grey PNGs reads back exactly as one channel (FID) and as RGB', () => {
  const dir = tempDir('omsdpm-png-');
  writePng(path.join(dir, '000000.png'), grey);
  writePng(path.join(dir, '000001.png'), { ...grey, data: grey.data.map((v) => 255 - v) });
  const one = readImageFolder(dir, 1);
  assert.equal(one.count, 2);
  assert.deepEqual([...one.pixels.subarray(0, 12)], [...grey.data]);
  assert.deepEqual([...one.pixels.subarray(12)], [...grey.data.map((v) => 255 - v)]);
  const three = readImageFolder(dir, 3);
  assert.deepEqual([...three.pixels.subarray(0, 6)], [0, 0, 0, 21, 21, 21]);
});
