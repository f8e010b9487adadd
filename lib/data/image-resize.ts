import { HwcImage } from './hwc-image';

/**
 * Cropping and antialiased resizing of uint8 HWC images, written to match what the paper's
 * PyTorch pipelines do through PIL and torchvision (CenterCrop, Resize with bilinear filtering),
 * so FID statistics computed here see the same pixels, byte for byte.
 */

/** Python's round(): halves go to the even neighbour (torchvision uses it for crop offsets). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const frac = x - floor;
  if (frac > 0.5) return floor + 1;
  if (frac < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Top/left offsets of a centred crop, as torchvision.transforms.CenterCrop computes them. */
export function centerCropOffsets(height: number, width: number, cropHeight: number, cropWidth: number): { top: number; left: number } {
  return { top: roundHalfEven((height - cropHeight) / 2), left: roundHalfEven((width - cropWidth) / 2) };
}

/** The `cropHeight` x `cropWidth` window at `top`, `left`. */
export function crop(image: HwcImage, top: number, left: number, cropHeight: number, cropWidth: number): HwcImage {
  const { height, width, channels, data } = image;
  if (top < 0 || left < 0 || cropHeight < 1 || cropWidth < 1 || top + cropHeight > height || left + cropWidth > width) {
    throw new RangeError(`crop ${cropHeight}x${cropWidth} at (${top}, ${left}) does not fit in a ${height}x${width} image`);
  }
  const out = new Uint8Array(cropHeight * cropWidth * channels);
  const rowBytes = cropWidth * channels;
  for (let y = 0; y < cropHeight; y++) {
    const start = ((top + y) * width + left) * channels;
    out.set(data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return { height: cropHeight, width: cropWidth, channels, data: out };
}

/** The centred `cropHeight` x `cropWidth` window; the image must be at least that large. */
export function centerCrop(image: HwcImage, cropHeight: number, cropWidth: number = cropHeight): HwcImage {
  const { top, left } = centerCropOffsets(image.height, image.width, cropHeight, cropWidth);
  return crop(image, top, left, cropHeight, cropWidth);
}

/** The triangle (bilinear) filter, support 1. */
function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** PIL's fixed-point precision for 8-bit resampling coefficients (32 - 8 - 2 bits). */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** For each output position along one axis: the first input index and its fixed-point weights. */
interface AxisCoefficients {
  readonly first: Int32Array;
  readonly taps: Int32Array;
  readonly weights: Int32Array;
  /** Stride of `weights` per output position. */
  readonly maxTaps: number;
}

/**
 * PIL's precompute_coeffs + normalize_coeffs_8bpc for one axis: when shrinking, the triangle
 * filter is stretched by the scale factor so every input pixel contributes (area-like
 * antialiasing) instead of sampling two neighbours and aliasing; when enlarging it is plain
 * bilinear interpolation. Weights are normalized, then rounded to 22-bit fixed point.
 */
function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle support (1) times the stretch
  const maxTaps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  const weights = new Int32Array(outSize * maxTaps);
  const raw = new Float64Array(maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let i = lo; i < hi; i++) {
      raw[i - lo] = triangle((i - center + 0.5) / filterScale);
      total += raw[i - lo];
    }
    for (let i = lo; i < hi; i++) weights[o * maxTaps + (i - lo)] = Math.trunc(0.5 + (raw[i - lo] / total) * ONE);
    first[o] = lo;
    taps[o] = hi - lo;
  }
  return { first, taps, weights, maxTaps };
}

/** A fixed-point sum back to a byte, as PIL's clip8. */
function clip8(sum: number): number {
  const v = Math.floor(sum / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** One resampling pass along the width: height x width x c -> height x outWidth x c. */
function resampleHorizontal(data: Uint8Array, height: number, width: number, channels: number, outWidth: number): Uint8Array {
  const k = axisCoefficients(width, outWidth);
  const out = new Uint8Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const w0 = x * k.maxTaps;
      const in0 = (y * width + k.first[x]) * channels;
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        for (let t = 0; t < k.taps[x]; t++) sum += k.weights[w0 + t] * data[in0 + t * channels + c];
        out[(y * outWidth + x) * channels + c] = clip8(sum);
      }
    }
  }
  return out;
}

/** One resampling pass along the height: height x width x c -> outHeight x width x c. */
function resampleVertical(data: Uint8Array, height: number, width: number, channels: number, outHeight: number): Uint8Array {
  const k = axisCoefficients(height, outHeight);
  const rowBytes = width * channels;
  const out = new Uint8Array(outHeight * rowBytes);
  for (let y = 0; y < outHeight; y++) {
    const w0 = y * k.maxTaps;
    for (let i = 0; i < rowBytes; i++) {
      let sum = HALF;
      for (let t = 0; t < k.taps[y]; t++) sum += k.weights[w0 + t] * data[(k.first[y] + t) * rowBytes + i];
      out[y * rowBytes + i] = clip8(sum);
    }
  }
  return out;
}

/**
 * Resizes to `outHeight` x `outWidth` exactly as PIL's Image.resize(..., BILINEAR) does for
 * 8-bit images (which torchvision's Resize uses on PIL images): a horizontal pass, rounded to
 * bytes, then a vertical pass, both in PIL's fixed-point arithmetic, so the bytes match PIL's.
 */
export function resizeAntialiased(image: HwcImage, outHeight: number, outWidth: number): HwcImage {
  const { height, width, channels } = image;
  if (!(outHeight >= 1 && outWidth >= 1 && Number.isInteger(outHeight) && Number.isInteger(outWidth))) {
    throw new RangeError(`cannot resize to ${outHeight}x${outWidth}`);
  }
  let data = image.data;
  if (outWidth !== width) data = resampleHorizontal(data, height, width, channels, outWidth);
  if (outHeight !== height) data = resampleVertical(data, height, outWidth, channels, outHeight);
  return { height: outHeight, width: outWidth, channels, data: data === image.data ? data.slice() : data };
}

/**
 * Output size of torchvision's Resize(size) with an int: the shorter side becomes `size`, the
 * longer one keeps the aspect ratio, truncated to an integer.
 */
export function shorterSideSize(height: number, width: number, size: number): { height: number; width: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { height: size, width: Math.trunc((size * width) / height) };
}

/** torchvision Resize(size) on a PIL image: shorter side to `size`, antialiased. */
export function resizeShorterSide(image: HwcImage, size: number): HwcImage {
  const target = shorterSideSize(image.height, image.width, size);
  return resizeAntialiased(image, target.height, target.width);
}
