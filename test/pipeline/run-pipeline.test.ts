/**
 * The pipeline runner with stand-in stages (no training, no sampling): which stages run, which are
 * up to date, and what an interrupted run leaves for the next one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { readManifest } from '../../lib/pipeline/manifest';
import { runPipeline } from '../../lib/pipeline/run-pipeline';
import type { Stage, StageContext } from '../../lib/pipeline/stages';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

/** Three stages a -> b -> c whose inputs are read from `settings`; `ran` logs what ran. */
function world() {
  const prev = process.env.OMS_DPM_RESULTS;
  process.env.OMS_DPM_RESULTS = tempDir('omsdpm-pipe-');
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

test('concurrent stages: a group runs side by side, a changed member re-runs with what follows but not its sibling, a failing member lets the other finish', async () => {
  const w = world();
  try {
    const events: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const failIn = new Set<string>();
    // p and q: one waits until the other has started, which only works when they run at once
    const member = (name: string, waitsForOther: boolean): Stage => ({
      name,
      concurrent: 'pair',
      inputs: () => ({ setting: w.settings[name] ?? 1 }),
      async run() {
        events.push(`start ${name}`);
        if (waitsForOther) {
          const late = new Promise((_, no) => setTimeout(() => no(new Error(`${name} waited 5 s for its sibling: the group ran one after the other`)), 5000).unref());
          await Promise.race([gate, late]);
        }
        else release();
        await new Promise((r) => setTimeout(r, 5));
        if (failIn.has(name)) throw new Error(`failed in ${name}`);
        events.push(`end ${name}`);
        return { name };
      },
    });
    const stages = [w.stages[0], member('p', true), member('q', false), w.stages[2]];
    const r = await runPipeline(w.ctx, stages);
    assert.deepEqual(r.stages.map((s) => `${s.name} ${s.status}`), ['a ran', 'p ran', 'q ran', 'c ran']);
    assert.deepEqual(events.slice(0, 2).sort(), ['start p', 'start q']);
    assert.deepEqual(w.ran, ['a', 'c']);

    events.length = 0;
    w.ran.length = 0;
    w.settings.q = 2;
    await runPipeline(w.ctx, stages.map((s) => (s.name === 'p' ? { ...s, run: async () => assert.fail('p is up to date') } : s)));
    assert.deepEqual(events, ['start q', 'end q']);
    assert.deepEqual(w.ran, ['c']);

    // q fails: p (forced by --from) still finishes and keeps its manifest; c has none
    events.length = 0;
    failIn.add('q');
    const stages2 = [w.stages[0], member('p', false), member('q', false), w.stages[2]];
    await assert.rejects(runPipeline(w.ctx, stages2, { from: 'p' }), /failed in q/);
    assert.ok(events.includes('end p'), events.join(', '));
    assert.ok(readManifest(w.exp, 'p'));
    assert.equal(readManifest(w.exp, 'q'), null);
    assert.equal(readManifest(w.exp, 'c'), null);
  } finally {
    w.restore();
  }
});

test('dependsOn: a stage that reads only a re-runs with a, not with b; a run killed in b keeps its manifest; an unknown name is an error', async () => {
  const w = world();
  try {
    // a -> b -> c as in world(), plus q (reads a only) and z (reads everything before it)
    const extra = (name: string, dependsOn?: string[]): Stage => ({ name, dependsOn, inputs: () => ({}), async run() { w.ran.push(name); return { name }; } });
    const stages = [w.stages[0], w.stages[1], extra('q', ['a']), w.stages[2], extra('z')];
    await runPipeline(w.ctx, stages);
    assert.deepEqual(w.ran, ['a', 'b', 'q', 'c', 'z']);
    w.ran.length = 0;
    w.settings.b = 2;
    await runPipeline(w.ctx, stages);
    assert.deepEqual(w.ran, ['b', 'c', 'z']);
    w.ran.length = 0;
    w.failAt('b');
    w.settings.b = 3;
    await assert.rejects(runPipeline(w.ctx, stages), /killed in b/);
    assert.notEqual(readManifest(w.exp, 'q'), null);
    assert.equal(readManifest(w.exp, 'c'), null);
    assert.equal(readManifest(w.exp, 'z'), null);
    w.failAt(null);
    w.ran.length = 0;
    w.settings.a = 2;
    await runPipeline(w.ctx, stages);
    assert.deepEqual(w.ran, ['a', 'b', 'q', 'c', 'z']);
    await assert.rejects(runPipeline(w.ctx, [extra('y', ['nope']), ...stages]), /stage 'y' depends on 'nope', which does not run before it/);
  } finally {
    w.restore();
  }
});
