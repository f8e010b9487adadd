import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { checkReadRequest, DatasetPart, imageByteLength, ImageDataset } from './image-dataset';
import { npyDataToNumbers } from './npy';
import { NpzFile } from './npz';

const SIDE = 64;
const PLANE = SIDE * SIDE;
/** One image row of the downsampled-ImageNet batches: 4096 R, then 4096 G, then 4096 B bytes. */
const ROW_BYTES = 3 * PLANE;
const CLASSES = 1000;
const PART_FILES: Record<DatasetPart, string[]> = {
  train: Array.from({ length: 10 }, (_, i) => `train_data_batch_${i + 1}.npz`),
  test: ['val_data.npz'],
};
const LAYOUT_HINT =
  'download the npz version of downsampled ImageNet 64x64 (Imagenet64_train_part1_npz, _part2_npz and ' +
  'Imagenet64_val_npz), unpack them, and set dataset.root to the folder holding the .npz files or their unpacked folders';

/** `name` in `root` or in one of its immediate subfolders (the unpacked download folders). */
function findFile(root: string, name: string): string | null {
  const direct = path.join(root, name);
  if (fs.existsSync(direct)) return direct;
  for (const entry of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const nested = path.join(root, entry.name, name);
    if (fs.existsSync(nested)) return nested;
  }
  return null;
}

/** One npz batch: where its rows are and its 0-based labels. */
interface Batch {
  readonly npz: NpzFile;
  readonly count: number;
  /** Offset of the first row within the 'data' .npy content. */
  readonly dataOffset: number;
  readonly labels: Int32Array;
}

function openBatch(file: string): Batch {
  const npz = new NpzFile(file);
  const header = npz.readHeader('data');
  if (header.dtype !== '|u1' || header.shape.length !== 2 || header.shape[1] !== ROW_BYTES) {
    const note = header.shape[1] === 3 * 32 * 32 ? ' (this looks like ImageNet-32)' : '';
    throw new KitError(
      `ImageNet-64: expected 'data' of uint8 N x ${ROW_BYTES} in ${file}, found ${header.dtype} (${header.shape.join(', ')})${note}`,
      { hint: LAYOUT_HINT },
    );
  }
  const count = header.shape[0];
  const labelArray = npz.readArray('labels');
  if (labelArray.shape.length !== 1 || labelArray.shape[0] !== count || labelArray.dtype === '<f4' || labelArray.dtype === '<f8') {
    throw new KitError(
      `ImageNet-64: expected 'labels' of ${count} integers in ${file}, found ${labelArray.dtype} (${labelArray.shape.join(', ')})`,
      { hint: LAYOUT_HINT },
    );
  }
  const values = npyDataToNumbers(labelArray.data);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = values[i];
    if (label < 1 || label > CLASSES) {
      throw new KitError(`ImageNet-64: label ${label} of image ${i} in ${file} is outside 1..${CLASSES}`, { hint: LAYOUT_HINT });
    }
    labels[i] = label - 1;
  }
  return { npz, count, dataOffset: header.dataOffset, labels };
}

/** Planar RGB rows (RRR..GGG..BBB..) to interleaved HWC pixels at `out[outOffset..]`. */
function planarToHwc(row: Uint8Array, out: Uint8Array, outOffset: number): void {
  for (let p = 0; p < PLANE; p++) {
    out[outOffset + 3 * p] = row[p];
    out[outOffset + 3 * p + 1] = row[PLANE + p];
    out[outOffset + 3 * p + 2] = row[2 * PLANE + p];
  }
}

/**
 * Downsampled ImageNet 64x64 from its npz batches. Only headers and labels are read at load
 * (the train set is 15.7 GB of pixels). Rows of stored entries are read straight from disk;
 * a deflated batch is inflated whole on first use and kept until another deflated batch is
 * needed, so read deflated files batch by batch (sequential indices), not at random.
 */
class ImageNet64Dataset implements ImageDataset {
  readonly height = SIDE;
  readonly width = SIDE;
  readonly channels = 3;
  readonly count: number;
  readonly labels: Int32Array;
  /** Index of the first image of each batch, plus the total at the end. */
  private readonly starts: number[];
  private inflated: { batch: number; bytes: Uint8Array } | null = null;

  constructor(
    readonly name: string,
    private readonly batches: Batch[],
  ) {
    this.starts = [0];
    for (const b of batches) this.starts.push(this.starts[this.starts.length - 1] + b.count);
    this.count = this.starts[batches.length];
    this.labels = new Int32Array(this.count);
    batches.forEach((b, i) => this.labels.set(b.labels, this.starts[i]));
  }

  private batchOf(index: number): number {
    let lo = 0;
    let hi = this.batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private inflatedData(batchIndex: number): Uint8Array {
    if (this.inflated === null || this.inflated.batch !== batchIndex) {
      this.inflated = null; // let the previous batch be collected before inflating the next
      this.inflated = { batch: batchIndex, bytes: this.batches[batchIndex].npz.readEntryBytes('data') };
    }
    return this.inflated.bytes;
  }

  readInto(indices: ArrayLike<number>, out: Uint8Array): void {
    checkReadRequest(this, indices, out);
    const imageBytes = imageByteLength(this);
    const byBatch = new Map<number, number[]>();
    for (let i = 0; i < indices.length; i++) {
      const b = this.batchOf(indices[i]);
      const list = byBatch.get(b);
      if (list === undefined) byBatch.set(b, [i]);
      else list.push(i);
    }
    for (const [b, positions] of byBatch) {
      const batch = this.batches[b];
      const offsets = positions.map((i) => batch.dataOffset + (indices[i] - this.starts[b]) * ROW_BYTES);
      if (batch.npz.entry('data').compression === 'stored') {
        const rows = batch.npz.readStoredRanges('data', offsets, ROW_BYTES);
        positions.forEach((i, k) => planarToHwc(rows.subarray(k * ROW_BYTES, (k + 1) * ROW_BYTES), out, i * imageBytes));
      } else {
        const data = this.inflatedData(b);
        positions.forEach((i, k) => planarToHwc(data.subarray(offsets[k], offsets[k] + ROW_BYTES), out, i * imageBytes));
      }
    }
  }
}

/**
 * ImageNet 64x64 train (train_data_batch_1..10.npz) or test (val_data.npz, the official
 * validation set): 64x64x3 uint8 HWC with labels converted from the files' 1..1000 to 0..999.
 */
export function loadImageNet64(root: string, part: DatasetPart): ImageDataset {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new KitError(`ImageNet-64: dataset root ${root} is not a folder`, { hint: LAYOUT_HINT });
  }
  const names = PART_FILES[part];
  const files = names.map((name) => findFile(root, name));
  const missing = names.filter((_, i) => files[i] === null);
  if (missing.length > 0) {
    const found = missing.length === names.length ? 'found none' : `missing ${missing.join(', ')}`;
    throw new KitError(
      `ImageNet-64: expected ${names.length > 1 ? `${names[0]} .. ${names[names.length - 1]}` : names[0]} in ${root} ` +
        `or its subfolders (the downsampled-ImageNet npz batches); ${found}`,
      { hint: LAYOUT_HINT },
    );
  }
  return new ImageNet64Dataset(`imagenet64/${part}`, (files as string[]).map(openBatch));
}
