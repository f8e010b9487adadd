import * as fs from 'node:fs';
import * as path from 'node:path';
import { KitError } from '../util/errors';
import { DatasetPart, ImageDataset } from './image-dataset';
import { checkImageSize, ImageFolderDataset, listImageFiles } from './image-folder';
import { centerCrop, resizeAntialiased } from './image-resize';

/** Side of the centred face crop taken from the 178x218 aligned images before resizing. */
export const CELEBA_CROP = 140;
export const CELEBA_DEFAULT_SIZE = 64;
const IMAGE_FOLDER = 'img_align_celeba';
const PARTITION_FILE = 'list_eval_partition.txt';
/** Partition codes in list_eval_partition.txt: 0 train, 1 validation, 2 test. */
const PARTITION_CODE: Record<DatasetPart, number> = { train: 0, test: 2 };
const LAYOUT =
  `the CelebA ${IMAGE_FOLDER}/ folder of aligned .jpg (or .png) images, or its parent folder ` +
  `(optionally with ${PARTITION_FILE} beside it to select the train or test partition)`;

/** `root/img_align_celeba` when it exists, else `root` itself. */
function imageDir(root: string): string {
  const nested = path.join(root, IMAGE_FOLDER);
  return fs.existsSync(nested) && fs.statSync(nested).isDirectory() ? nested : root;
}

/** The first list_eval_partition.txt found beside or above the image folder, if any. */
function findPartitionFile(root: string, dir: string): string | null {
  const candidates = [root, dir, path.dirname(dir)].flatMap((d) => [path.join(d, PARTITION_FILE), path.join(d, 'Eval', PARTITION_FILE)]);
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}

/** Image stem (file name without extension) -> partition code, from "000001.jpg 0" lines. */
function readPartition(file: string): Map<string, number> {
  const partition = new Map<string, number>();
  fs.readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const match = /^\s*(\S+)\s+([012])\s*$/.exec(line);
      if (match === null) {
        throw new KitError(`CelebA: line ${i + 1} of ${file} is "${line}", expected "<image file> <0|1|2>"`, {
          hint: `restore the original ${PARTITION_FILE}, or remove it to use every image as the train part`,
        });
      }
      partition.set(path.parse(match[1]).name, Number(match[2]));
    });
  return partition;
}

/** The files of `part` according to the partition file; every image and every listed name must match up. */
function selectPart(files: string[], partitionFile: string, dir: string, part: DatasetPart): string[] {
  const partition = readPartition(partitionFile);
  const stems = new Set(files.map((f) => path.parse(f).name));
  const unlisted = files.filter((f) => !partition.has(path.parse(f).name));
  const missing = [...partition.keys()].filter((stem) => !stems.has(stem));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new KitError(
      `CelebA: ${partitionFile} and the images in ${dir} do not match: ` +
        `${missing.length} listed images are missing (e.g. ${missing.slice(0, 3).join(', ') || '-'}), ` +
        `${unlisted.length} images are not listed (e.g. ${unlisted.slice(0, 3).map((f) => path.basename(f)).join(', ') || '-'})`,
      { hint: `restore the complete ${IMAGE_FOLDER}/ folder, or remove ${PARTITION_FILE} to use the images as they are` },
    );
  }
  return files.filter((f) => partition.get(path.parse(f).name) === PARTITION_CODE[part]);
}

/**
 * CelebA as the paper's models saw it: each aligned image centre-cropped to 140x140, then
 * resized (antialiased) to `imageSize` (default 64), RGB uint8. Lazy: images are decoded when
 * read. With list_eval_partition.txt, 'train' is partition 0 and 'test' partition 2; without it
 * every image is 'train' and 'test' is refused.
 */
export function loadCelebA(root: string, part: DatasetPart, imageSize: number = CELEBA_DEFAULT_SIZE): ImageDataset {
  checkImageSize('CelebA', imageSize);
  if (!fs.existsSync(root)) {
    throw new KitError(`CelebA: dataset root ${root} does not exist; expected ${LAYOUT}`, {
      hint: 'set dataset.root in the experiment YAML to the CelebA folder',
    });
  }
  const dir = imageDir(root);
  let files = listImageFiles(dir, 'CelebA', LAYOUT);
  const partitionFile = findPartitionFile(root, dir);
  if (partitionFile !== null) {
    files = selectPart(files, partitionFile, dir, part);
  } else if (part === 'test') {
    throw new KitError(`CelebA: the test part needs ${PARTITION_FILE} beside ${dir}; found none`, {
      hint: `put CelebA's ${PARTITION_FILE} next to the ${IMAGE_FOLDER}/ folder, or use the train part`,
    });
  }
  if (files.length === 0) {
    throw new KitError(`CelebA: ${partitionFile} assigns no image in ${dir} to the ${part} partition`, {
      hint: `check ${PARTITION_FILE}: 0 marks train images and 2 test images`,
    });
  }
  const ds = new ImageFolderDataset(`celeba/${part}`, files, imageSize, imageSize, (image, file) => {
    if (image.height < CELEBA_CROP || image.width < CELEBA_CROP) {
      throw new KitError(
        `CelebA: ${file} is ${image.width}x${image.height}, expected an aligned face image of at least ${CELEBA_CROP}x${CELEBA_CROP} (originals are 178x218)`,
        { hint: `use the original ${IMAGE_FOLDER}/ images, not resized or cropped copies` },
      );
    }
    return resizeAntialiased(centerCrop(image, CELEBA_CROP), imageSize, imageSize);
  });
  ds.readImage(0); // fail at load time, not mid-run, if the folder holds something unreadable
  return ds;
}
