import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { DatasetPart, ImageDataset } from './image-dataset';
import { checkImageSize, ImageFolderDataset, listImageFiles } from './image-folder';
import { centerCrop, resizeShorterSide } from './image-resize';

export const LSUN_DEFAULT_SIZE = 256;
/** Folder names of LSUN's church_outdoor train and validation sets once exported to image files. */
const PART_FOLDERS: Record<DatasetPart, string> = { train: 'church_outdoor_train', test: 'church_outdoor_val' };
const LAYOUT =
  `a folder of LSUN church_outdoor images as .jpg/.png (searched recursively), or a folder containing ` +
  `${PART_FOLDERS.train}/ and ${PART_FOLDERS.test}/ image folders`;

function isDir(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

/** The image folder for `part`: `root/<part folder>` when present; otherwise `root` itself is the train set. */
function partDir(root: string, part: DatasetPart): string {
  if (!isDir(root)) {
    throw new KitError(`LSUN-Church: dataset root ${root} is not a folder; expected ${LAYOUT}`, {
      hint: 'set dataset.root in the experiment YAML to the exported LSUN church images',
    });
  }
  const lmdb = fs.readdirSync(root).filter((f) => f.endsWith('_lmdb'));
  if (lmdb.length > 0 && !isDir(path.join(root, PART_FOLDERS.train))) {
    throw new KitError(`LSUN-Church: ${root} holds LSUN lmdb databases (${lmdb.join(', ')}), expected ${LAYOUT}`, {
      hint: 'export the lmdb to image files (LSUN\'s data.py export), convert them to .jpg/.png, and point dataset.root at them',
    });
  }
  const nested = path.join(root, PART_FOLDERS[part]);
  if (isDir(nested)) return nested;
  if (part === 'test') {
    throw new KitError(`LSUN-Church: the test part needs a ${PART_FOLDERS.test}/ image folder in ${root}; found none`, {
      hint: `export LSUN's church_outdoor_val set to ${path.join(root, PART_FOLDERS.test)}, or use the train part`,
    });
  }
  return root;
}

/**
 * LSUN church_outdoor as the paper's models saw it: shorter side resized (antialiased) to
 * `imageSize` (default 256), then centre-cropped to imageSize x imageSize, RGB uint8. Lazy:
 * images are decoded when read, sorted by relative path.
 */
export function loadLsunChurch(root: string, part: DatasetPart, imageSize: number = LSUN_DEFAULT_SIZE): ImageDataset {
  checkImageSize('LSUN-Church', imageSize);
  const dir = partDir(root, part);
  const files = listImageFiles(dir, 'LSUN-Church', LAYOUT);
  const ds = new ImageFolderDataset(`lsun-church/${part}`, files, imageSize, imageSize, (image) =>
    centerCrop(resizeShorterSide(image, imageSize), imageSize),
  );
  ds.readImage(0); // fail at load time, not mid-run, if the folder holds something unreadable
  return ds;
}
