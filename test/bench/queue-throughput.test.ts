/**
 * The bench's queue piece (lib/bench/queue-throughput.ts) on the tiny trained zoo, small: 4 DDIM
 * schedules of 16 images, the local pool and queue workers at 1 and 2 processes each, a table with
 * the queue / local-pool ratio, and a note for bench.json. Needs redis-server (scripts/setup.sh);
 * without one the test fails saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { redisServerBinary } from '../helpers/redis-server';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

const dir = tempDir('omsdpm-bench-queue-');
Object.assign(process.env, { OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs'), OMS_DPM_BACKEND: 'wasm', OMS_DPM_ENGINE: 'tfjs' });
delete process.env.OMS_DPM_QUEUE;

test('bench queue throughput: local pool and queue at 1 and 2 workers, with the ratio', { timeout: 600_000 }, async () => {
  redisServerBinary(); // fails with the fix when redis-server is missing
  try {
    for (const args of [['train-zoo', '--experiment', tiny, '--grid', '0'], ['fid-reference', '--experiment', tiny]]) {
      const r = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), ...args], { encoding: 'utf8', env: process.env });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    const { loadExperiment } = await import('../../lib/config/index');
    const { initBackend } = await import('../../lib/tfjs/backend');
    const { benchQueueThroughput } = await import('../../lib/bench/queue-throughput');
    await initBackend();
    const exp = loadExperiment(tiny);
    const lines: string[] = [];
    const notes: string[] = [];
    const r = await benchQueueThroughput(exp, { log: (l) => lines.push(l), note: (n) => notes.push(n), jobs: 4, images: 16 });
    assert.ok(r, notes.join('\n'));
    assert.equal(r.engine, 'tfjs-wasm');
    assert.deepEqual(r.rows.map((x) => `${x.backend}/${x.workers}`), ['local pool/1', 'queue/1', 'local pool/2', 'queue/2']);
    for (const row of r.rows) {
      assert.equal(row.jobs, 4);
      assert.ok(row.seconds > 0 && row.schedulesPerHour > 0, JSON.stringify(row));
    }
    for (const q of r.rows.filter((x) => x.backend === 'queue')) {
      const local = r.rows.find((x) => x.backend === 'local pool' && x.workers === q.workers)!;
      assert.ok(Math.abs(q.ratio! - q.schedulesPerHour / local.schedulesPerHour) < 1e-9);
    }
    const text = lines.join('\n');
    assert.match(text, /backend\s+workers\s+jobs\s+seconds\s+schedules\/h\s+queue \/ local pool/);
    assert.match(text, /queue\s+2\s+4\s+[\d.]+\s+\d+\s+[\d.]+x/);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /collection through the queue \(4 DDIM schedules x 16 images, tfjs-wasm\): local pool 1 worker\(s\) \d+\/h; queue 1 worker\(s\) \d+\/h \([\d.]+x the local pool\)/);

    // skipped: nothing measured, nothing noted
    assert.equal(await benchQueueThroughput(exp, { skip: true, log: () => undefined, note: (n) => notes.push(n) }), null);
    assert.equal(notes.length, 1);
  } finally {
    removeTempDir(dir);
  }
});
