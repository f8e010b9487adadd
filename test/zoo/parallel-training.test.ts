/**
 * train-zoo --jobs 2 on the tiny fixture: both members train in their own processes at once, every
 * line carries its member's id, the weights are those of a one-at-a-time run, and the largest
 * member starts first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { readTensorFile } from '../../lib/diffusion/tensor-file';
import { trainingOrder } from '../../lib/zoo/parallel-training';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

function train(dir: string, ...args: string[]) {
  const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs'), OMS_DPM_BACKEND: 'wasm' };
  const r = spawnSync(process.execPath, [cli, 'train-zoo', '--experiment', tiny, '--grid', '0', ...args], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

test('training order: estimated cost (parameters x iterations), largest first', () => {
  const exp = loadExperiment(tiny);
  // b: width 8 for 2 steps; a: width 4 with attention for 3 steps: b has more than 1.5x a's parameters
  assert.deepEqual(trainingOrder(exp, ['a', 'b']), ['b', 'a']);
  assert.deepEqual(trainingOrder(exp, ['a']), ['a']);
});

test('train-zoo --jobs 2: both members in parallel processes, the same weights as one at a time', { timeout: 600_000 }, () => {
  const par = tempDir('omsdpm-par-');
  const seq = tempDir('omsdpm-seq-');
  const out = train(par, '--jobs', '2');
  assert.match(out, /2 members, 2 at a time, in the order b, a/);
  assert.match(out, /^\[a\] training a for 3 steps$/m);
  assert.match(out, /^\[b\] training b for 2 steps$/m);
  assert.match(out, /^\[a\] finished$/m);
  assert.match(out, /^\[b\] finished$/m);
  train(seq);
  for (const id of ['a', 'b']) {
    const w = (dir: string) => readTensorFile(path.join(dir, 'results', 'tiny-mnist', 'zoo', id, 'ema-weights.bin'), 'weights').sha256;
    assert.equal(w(par), w(seq), `${id}: parallel and sequential weights differ`);
  }
});
