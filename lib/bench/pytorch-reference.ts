/**
 * The PyTorch reference (reference/pytorch/): the kit's UNet and training recipe written again in
 * PyTorch, run by Debian's /usr/bin/python3 (python3-torch). `npm run bench` times the UNet there
 * on one thread (torch_unet.py) as the yardstick of TF.js's speed, and `oms-dpm scout-member`
 * trains a candidate member there (torch_scout.py) because it is about 3x faster per step.
 * The scripts are spawned by path: this file is the one place that names their folder.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../config/index';

/** The folder of the PyTorch scripts, relative to the repository root. */
export const PYTORCH_REFERENCE_DIR = 'reference/pytorch';

/** Debian's interpreter, where python3-torch is installed. */
export const PYTORCH_PYTHON = '/usr/bin/python3';

/** The absolute path of one of the reference scripts. */
export function pytorchScript(name: 'torch_unet.py' | 'torch_scout.py'): string {
  return path.join(repoRoot(), ...PYTORCH_REFERENCE_DIR.split('/'), name);
}

export interface TorchBench { torchForwardMs: number; torchTrainMs: number; params: number; threads: number; torch: string }

/** The same UNet in PyTorch CPU on one thread (torch_unet.py): forward and training-step time, or why it is unavailable. */
export function torchReference(arch: unknown, batch: number, repeats: number): TorchBench | { error: string } {
  const r = spawnSync(PYTORCH_PYTHON, [pytorchScript('torch_unet.py')], {
    input: JSON.stringify({ arch, batch, repeats, threads: 1 }),
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return { error: `${PYTORCH_PYTHON} ${PYTORCH_REFERENCE_DIR}/torch_unet.py failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}` };
  return JSON.parse(line) as TorchBench;
}
