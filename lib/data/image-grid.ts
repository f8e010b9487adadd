/**
 * Sample grids: tiles uint8 NHWC images into one picture (tiles `pad` pixels apart on a background
 * of grey 40) and writes it as PNG through encodePng, so a trained model can be looked at. Grey
 * images give a grey PNG (colour type 0, one byte a pixel), RGB images an RGB one: an MNIST grid
 * is a quarter of the bytes of the RGBA it used to be written as, with the same pixels.
 */
import type { HwcImage } from './hwc-image';
import { writePng } from './image-encode';

/** Tiles per row of a member's sample grid (zoo/<id>/samples-*.png) and of the real images' grid beside it. */
export const SAMPLE_GRID_COLUMNS = 8;

/** Grey of the gaps between tiles (every channel). */
export const GRID_BACKGROUND = 40;

/** Pixel size of the grid `tileImages` makes of `count` images of h x w in rows of `columns`. */
export function gridSize(count: number, h: number, w: number, columns: number, pad = 2): { width: number; height: number } {
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.ceil(count / cols);
  return { width: cols * w + (cols + 1) * pad, height: rows * h + (rows + 1) * pad };
}

/** `count` images of h x w x c (c = 1 grey, 3 RGB) in rows of `columns`, as one image of c channels. */
export function tileImages(images: Uint8Array, count: number, h: number, w: number, c: number, columns: number, pad = 2): HwcImage {
  if (c !== 1 && c !== 3) throw new RangeError(`tileImages: images have 1 (grey) or 3 (RGB) channels, got ${c}`);
  if (images.length < count * h * w * c) throw new RangeError(`tileImages: ${images.length} bytes for ${count} images of ${w}x${h}x${c}`);
  const cols = Math.max(1, Math.min(columns, count));
  const { width: W, height: H } = gridSize(count, h, w, columns, pad);
  const data = new Uint8Array(W * H * c).fill(GRID_BACKGROUND);
  const rowBytes = w * c;
  for (let n = 0; n < count; n++) {
    const ox = pad + (n % cols) * (w + pad);
    const oy = pad + Math.floor(n / cols) * (h + pad);
    for (let y = 0; y < h; y++) {
      const src = (n * h + y) * rowBytes;
      data.set(images.subarray(src, src + rowBytes), ((oy + y) * W + ox) * c);
    }
  }
  return { height: H, width: W, channels: c, data };
}

/** Writes the grid of `images` to `file` as PNG (grey or RGB as the images are), atomically. */
export function writeImageGrid(file: string, images: Uint8Array, count: number, h: number, w: number, c: number, columns = 16): void {
  writePng(file, tileImages(images, count, h, w, c, columns));
}
