/** Small valid experiment values shared by the config tests (fresh objects on every call). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir as testTempDir } from '../helpers/temp-dir';

export function minimalExperiment(): Record<string, any> {
  return {
    name: 'tiny',
    dataset: { name: 'mnist', imageSize: 28, channels: 1 },
    training: { iterations: 100 },
    zoo: [
      { id: 's8', unet: { ch: 8, chMult: [1, 2, 2], groupNormGroups: 4 } },
      { id: 'm16', unet: { ch: 16, chMult: [1, 2, 2], groupNormGroups: 4 }, training: { iterations: 200 } },
      { id: 'l24', unet: { ch: 24, chMult: [1, 2, 2], groupNormGroups: 4, attnResolutions: [7] } },
    ],
    profiles: { smoke: { 'training.iterations': 5, 'zoo[m16].training.iterations': 3 } },
  };
}

/** A fresh temporary folder, removed when the process exits (test/helpers/temp-dir.ts). */
export function tempDir(): string {
  return testTempDir('oms-config-test-');
}

/** Writes `text` to `<dir>/<name>.yaml` and returns the path. */
export function writeExperiment(dir: string, name: string, text: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}
