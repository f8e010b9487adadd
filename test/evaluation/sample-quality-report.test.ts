/**
 * `oms-dpm sample-quality` end to end on the tiny test zoo (test/fixtures/tiny-mnist.yaml: 2
 * models, DDIM at 2 and 4 steps, 32 held-out images): the file has a row per (model, steps) and the
 * real ceiling and the real images' grid; a rerun keeps the rows already there and measures only the missing one (to the same
 * numbers); another config hash measures everything again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SampleQualityReport } from '../../lib/evaluation/sample-quality-report';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

const dir = tempDir('omsdpm-quality-');
const env = { ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs'), OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'tfjs' };
const file = path.join(dir, 'results', 'tiny-mnist', 'sample-quality.json');

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

const read = () => JSON.parse(fs.readFileSync(file, 'utf8')) as SampleQualityReport;
const key = (r: { modelId: string; steps: number }) => `${r.modelId}/${r.steps}`;

test('sample-quality on the tiny zoo: a row per model and steps, the real ceiling, resumable', { timeout: 900_000 }, () => {
  run('train-zoo', '--experiment', tiny, '--grid', '0');

  const out = run('sample-quality', '--experiment', tiny, '--workers', '1');
  assert.match(out, /0 row\(s\) kept from the last run, 4 to measure with 1 worker/);
  assert.match(out, /^real\s+-\s+[\d.]+%/m);
  assert.match(out, /^a\s+4\s+[\d.]+%/m);
  const first = read();
  assert.equal(first.kind, 'oms-dpm-sample-quality');
  assert.deepEqual(first.heldOut, { start: 100000, images: 32 });
  assert.deepEqual(first.ddimSteps, [2, 4]);
  assert.equal(first.engine, 'tfjs-wasm');
  assert.deepEqual(first.rows.map(key), ['a/2', 'a/4', 'b/2', 'b/4']);
  assert.equal(first.plannedRows, 4);
  assert.ok(first.provenance.configHash === first.configHash && typeof first.weights.a === 'string' && typeof first.weights.b === 'string');
  // the ceiling: every image of the validation split (5% of MNIST's 60000 training images)
  assert.equal(first.real.images, 3000);
  assert.equal(first.range.images, 3000);
  assert.ok(first.range.low > 0 && first.range.low < first.range.high && first.range.high < 0.5, JSON.stringify(first.range));
  // (the tiny classifier, one epoch on 1024 images, is rarely confident; the range holds 98% of the real images by construction)
  assert.ok(first.real.confident >= 0 && first.real.confident <= 1 && first.real.offRange <= 0.03, JSON.stringify(first.real));
  assert.equal(first.real.classCounts.reduce((a, b) => a + b, 0), 3000);
  // and the real images' grid beside the zoo's sample grids (its pixels: test/metrics/sample-quality.test.ts)
  assert.ok(fs.statSync(path.join(dir, 'results', 'tiny-mnist', 'real-images.png')).size > 1000);
  for (const r of first.rows) {
    assert.equal(r.images, 32);
    assert.equal(r.nfe, r.steps);
    assert.equal(r.quality.classCounts.reduce((a, b) => a + b, 0), 32);
    assert.ok(r.quality.confident >= 0 && r.quality.confident <= 1 && r.quality.tooBright <= r.quality.offRange && Number.isFinite(r.fid));
  }

  // a run killed after three rows: the fourth is measured, the three are kept as they were
  const partial = read();
  partial.rows = partial.rows.filter((r) => key(r) !== 'b/4');
  partial.rows[0].seconds = -1; // a marker: a kept row is not re-measured
  fs.writeFileSync(file, JSON.stringify(partial));
  assert.match(run('sample-quality', '--experiment', tiny, '--workers', '1'), /3 row\(s\) kept from the last run, 1 to measure/);
  const resumed = read();
  assert.deepEqual(resumed.rows.map(key), ['a/2', 'a/4', 'b/2', 'b/4']);
  assert.equal(resumed.rows[0].seconds, -1);
  // the same noise-bank images and weights give the same numbers
  assert.deepEqual(resumed.rows[3].quality, first.rows[3].quality);
  assert.ok(Math.abs(resumed.rows[3].fid - first.rows[3].fid) <= 1e-9 * first.rows[3].fid);
  assert.deepEqual(resumed.real, first.real);

  // nothing left to do: the rows stay
  assert.match(run('sample-quality', '--experiment', tiny, '--workers', '1'), /4 row\(s\) kept from the last run, 0 to measure\n/);
  assert.equal(read().rows[0].seconds, -1);

  // another config (hash) measures everything again
  assert.match(run('sample-quality', '--experiment', tiny, '--workers', '1', '--set', 'sampleQuality.ddimSteps=[2]'), /0 row\(s\) kept from the last run, 2 to measure/);
  const other = read();
  assert.deepEqual(other.rows.map(key), ['a/2', 'b/2']);
  assert.notEqual(other.rows[0].seconds, -1);
  assert.deepEqual(other.rows[0].quality, first.rows[0].quality);
});
