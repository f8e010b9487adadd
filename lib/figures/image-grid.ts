/**
 * Sample grids: tiles uint8 NHWC images into one picture and writes it as PNG (pngjs), so a
 * trained model can be looked at. Grayscale images are written as RGB.
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../util/atomic-file';

export function tileImages(images: Uint8Array, count: number, h: number, w: number, c: number, columns: number, pad = 2): { width: number; height: number; rgba: Uint8Array } {
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.ceil(count / cols);
  const W = cols * w + (cols + 1) * pad;
  const H = rows * h + (rows + 1) * pad;
  const rgba = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    rgba[i * 4] = 40;
    rgba[i * 4 + 1] = 40;
    rgba[i * 4 + 2] = 40;
    rgba[i * 4 + 3] = 255;
  }
  for (let n = 0; n < count; n++) {
    const ox = pad + (n % cols) * (w + pad);
    const oy = pad + Math.floor(n / cols) * (h + pad);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((n * h + y) * w + x) * c;
        const dst = ((oy + y) * W + ox + x) * 4;
        rgba[dst] = images[src];
        rgba[dst + 1] = images[src + (c === 3 ? 1 : 0)];
        rgba[dst + 2] = images[src + (c === 3 ? 2 : 0)];
      }
    }
  }
  return { width: W, height: H, rgba };
}

export function writeImageGrid(file: string, images: Uint8Array, count: number, h: number, w: number, c: number, columns = 16): void {
  const g = tileImages(images, count, h, w, c, columns);
  const png = new PNG({ width: g.width, height: g.height });
  png.data = Buffer.from(g.rgba.buffer, g.rgba.byteOffset, g.rgba.byteLength);
  writeFileAtomic(file, PNG.sync.write(png));
}
