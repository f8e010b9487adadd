/**
 * Issue 21 (kill -9 at every long stage), zoo training: `train-zoo` SIGKILLed between two
 * checkpoints and rerun with --resume continues from the last checkpoint (not from scratch) and
 * ends with exactly the EMA weights (tensor payload sha256) and loss curve of a run that was never
 * interrupted. The killed run's results-folder lock is left behind; the rerun takes it over.
 *
 * Tiny fixture, member 'a' only, 30 steps with a checkpoint every 5 (about 15 s of training here),
 * no sample grid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTensorFile } from '../../lib/diffusion/tensor-file';
import type { CheckpointMeta } from '../../lib/diffusion/trainer';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');
const ITERATIONS = 30;
const CHECKPOINT_EVERY = 5;
const args = ['train-zoo', '--experiment', tiny, '--model', 'a', '--grid', '0', '--set', `training.iterations=${ITERATIONS}`, '--set', `training.checkpointEvery=${CHECKPOINT_EVERY}`];
const envFor = (dir: string) => ({ ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') });
const zooDir = (dir: string) => path.join(dir, 'results', 'tiny-mnist', 'zoo', 'a');
const checkpointFile = (dir: string) => path.join(dir, 'runs', 'tiny-mnist', 'zoo', 'a', 'checkpoint.bin');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lossCurve = (dir: string) => JSON.parse(fs.readFileSync(path.join(zooDir(dir), 'loss-curve.json'), 'utf8')) as { points: unknown[] };
const checkpointStep = (dir: string) => (fs.existsSync(checkpointFile(dir)) ? readTensorFile<CheckpointMeta>(checkpointFile(dir)).meta.step : 0);

test('train-zoo killed between checkpoints, rerun with --resume, gives the weights and loss curve of an uninterrupted run', { timeout: 300_000 }, async () => {
  const whole = tempDir('omsdpm-zoo-whole-');
  const cut = tempDir('omsdpm-zoo-cut-');
  try {
    const first = spawnSync(process.execPath, [cli, ...args], { env: envFor(whole), encoding: 'utf8' });
    assert.equal(first.status, 0, first.stdout + first.stderr);

    const child = spawn(process.execPath, [cli, ...args], { env: envFor(cut), stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const deadline = Date.now() + 120_000;
    while (checkpointStep(cut) < 2 * CHECKPOINT_EVERY) {
      assert.ok(Date.now() < deadline, 'training did not reach its second checkpoint within 2 minutes');
      assert.equal(child.exitCode, null, 'train-zoo ended before it could be killed');
      await sleep(50);
    }
    await sleep(700); // a step or two past the checkpoint: the kill loses work the rerun must redo
    child.kill('SIGKILL');
    await exited;
    const killedAt = checkpointStep(cut);
    assert.ok(killedAt >= 2 * CHECKPOINT_EVERY && killedAt < ITERATIONS, `the kill should land mid-training (${ITERATIONS} steps), checkpoint at ${killedAt}`);
    assert.equal(fs.existsSync(path.join(zooDir(cut), 'ema-weights.bin')), false, 'the killed run wrote finished weights');
    assert.equal(fs.existsSync(path.join(cut, 'results', 'tiny-mnist', '.run.lock')), true, 'a killed run leaves its lock');

    const rerun = spawnSync(process.execPath, [cli, ...args, '--resume'], { env: envFor(cut), encoding: 'utf8' });
    assert.equal(rerun.status, 0, rerun.stdout + rerun.stderr);
    assert.match(rerun.stderr, new RegExp(`took over the lock of a run that is gone \\(pid ${child.pid},`));
    // it continued from the checkpoint, not from scratch
    const summary = JSON.parse(fs.readFileSync(path.join(zooDir(cut), 'model.json'), 'utf8')) as { steps: number; resumedFrom: number | null };
    assert.equal(summary.resumedFrom, killedAt);
    assert.equal(summary.steps, ITERATIONS);

    const a = readTensorFile<{ step: number }>(path.join(zooDir(whole), 'ema-weights.bin'), 'weights file');
    const b = readTensorFile<{ step: number }>(path.join(zooDir(cut), 'ema-weights.bin'), 'weights file');
    assert.equal(b.meta.step, ITERATIONS);
    assert.equal(b.sha256, a.sha256, 'the resumed EMA weights differ from the uninterrupted run');
    assert.deepEqual(lossCurve(cut).points, lossCurve(whole).points);
    assert.equal(lossCurve(cut).points.length, ITERATIONS); // logEvery 1
  } finally {
    removeTempDir(whole);
    removeTempDir(cut);
  }
});
