/**
 * `oms-dpm learning-curve` on the tiny test zoo: model a trained with training.snapshotEvery 1
 * keeps the EMA weights of steps 1, 2 and 3; each is sampled on held-out noise and measured; a
 * rerun keeps the points; a member without snapshots is an error that says how to make them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LearningCurveReport } from '../../lib/evaluation/learning-curve';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

const dir = tempDir('omsdpm-curve-');
const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs'), OMS_DPM_BACKEND: 'wasm' };
const file = path.join(dir, 'results', 'tiny-mnist', 'zoo', 'a', 'learning-curve.json');

function run(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('learning-curve: a point per snapshot, measured on held-out noise, kept on rerun', { timeout: 900_000 }, () => {
  const snap = ['--set', 'training.snapshotEvery=1'];
  let r = run('train-zoo', '--experiment', tiny, '--model', 'a', '--grid', '0', ...snap);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'runs', 'tiny-mnist', 'zoo', 'a', 'snapshots')).sort(), ['ema-0000001.bin', 'ema-0000002.bin', 'ema-0000003.bin']);

  r = run('learning-curve', '--experiment', tiny, '--images', '16', '--ddim-steps', '2', ...snap);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /a: 0 point\(s\) kept, 3 snapshot\(s\) to measure/);
  const first = JSON.parse(fs.readFileSync(file, 'utf8')) as LearningCurveReport;
  assert.equal(first.kind, 'oms-dpm-learning-curve');
  assert.deepEqual(first.points.map((p) => p.step), [1, 2, 3]);
  assert.deepEqual(first.heldOut, { start: 100000, images: 16 });
  for (const p of first.points) {
    assert.equal(p.quality.classCounts.reduce((a, b) => a + b, 0), 16);
    assert.ok(Number.isFinite(p.fid) && p.fid > 0);
  }
  // the EMA moves between snapshots, so their samples differ
  assert.notEqual(first.points[0].fid, first.points[2].fid);

  r = run('learning-curve', '--experiment', tiny, '--model', 'a', '--images', '16', '--ddim-steps', '2', ...snap);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /a: 3 point\(s\) kept, 0 snapshot\(s\) to measure/);
  // untouched, so its provenance still names the run that measured the points
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), first);

  // points measured with another feature network (e.g. before storage.weights: float16) are measured again
  fs.writeFileSync(file, JSON.stringify({ ...first, featureNetwork: 'another classifier' }));
  r = run('learning-curve', '--experiment', tiny, '--model', 'a', '--images', '16', '--ddim-steps', '2', ...snap);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /a: 0 point\(s\) kept, 3 snapshot\(s\) to measure/);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).points.map((p: { fid: number }) => p.fid), first.points.map((p) => p.fid));

  // the figure: a line per member with a curve (only a), and the real ceiling
  r = run('figures', '--experiment', tiny);
  assert.equal(r.status, 0, r.out);
  const fig = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'tiny-mnist', 'figures', 'learning-curve.json'), 'utf8'));
  assert.deepEqual(fig.data.map((t: { name: string }) => t.name.split(':')[0]), ['a', 'real images']);
  assert.deepEqual(fig.data[0].x, [1, 2, 3]);
  assert.deepEqual(fig.data[0].y, first.points.map((p) => p.quality.confident));

  // more images than the held-out set, and a member without snapshots, are refused with the fix
  r = run('learning-curve', '--experiment', tiny, '--model', 'a', '--images', '33', ...snap);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /exceeds the held-out set \(search\.finalImages = 32\)/);
  r = run('learning-curve', '--experiment', tiny, '--model', 'b', ...snap);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /model 'b' has no training snapshots[\s\S]*training\.snapshotEvery/);
});
