/**
 * Conversion between dataset pixels and the models' input/output range. The paper's diffusion
 * models (DDPM/DDIM/score-SDE checkpoints) all take and produce images in [-1, 1], NHWC here.
 */

/**
 * uint8 NHWC pixels to float32 in [-1, 1] (x / 127.5 - 1). `flip[i]` mirrors image i
 * horizontally, the standard training-time augmentation; null or omitted means no flips.
 */
export function toModelInput(
  pixels: Uint8Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  flip: readonly boolean[] | null = null,
): Float32Array {
  const imageSize = height * width * channels;
  if (pixels.length !== count * imageSize) {
    throw new RangeError(`toModelInput: ${pixels.length} bytes is not ${count} images of ${height}x${width}x${channels}`);
  }
  if (flip !== null && flip.length !== count) {
    throw new RangeError(`toModelInput: ${flip.length} flip flags for ${count} images`);
  }
  const out = new Float32Array(pixels.length);
  for (let n = 0; n < count; n++) {
    const mirrored = flip !== null && flip[n];
    for (let y = 0; y < height; y++) {
      const row = n * imageSize + y * width * channels;
      for (let x = 0; x < width; x++) {
        const from = row + (mirrored ? width - 1 - x : x) * channels;
        const to = row + x * channels;
        for (let c = 0; c < channels; c++) out[to + c] = pixels[from + c] / 127.5 - 1;
      }
    }
  }
  return out;
}

/**
 * Model output in [-1, 1] (float NHWC) to uint8 pixels: clip to [-1, 1], then round((x + 1) * 127.5).
 * NaN becomes 0 (black) rather than an arbitrary byte, so a diverged sample is visible as such.
 */
export function fromModelOutput(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isNaN(v) ? 0 : Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
  }
  return out;
}
