/**
 * Issue #6's promise about interruptions, end to end on the tiny experiment: `reproduce` killed
 * (SIGKILL, no chance to clean up) in the middle of collection and then run again finishes with the
 * same figure data as a run that was never interrupted. And one run per results folder (issue 21):
 * a second reproduce on a folder in use stops at once; the killed run's lock is taken over.
 *
 * Both runs share the zoo, latency table and FID reference (the interrupted workspace is a copy of
 * the uninterrupted one with everything from collection on removed): latency is measured, so two
 * fresh runs price schedules differently, and that is not what this test is about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TOLERANCES, MEASURED_RECORD_TIME_RULES, diffFigures } from '../../lib/figures/compare-figures';
import { cli, envFor, expDir, figures, recordLines, sleep, tiny } from '../helpers/tiny-workspace';
import { tempDir } from '../helpers/temp-dir';


test('reproduce killed in the middle of collection, then rerun, gives the figure data of an uninterrupted run', { timeout: 900_000 }, async () => {
  const whole = tempDir('omsdpm-whole-');
  // The uninterrupted run, and a second reproduce on the same results folder while it runs: the
  // second is refused at once, naming the first; the first finishes as if alone.
  const first = spawn(process.execPath, [cli, 'reproduce', '--experiment', tiny, '--in-place'], { env: envFor(whole), stdio: ['ignore', 'pipe', 'pipe'] });
  let firstOut = '';
  first.stdout.on('data', (b: Buffer) => (firstOut += b.toString()));
  first.stderr.on('data', (b: Buffer) => (firstOut += b.toString()));
  const firstExit = new Promise<number | null>((r) => first.on('close', r));
  const lockFile = path.join(expDir(whole), '.run.lock');
  for (const start = Date.now(); !fs.existsSync(lockFile); await sleep(20)) assert.ok(Date.now() - start < 60_000, 'the first reproduce took no lock');
  const t0 = Date.now();
  const second = spawnSync(process.execPath, [cli, 'reproduce', '--experiment', tiny, '--in-place'], { env: envFor(whole), encoding: 'utf8' });
  assert.ok(Date.now() - t0 < 5000, `the second run took ${Date.now() - t0} ms to stop`);
  assert.notEqual(second.status, 0);
  assert.match(second.stderr, new RegExp(`in use by another run: pid ${first.pid} .*'oms-dpm reproduce --experiment tiny-mnist`));
  assert.equal(await firstExit, 0, firstOut);
  assert.equal(fs.existsSync(lockFile), false, 'the finished run released its lock');

  const cut = tempDir('omsdpm-cut-');
  fs.cpSync(whole, cut, { recursive: true });
  for (const f of fs.readdirSync(expDir(cut))) {
    if (/^(schedule-fid-|predictor-|front-)/.test(f) || f === 'figures') fs.rmSync(path.join(expDir(cut), f), { recursive: true, force: true });
  }
  const dataset = path.join(expDir(cut), 'schedule-fid-ddim.jsonl');
  const child = spawn(process.execPath, [cli, 'reproduce', '--experiment', tiny, '--in-place', '--from', 'collection-ddim'], { env: envFor(cut), stdio: 'ignore' });
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

  const rerun = spawnSync(process.execPath, [cli, 'reproduce', '--experiment', tiny, '--in-place'], { env: envFor(cut), encoding: 'utf8' });
  assert.equal(rerun.status, 0, rerun.stdout + rerun.stderr);
  // the killed run left its lock: taken over, with a note
  assert.match(rerun.stderr, new RegExp(`took over the lock of a run that is gone \\(pid ${child.pid},`));
  assert.match(rerun.stdout, /stage collection-ddim: running/);
  assert.equal(recordLines(dataset), 10);

  const a = figures(whole);
  const b = figures(cut);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  // Records' measured times (the cost-model figures) are clock readings; everything else must agree.
  const problems = [...a].flatMap(([f, fig]) => diffFigures(b.get(f)!, fig, [...MEASURED_RECORD_TIME_RULES, ...DEFAULT_TOLERANCES]));
  assert.deepEqual(problems, []);
});
