import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { centerCrop, centerCropOffsets, crop, resizeAntialiased, resizeShorterSide, shorterSideSize } from '../../lib/data/image-resize';
import { HwcImage } from '../../lib/data/hwc-image';

function grey(height: number, width: number, values: number[]): HwcImage {
  return { height, width, channels: 1, data: Uint8Array.from(values) };
}

test('antialiased downscale by 2 weights three taps 3:3:1 (triangle filter stretched x2), like PIL', () => {
  // Output 0 is centred at input 1.0 with support 2: inputs 0,1,2 get weights 0.75, 0.75, 0.25 -> 3/7, 3/7, 1/7.
  // (0*3 + 70*3 + 140*1) / 7 = 50;  output 1: (70*1 + 140*3 + 210*3) / 7 = 160.
  assert.deepEqual(Array.from(resizeAntialiased(grey(1, 4, [0, 70, 140, 210]), 1, 2).data), [50, 160]);
});

test('upscaling is bilinear interpolation with clamped edges', () => {
  // Output centres at 0.25, 0.75, 1.25, 1.75 in input pixels: 0, 0.25*100, 0.75*100, 100.
  assert.deepEqual(Array.from(resizeAntialiased(grey(1, 2, [0, 100]), 1, 4).data), [0, 25, 75, 100]);
});

test('2-D resize matches PIL Image.resize(BILINEAR) byte for byte', () => {
  const ramp = grey(4, 4, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
  // PIL rounds the horizontal pass to bytes before the vertical one, hence 52 and 98 rather than 51 and 99.
  assert.deepEqual(Array.from(resizeAntialiased(ramp, 2, 2).data), [36, 52, 98, 114]);
  assert.deepEqual(Array.from(resizeAntialiased(ramp, 3, 3).data), [15, 27, 39, 63, 75, 87, 111, 123, 135]);

  // A 5x7 RGB image resized with PIL 9.4 (values copied from numpy.asarray(img.resize(...))).
  const input = [139, 74, 229, 241, 169, 65, 6, 160, 149, 106, 38, 175, 188, 205, 175, 229, 98, 249, 10, 148, 95, 86, 147, 198, 66, 39, 106, 213, 171, 45, 167, 57, 69, 81, 55, 14, 153, 178, 215, 76, 52, 39, 250, 72, 215, 50, 161, 223, 112, 172, 161, 233, 38, 17, 89, 1, 221, 6, 242, 127, 143, 6, 60, 210, 94, 25, 166, 33, 249, 189, 12, 204, 33, 57, 124, 30, 199, 149, 202, 119, 72, 220, 3, 209, 122, 136, 147, 77, 133, 82, 115, 87, 162, 230, 70, 71, 240, 62, 47, 184, 31, 34, 63, 65, 146];
  const image: HwcImage = { height: 5, width: 7, channels: 3, data: Uint8Array.from(input) };
  const pil3x4 = [136, 112, 153, 120, 122, 107, 150, 113, 139, 111, 119, 143, 148, 101, 182, 143, 105, 131, 104, 83, 124, 115, 97, 111, 140, 103, 124, 140, 64, 151, 157, 94, 84, 157, 55, 116];
  const pil8x3 = [154, 133, 142, 117, 117, 167, 142, 139, 178, 133, 121, 135, 132, 105, 121, 128, 125, 148, 107, 108, 131, 151, 88, 65, 108, 107, 110, 126, 124, 182, 148, 83, 100, 85, 106, 119, 151, 106, 192, 128, 81, 128, 104, 103, 127, 184, 55, 162, 91, 82, 151, 166, 96, 136, 139, 92, 138, 147, 78, 115, 161, 70, 103, 101, 124, 122, 194, 74, 85, 153, 50, 77];
  assert.deepEqual(Array.from(resizeAntialiased(image, 3, 4).data), pil3x4);
  assert.deepEqual(Array.from(resizeAntialiased(image, 8, 3).data), pil8x3);
});

test('resizing to the same size copies; a constant image stays constant', () => {
  const image = grey(2, 2, [1, 2, 3, 4]);
  const same = resizeAntialiased(image, 2, 2);
  assert.deepEqual(Array.from(same.data), [1, 2, 3, 4]);
  assert.notEqual(same.data, image.data);
  const flat = resizeAntialiased({ height: 9, width: 13, channels: 3, data: new Uint8Array(9 * 13 * 3).fill(77) }, 4, 5);
  assert.ok(flat.data.every((v) => v === 77));
});

test('center crop uses torchvision offsets (Python round: halves to even)', () => {
  assert.deepEqual(centerCropOffsets(218, 178, 140, 140), { top: 39, left: 19 }); // CelebA aligned images
  assert.deepEqual(centerCropOffsets(5, 7, 2, 2), { top: 2, left: 2 }); // 1.5 -> 2, 2.5 -> 2
  const image = grey(3, 4, [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
  assert.deepEqual(Array.from(centerCrop(image, 1, 2).data), [11, 12]);
  assert.deepEqual(Array.from(crop(image, 1, 2, 2, 2).data), [12, 13, 22, 23]);
  assert.throws(() => centerCrop(image, 4, 4), /does not fit/);
});

test('shorter side resize follows torchvision Resize(int): longer side truncated', () => {
  assert.deepEqual(shorterSideSize(300, 451, 256), { height: 256, width: 384 });
  assert.deepEqual(shorterSideSize(400, 300, 256), { height: 341, width: 256 });
  assert.deepEqual(shorterSideSize(64, 64, 256), { height: 256, width: 256 });
  const out = resizeShorterSide({ height: 12, width: 18, channels: 3, data: new Uint8Array(12 * 18 * 3) }, 8);
  assert.deepEqual([out.height, out.width], [8, 12]);
});
