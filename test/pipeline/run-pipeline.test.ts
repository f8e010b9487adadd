/**
 * The pipeline runner with stand-in stages (no training, no sampling): which stages run, which are
 * up to date, and what an interrupted run leaves for the next one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { readManifest } from '../../lib/pipeline/manifest';
import { runPipeline } from '../../lib/pipeline/run-pipeline';
import type { Stage, StageContext } from '../../lib/pipeline/stages';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

/** Three stages a -> b -> c whose inputs are read from `settings`; `ran` logs what ran. */
function world() {
  const prev = process.env.OMS_DPM_RESULTS;
  process.env.OMS_DPM_RESULTS = fs.mkdtempSync(path.join(os.tmpdir(), 'omsdpm-pipe-'));
  const exp = loadExperiment(tiny);
  const settings: Record<string, number> = { a: 1, b: 1, c: 1 };
  const ran: string[] = [];
  let failIn: string | null = null;
  const stage = (name: string): Stage => ({
    name,
    inputs: () => ({ setting: settings[name] }),
    async run() {
      ran.push(name);
      if (failIn === name) throw new Error(`killed in ${name}`);
      return { name };
    },
  });
  const stages = ['a', 'b', 'c'].map(stage);
  const ctx = { exp, engine: null, log: () => {}, progress: () => {} } as unknown as StageContext;
  const restore = () => (prev === undefined ? delete process.env.OMS_DPM_RESULTS : (process.env.OMS_DPM_RESULTS = prev));
  return { exp, settings, ran, stages, ctx, restore, failAt: (n: string | null) => (failIn = n) };
}

test('a second run skips up-to-date stages; a changed setting re-runs that stage and every later one', async () => {
  const w = world();
  try {
    await runPipeline(w.ctx, w.stages);
    assert.deepEqual(w.ran, ['a', 'b', 'c']);
    w.ran.length = 0;
    const r = await runPipeline(w.ctx, w.stages);
    assert.deepEqual(w.ran, []);
    assert.deepEqual(r.stages.map((s) => s.status), ['up to date', 'up to date', 'up to date']);
    w.settings.b = 2;
    await runPipeline(w.ctx, w.stages);
    assert.deepEqual(w.ran, ['b', 'c']);
    w.ran.length = 0;
    await runPipeline(w.ctx, w.stages, { from: 'c' });
    assert.deepEqual(w.ran, ['c']);
    await assert.rejects(runPipeline(w.ctx, w.stages, { from: 'nope' }), /unknown stage 'nope'.*|stages: a, b, c/);
  } finally {
    w.restore();
  }
});

test('a run stopped inside a stage (here: --from b, stopped in c) leaves b done and c to run next time', async () => {
  const w = world();
  try {
    await runPipeline(w.ctx, w.stages);
    w.ran.length = 0;
    w.failAt('c');
    await assert.rejects(runPipeline(w.ctx, w.stages, { from: 'b' }), /killed in c/);
    assert.deepEqual(w.ran, ['b', 'c']);
    // c's old manifest would otherwise still match its key and the rerun would skip the half-done stage
    assert.equal(readManifest(w.exp, 'c'), null);
    assert.notEqual(readManifest(w.exp, 'b'), null);
    w.ran.length = 0;
    w.failAt(null);
    await runPipeline(w.ctx, w.stages);
    assert.deepEqual(w.ran, ['c']);
  } finally {
    w.restore();
  }
});
