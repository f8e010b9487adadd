/**
 * `oms-dpm sample` with any model schedule, end to end on the tiny test zoo (2 models; DDIM
 * schedules of length 10, DPM-Solver of length 6): the folder's PNGs and images.npz hold the same
 * pixels, a schedule run twice gives the same images, a one-model schedule equals `--model --steps`
 * for both solvers, bad schedules and missing outputs stop with a clear error before sampling, and
 * `fid` reads two such folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImageFile } from '../../lib/data/image-decode';
import { readNpz } from '../../lib/data/npz';
import type { SampleFolderRecord } from '../../lib/evaluation/sample-folder';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

const dir = tempDir('omsdpm-sample-');
const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs'), OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'tfjs' };

function exec(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function run(...args: string[]): string {
  const r = exec(...args);
  assert.equal(r.code, 0, r.out + r.err);
  return r.out;
}

/** `sample` into a fresh folder `name`; returns the folder. */
function sampleTo(name: string, ...args: string[]): string {
  const out = path.join(dir, name);
  run('sample', '--experiment', tiny, '--out-dir', out, ...args);
  return out;
}

const npzImages = (folder: string) => readNpz(path.join(folder, 'images.npz')).images;
const record = (folder: string) => JSON.parse(fs.readFileSync(path.join(folder, 'samples.json'), 'utf8')) as SampleFolderRecord;

test('sample --schedule: PNGs + npz + provenance, deterministic, equal to --model --steps, clear errors, fid reads the folders', { timeout: 300_000 }, () => {
  run('train-zoo', '--experiment', tiny, '--grid', '0');

  // a two-model DDIM schedule of the configured length 10, noise-bank images 2..6
  const schedule = '1,0,2,0,0,1,0,0,0,2';
  const a = sampleTo('a', '--schedule', schedule, '--count', '5', '--start', '2', '--grid', path.join(dir, 'a-grid.png'));
  const pngs = fs.readdirSync(a).filter((f) => f.endsWith('.png')).sort();
  assert.deepEqual(pngs, ['000002.png', '000003.png', '000004.png', '000005.png', '000006.png']);
  assert.ok(fs.statSync(path.join(dir, 'a-grid.png')).size > 100);
  const imgs = npzImages(a);
  assert.equal(imgs.dtype, '|u1');
  assert.deepEqual(imgs.shape, [5, 28, 28, 1]);
  pngs.forEach((f, n) => {
    const bytes = fs.readFileSync(path.join(a, f));
    assert.equal(bytes[25], 0, `${f} is a grey PNG (colour type 0)`);
    const img = decodeImageFile(path.join(a, f)); // RGB, grey replicated
    assert.deepEqual([img.height, img.width], [28, 28]);
    for (let i = 0; i < 28 * 28; i++) assert.equal(img.data[i * 3], imgs.data[n * 784 + i], `${f} pixel ${i}`);
  });
  const rec = record(a);
  assert.equal(rec.kind, 'oms-dpm-samples');
  assert.equal(rec.experiment, 'tiny-mnist');
  assert.match(rec.configHash, /^[0-9a-f]{16}$/);
  assert.equal(rec.solver, 'ddim');
  assert.deepEqual(rec.schedule, schedule.split(',').map(Number));
  assert.equal(rec.nfe, 4);
  assert.equal(rec.engine, 'tfjs-wasm');
  assert.deepEqual(rec.noiseBank, { seed: 1234, start: 2, count: 5, experimentBank: true });
  assert.deepEqual(Object.keys(rec.weights), ['a', 'b']);
  assert.ok(rec.seconds.sampling > 0 && rec.seconds.total >= rec.seconds.sampling);
  assert.deepEqual(rec.files, pngs);

  // determinism: the same schedule and images again give the same bytes
  const again = sampleTo('again', '--schedule', schedule, '--count', '5', '--start', '2');
  assert.deepEqual(npzImages(again).data, imgs.data);
  for (const f of pngs) assert.deepEqual(fs.readFileSync(path.join(again, f)), fs.readFileSync(path.join(a, f)));

  // another noise bank: other images, recorded as such
  const seeded = sampleTo('seeded', '--schedule', schedule, '--count', '5', '--start', '2', '--seed', '7');
  assert.notDeepEqual(npzImages(seeded).data, imgs.data);
  assert.deepEqual(record(seeded).noiseBank, { seed: 7, start: 2, count: 5, experimentBank: false });

  // a one-model schedule is the single-model run, exactly. DDIM: positions 0 and 5 of length 10 are
  // timesteps 0 and 500, the uniform 2-step run's (0 * 500, 1 * 500); both run ddimSample with eta 0
  // on the same noise. DPM-Solver: `--model a --steps 3` runs the DPM-Solver code's order mix for 3
  // NFE, orders 2 then 1, i.e. the schedule 1,0,0,1,1,0 (groups read from the end).
  const ddimSchedule = sampleTo('ddim-schedule', '--schedule', '1,0,0,0,0,1,0,0,0,0', '--count', '4');
  const ddimModel = sampleTo('ddim-model', '--model', 'a', '--steps', '2', '--count', '4');
  assert.deepEqual(npzImages(ddimSchedule).data, npzImages(ddimModel).data);
  assert.deepEqual(record(ddimModel).model, { id: 'a', steps: 2, skip: 'uniform', eta: 0 });
  assert.equal(record(ddimModel).schedule, null);
  const dpmSchedule = sampleTo('dpm-schedule', '--solver', 'dpm-solver', '--schedule', '1,0,0,1,1,0', '--count', '4');
  const dpmModel = sampleTo('dpm-model', '--solver', 'dpm-solver', '--model', 'a', '--steps', '3', '--count', '4');
  assert.deepEqual(npzImages(dpmSchedule).data, npzImages(dpmModel).data);
  assert.deepEqual(record(dpmModel).schedule, [1, 0, 0, 1, 1, 0]);
  assert.notDeepEqual(npzImages(dpmSchedule).data, npzImages(ddimSchedule).data);

  // bad schedules and missing outputs: exit 2 with a message that lists what is allowed
  const bad = (pattern: RegExp, ...args: string[]) => {
    const r = exec('sample', '--experiment', tiny, ...args);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, pattern);
    assert.doesNotMatch(r.out, /sampled/);
  };
  const out = ['--out-dir', path.join(dir, 'never')];
  bad(/length 3, but this experiment's ddim schedules have length 10[\s\S]*fix: give 10 comma-separated entries.*1 = a, 2 = b/, '--schedule', '1,0,2', ...out);
  bad(/dpm-solver schedule has length 3, but .* length 6 \(collection\.dpmSolverLength/, '--solver', 'dpm-solver', '--schedule', '1,1,1', ...out);
  bad(/model index 3 is out of range 0\.\.2[\s\S]*1 = a, 2 = b/, '--schedule', '1,0,3,0,0,0,0,0,0,0', ...out);
  bad(/no active entry/, '--schedule', '0,0,0,0,0,0,0,0,0,0', ...out);
  bad(/packing rule[\s\S]*\[1, 1, 0\]/, '--solver', 'dpm-solver', '--schedule', '0,1,1,0,0,0', ...out);
  bad(/unknown solver 'euler'[\s\S]*allowed solvers: ddim, dpm-solver/, '--solver', 'euler', '--schedule', '1,0,0,0,0,0,0,0,0,0', ...out);
  bad(/needs somewhere to write[\s\S]*--out-dir DIR/, '--schedule', '1,0,0,0,0,0,0,0,0,0');
  bad(/nothing to sample/, ...out);
  bad(/either --schedule or --model/, '--schedule', '1,0,0,0,0,0,0,0,0,0', '--model', 'a', '--steps', '2', ...out);
  bad(/already holds 5 image/, '--schedule', schedule, '--count', '2', '--out-dir', a);
  assert.ok(!fs.existsSync(path.join(dir, 'never')));
  // a valid schedule of another length is accepted when asked for: the 2-step uniform run again
  const short = sampleTo('short', '--schedule', '1,1', '--length', '2', '--count', '4');
  assert.deepEqual(npzImages(short).data, npzImages(ddimModel).data);

  // fid reads the folders (grey PNGs) and gives a finite number
  run('fid-reference', '--experiment', tiny);
  const fid = JSON.parse(run('fid', a, seeded, '--experiment', tiny, '--json')) as { fid: number };
  assert.ok(Number.isFinite(fid.fid) && fid.fid >= 0, JSON.stringify(fid));
  assert.ok(JSON.parse(run('fid', a, again, '--experiment', tiny, '--json')).fid < 1e-6); // same images: FID 0
});
