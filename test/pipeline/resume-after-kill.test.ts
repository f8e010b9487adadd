/**
 * Issue #6's promise about interruptions, end to end on the tiny experiment: `reproduce` killed
 * (SIGKILL, no chance to clean up) in the middle of collection and then run again finishes with the
 * same figure data as a run that was never interrupted.
 *
 * Both runs share the zoo, latency table and FID reference (the interrupted workspace is a copy of
 * the uninterrupted one with everything from collection on removed): latency is measured, so two
 * fresh runs price schedules differently, and that is not what this test is about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_TOLERANCES, MEASURED_RECORD_TIME_RULES, diffFigures } from '../../lib/figures/compare-figures';
import type { FigureData } from '../../lib/figures/figure-data';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'oms-dpm.js');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');
const envFor = (dir: string) => ({ ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') });
const expDir = (dir: string) => path.join(dir, 'results', 'tiny-mnist');
const recordLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}')).length - 1 : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reproduce(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'reproduce', '--experiment', tiny, ...args], { env: envFor(dir), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

function figures(dir: string): Map<string, FigureData> {
  const figDir = path.join(expDir(dir), 'figures');
  return new Map(fs.readdirSync(figDir).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(fs.readFileSync(path.join(figDir, f), 'utf8')) as FigureData]));
}

test('reproduce killed in the middle of collection, then rerun, gives the figure data of an uninterrupted run', { timeout: 900_000 }, async () => {
  const whole = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-whole-'));
  reproduce(whole);

  const cut = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-cut-'));
  fs.cpSync(whole, cut, { recursive: true });
  for (const f of fs.readdirSync(expDir(cut))) {
    if (/^(schedule-fid-|predictor-|front-)/.test(f) || f === 'figures') fs.rmSync(path.join(expDir(cut), f), { recursive: true, force: true });
  }
  const dataset = path.join(expDir(cut), 'schedule-fid-ddim.jsonl');
  const child = spawn(process.execPath, [cli, 'reproduce', '--experiment', tiny, '--from', 'collection-ddim'], { env: envFor(cut), stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const deadline = Date.now() + 300_000;
  while (recordLines(dataset) < 3) {
    assert.ok(Date.now() < deadline, 'collection did not start within 5 minutes');
    assert.equal(child.exitCode, null, 'reproduce ended before it could be killed');
    await sleep(50);
  }
  child.kill('SIGKILL');
  await exited;
  const kept = recordLines(dataset);
  assert.ok(kept >= 3 && kept < 10, `the kill should land mid-collection (10 records), found ${kept}`);

  const out = reproduce(cut);
  assert.match(out, /stage collection-ddim: running/);
  assert.equal(recordLines(dataset), 10);

  const a = figures(whole);
  const b = figures(cut);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  // Records' measured times (the cost-model figures) are clock readings; everything else must agree.
  const problems = [...a].flatMap(([f, fig]) => diffFigures(b.get(f)!, fig, [...MEASURED_RECORD_TIME_RULES, ...DEFAULT_TOLERANCES]));
  assert.deepEqual(problems, []);
});
