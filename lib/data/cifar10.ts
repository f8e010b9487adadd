import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { DatasetPart, ImageDataset, InMemoryImageDataset } from './image-dataset';

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** One record of the CIFAR-10 binary version: a label byte, then the R, G and B planes. */
const RECORD_BYTES = 1 + 3 * PLANE;
const FOLDER = 'cifar-10-batches-bin';
const PART_FILES: Record<DatasetPart, string[]> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};
const LAYOUT_HINT =
  `download the 'CIFAR-10 binary version' (cifar-10-binary.tar.gz), unpack it, and set dataset.root ` +
  `to the ${FOLDER}/ folder or the folder containing it`;

/** `root` itself when it holds the batch files, else `root/cifar-10-batches-bin` when that exists. */
function findBatchDir(root: string): string {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new KitError(`CIFAR-10: dataset root ${root} is not a folder`, { hint: LAYOUT_HINT });
  }
  const nested = path.join(root, FOLDER);
  const holdsBatches = (dir: string) => fs.readdirSync(dir).some((f) => /^(data_batch_\d|test_batch)\.bin$/.test(f));
  if (holdsBatches(root)) return root;
  if (fs.existsSync(nested) && fs.statSync(nested).isDirectory()) return nested;
  const entries = fs.readdirSync(root);
  const pythonVersion = entries.includes('data_batch_1') || entries.includes('cifar-10-batches-py');
  throw new KitError(
    `CIFAR-10: expected data_batch_1.bin .. data_batch_5.bin and test_batch.bin in ${root} ` +
      `(the 'CIFAR-10 binary version'); found none` +
      (pythonVersion ? ' (this looks like the CIFAR-10 python version, which is pickled and not supported)' : ''),
    { hint: LAYOUT_HINT },
  );
}

/** Appends the records of one batch file to `pixels`/`labels` at image `offset`, converting planes to HWC. */
function decodeBatch(file: string, bytes: Uint8Array, pixels: Uint8Array, labels: Int32Array, offset: number): void {
  const records = bytes.length / RECORD_BYTES;
  for (let r = 0; r < records; r++) {
    const record = bytes.subarray(r * RECORD_BYTES, (r + 1) * RECORD_BYTES);
    const label = record[0];
    if (label > 9) {
      throw new KitError(`CIFAR-10: record ${r} of ${file} has label byte ${label}, expected a class 0..9`, {
        hint: `the file is corrupt or not a CIFAR-10 batch (CIFAR-100 records have two label bytes); ${LAYOUT_HINT}`,
      });
    }
    const image = offset + r;
    labels[image] = label;
    const base = image * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      pixels[base + 3 * p] = record[1 + p];
      pixels[base + 3 * p + 1] = record[1 + PLANE + p];
      pixels[base + 3 * p + 2] = record[1 + 2 * PLANE + p];
    }
  }
}

/**
 * CIFAR-10 train (data_batch_1..5.bin, 50000 images) or test (test_batch.bin, 10000) from the
 * binary version, decoded to 32x32x3 uint8 HWC with labels 0..9. Every file's size is checked to
 * be a whole, non-zero number of 3073-byte records before anything is decoded.
 */
export function loadCifar10(root: string, part: DatasetPart): ImageDataset {
  const dir = findBatchDir(root);
  const files = PART_FILES[part].map((name) => path.join(dir, name));
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new KitError(
      `CIFAR-10: expected ${PART_FILES[part].join(', ')} in ${dir} (the 'CIFAR-10 binary version'); ` +
        `missing ${missing.map((f) => path.basename(f)).join(', ')}`,
      { hint: LAYOUT_HINT },
    );
  }
  const sizes = files.map((file) => {
    const size = fs.statSync(file).size;
    if (size === 0 || size % RECORD_BYTES !== 0) {
      throw new KitError(
        `CIFAR-10: ${file} is ${size} bytes, expected a non-zero multiple of ${RECORD_BYTES} ` +
          `(1 label byte + 3072 pixel bytes per image; a full batch is 30730000 bytes)`,
        { hint: `the file is truncated or of another format; ${LAYOUT_HINT}` },
      );
    }
    return size;
  });
  const count = sizes.reduce((a, b) => a + b, 0) / RECORD_BYTES;
  const pixels = new Uint8Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  let offset = 0;
  files.forEach((file, i) => {
    decodeBatch(file, fs.readFileSync(file), pixels, labels, offset);
    offset += sizes[i] / RECORD_BYTES;
  });
  return new InMemoryImageDataset(`cifar10/${part}`, SIDE, SIDE, 3, pixels, labels);
}
