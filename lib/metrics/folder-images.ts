/**
 * The images of a folder (PNG/JPEG, sorted by name) as uint8 NHWC with the channel count a feature
 * network wants: colour images become grey by ITU-R 601 luma when it wants 1 channel, grey ones
 * are repeated when it wants 3. All images must share one size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImageFile } from '../data/image-decode';
import { KitError } from '../util/errors';

const IMAGE_EXT = /\.(png|jpe?g)$/i;

export function readImageFolder(dir: string, channels: 1 | 3): { pixels: Uint8Array; count: number; height: number; width: number } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new KitError(`image folder not found: ${dir}`, { hint: 'give a folder of .png/.jpg images or an .npz statistics file' });
  }
  const files = fs.readdirSync(dir).filter((f) => IMAGE_EXT.test(f)).sort();
  if (files.length < 2) {
    throw new KitError(`image folder ${dir} has ${files.length} .png/.jpg image(s); FID needs at least 2`, { hint: 'point at a folder with the generated or reference images' });
  }
  let h = 0;
  let w = 0;
  let pixels = new Uint8Array(0);
  files.forEach((f, n) => {
    const img = decodeImageFile(path.join(dir, f));
    if (n === 0) {
      h = img.height;
      w = img.width;
      pixels = new Uint8Array(files.length * h * w * channels);
    } else if (img.height !== h || img.width !== w) {
      throw new KitError(`${path.join(dir, f)} is ${img.width}x${img.height} but ${files[0]} is ${w}x${h}: all images of a folder must share one size`);
    }
    const src = img.data;
    const base = n * h * w * channels;
    for (let i = 0; i < h * w; i++) {
      const r = src[i * 3];
      const g = src[i * 3 + 1];
      const b = src[i * 3 + 2];
      if (channels === 1) pixels[base + i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      else {
        pixels[base + i * 3] = r;
        pixels[base + i * 3 + 1] = g;
        pixels[base + i * 3 + 2] = b;
      }
    }
  });
  return { pixels, count: files.length, height: h, width: w };
}
