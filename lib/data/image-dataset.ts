/**
 * A dataset of same-sized uint8 images in NHWC layout. Every loader in lib/data returns one,
 * so samplers, FID statistics and splits never care whether the pixels sit in memory, in a
 * folder of JPEGs or inside npz batches: they ask for indices and get bytes.
 */
export interface ImageDataset {
  /** Dataset and part, e.g. 'mnist/train'; recorded in split files and results. */
  readonly name: string;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Class labels (0-based) where the format has them, one per image; null otherwise. */
  readonly labels: Int32Array | null;
  /** Copies images `indices` into `out`: uint8, NHWC, length indices.length*H*W*C. */
  readInto(indices: ArrayLike<number>, out: Uint8Array): void;
}

/** Which side of a dataset's official partition to load; 'test' is the held-out/validation side. */
export type DatasetPart = 'train' | 'test';

/** Bytes of one image of `ds`. */
export function imageByteLength(ds: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return ds.height * ds.width * ds.channels;
}

/**
 * Checks a `readInto` request against `ds`: every index an integer in range, `out` exactly the
 * right size. Loaders call it first so a caller bug fails loudly instead of reading garbage.
 */
export function checkReadRequest(ds: ImageDataset, indices: ArrayLike<number>, out: Uint8Array): void {
  const expected = indices.length * imageByteLength(ds);
  if (out.length !== expected) {
    throw new RangeError(
      `${ds.name}: readInto needs an output of ${indices.length} x ${ds.height}x${ds.width}x${ds.channels} = ${expected} bytes, got ${out.length}`,
    );
  }
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
      throw new RangeError(`${ds.name}: image index ${index} is outside 0..${ds.count - 1}`);
    }
  }
}

/** An ImageDataset whose pixels are one NHWC Uint8Array already in memory. */
export class InMemoryImageDataset implements ImageDataset {
  readonly count: number;

  constructor(
    readonly name: string,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    /** All images, NHWC; its length fixes `count`. */
    readonly pixels: Uint8Array,
    readonly labels: Int32Array | null = null,
  ) {
    const imageBytes = height * width * channels;
    if (!(imageBytes > 0) || pixels.length % imageBytes !== 0) {
      throw new RangeError(`${name}: ${pixels.length} bytes is not a whole number of ${height}x${width}x${channels} images`);
    }
    this.count = pixels.length / imageBytes;
    if (labels !== null && labels.length !== this.count) {
      throw new RangeError(`${name}: ${labels.length} labels for ${this.count} images`);
    }
  }

  readInto(indices: ArrayLike<number>, out: Uint8Array): void {
    checkReadRequest(this, indices, out);
    const imageBytes = imageByteLength(this);
    for (let i = 0; i < indices.length; i++) {
      const start = indices[i] * imageBytes;
      out.set(this.pixels.subarray(start, start + imageBytes), i * imageBytes);
    }
  }
}

/**
 * A view of `ds` holding only `indices` (in that order), e.g. the train or validation side of a
 * split. Reads go straight through to `ds`; nothing is copied but the index list and labels.
 */
export function subsetDataset(ds: ImageDataset, indices: ArrayLike<number>, name: string): ImageDataset {
  const picked = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
      throw new RangeError(`${name}: subset index ${index} is outside 0..${ds.count - 1} of ${ds.name}`);
    }
    picked[i] = index;
  }
  const parentLabels = ds.labels;
  const labels = parentLabels === null ? null : picked.map((index) => parentLabels[index]);
  const view: ImageDataset = {
    name,
    count: picked.length,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    labels,
    readInto(subsetIndices: ArrayLike<number>, out: Uint8Array): void {
      checkReadRequest(view, subsetIndices, out);
      const parentIndices = new Int32Array(subsetIndices.length);
      for (let i = 0; i < subsetIndices.length; i++) parentIndices[i] = picked[subsetIndices[i]];
      ds.readInto(parentIndices, out);
    },
  };
  return view;
}
