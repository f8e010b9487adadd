import * as fs from 'node:fs';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { KitError } from '../util/errors';
import { HwcImage } from './hwc-image';

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Drops every 4th byte of RGBA pixels, as PIL's convert('RGB') does (alpha is ignored, not blended). */
function rgbaToRgb(rgba: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[3 * p] = rgba[4 * p];
    rgb[3 * p + 1] = rgba[4 * p + 1];
    rgb[3 * p + 2] = rgba[4 * p + 2];
  }
  return rgb;
}

/**
 * Decodes JPEG or PNG bytes to RGB (3 channels; grey images are replicated, alpha dropped).
 * The format is told by the magic bytes, not the file name, so a mislabelled file still decodes
 * and a non-image file fails with a message naming `file`.
 */
export function decodeImage(bytes: Uint8Array, file: string): HwcImage {
  if (startsWith(bytes, JPEG_MAGIC)) {
    let decoded: { width: number; height: number; data: Uint8Array };
    try {
      decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false });
    } catch (cause) {
      throw new KitError(`image: ${file} is a corrupt JPEG (${(cause as Error).message})`, {
        hint: 'replace or delete the file; every image in the dataset folder must decode',
        cause,
      });
    }
    return { height: decoded.height, width: decoded.width, channels: 3, data: decoded.data };
  }
  if (startsWith(bytes, PNG_MAGIC)) {
    let decoded: PNG;
    try {
      decoded = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (cause) {
      throw new KitError(`image: ${file} is a corrupt PNG (${(cause as Error).message})`, {
        hint: 'replace or delete the file; every image in the dataset folder must decode',
        cause,
      });
    }
    const data = rgbaToRgb(decoded.data, decoded.width * decoded.height);
    return { height: decoded.height, width: decoded.width, channels: 3, data };
  }
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new KitError(`image: expected a JPEG or PNG image in ${file}, but it starts with bytes ${head || '(empty file)'}`, {
    hint: 'convert the dataset images to .jpg or .png (WebP, e.g. from the LSUN export, is not supported), or remove the file',
  });
}

/** Reads and decodes one image file to RGB. */
export function decodeImageFile(file: string): HwcImage {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (cause) {
    throw new KitError(`image: cannot read ${file}: ${(cause as Error).message}`, {
      hint: 'check that the dataset folder was not moved or changed while in use',
      cause,
    });
  }
  return decodeImage(bytes, file);
}
