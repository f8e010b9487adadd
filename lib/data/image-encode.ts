/**
 * Encodes one uint8 HWC image as PNG with the kit's PNG codec (pngjs, which image-decode.ts reads
 * and the sample grids write). Grey images stay grey (PNG colour type 0, one byte a pixel) rather
 * than being tripled to RGB, so a folder of MNIST samples is what a Python user expects (PIL mode
 * 'L'); image-decode.ts and pytorch-fid read both.
 */
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../util/atomic-file';
import type { HwcImage } from './hwc-image';

/** PNG colour types by channel count: grey, RGB. */
const COLOR_TYPE: Record<number, 0 | 2> = { 1: 0, 3: 2 };

/**
 * zlib settings of the PNG writer: pngjs's defaults (level 9, run-length strategy 3, adaptive row
 * filters) suit photographs and sample grids; flat drawings (plots, tables) come out smaller with
 * the default strategy 0 and no row filter (filterType 0). Either way the pixels are the same.
 */
export interface PngDeflate { deflateStrategy?: number; filterType?: number }

/** PNG bytes of `image` (1 channel: grey, 3: RGB). */
export function encodePng(image: HwcImage, deflate: PngDeflate = {}): Buffer {
  const { height, width, channels, data } = image;
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new RangeError(`encodePng: images have 1 (grey) or 3 (RGB) channels, got ${channels}`);
  if (data.length !== height * width * channels) {
    throw new RangeError(`encodePng: ${data.length} bytes for a ${width}x${height}x${channels} image (${height * width * channels} expected)`);
  }
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8, ...deflate });
}

/** Writes `image` to `file` as PNG, atomically (a kill never leaves a half-written image). */
export function writePng(file: string, image: HwcImage): void {
  writeFileAtomic(file, encodePng(image));
}
