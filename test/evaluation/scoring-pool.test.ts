/**
 * The scoring pool on a tiny trained zoo: its FIDs (and held-out measures) equal the in-process ones, jobs are
 * spread over the workers, a bad job fails alone, and a worker that dies (or loads another config)
 * fails the pool with a message instead of hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-dir';

const root = path.join(__dirname, '..', '..');
const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

// The workers inherit this process's environment: a private results folder, WASM, TF.js sampling.
const dir = tempDir('omsdpm-pool-');
process.env.OMS_DPM_RESULTS = path.join(dir, 'results');
process.env.OMS_DPM_RUNS = path.join(dir, 'runs');
process.env.OMS_DPM_BACKEND = 'wasm';

test('scoring pool: FIDs equal scoreSchedule in this process; two workers; errors are contained or fail the pool', async () => {
  const trained = spawnSync(process.execPath, [path.join(root, 'bin', 'oms-dpm.js'), 'train-zoo', '--experiment', tiny, '--grid', '0'], { encoding: 'utf8', env: { ...process.env, OMS_DPM_ENGINE: 'tfjs' } });
  assert.equal(trained.status, 0, trained.stderr);

  const { loadExperiment } = await import('../../lib/config/index');
  const { initBackend } = await import('../../lib/tfjs/backend');
  const { ensureFidReference } = await import('../../lib/metrics/fid-reference');
  const { loadSamplingModels, disposeSamplingModels } = await import('../../lib/zoo/sampling-engine');
  const { measureSchedule, scoreSchedule } = await import('../../lib/evaluation/schedule-fid');
  const { ScoringPool } = await import('../../lib/evaluation/scoring-pool');

  const exp = loadExperiment(tiny, { set: ['sampling.batchSize=8'] });
  const info = await initBackend();
  const schedules: [ 'ddim' | 'dpm-solver', number[]][] = [
    ['ddim', [1, 0, 0, 0, 2, 0, 0, 0, 0, 1]],
    ['ddim', [0, 2, 0, 0, 0, 0, 0, 0, 2, 2]],
    ['dpm-solver', [1, 1, 1, 2, 0, 0]],
    ['ddim', [2, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
  ];
  const images = 16;

  const pool = await ScoringPool.start(exp, { engine: 'tfjs', workers: 2 });
  try {
    assert.equal(pool.workers, 2);
    assert.equal(pool.engine, `tfjs-${info.backend}`);
    const pooled = await Promise.all(schedules.map(([solver, s]) => pool.score(solver, s, images)));

    // the same FIDs in this process (same engine, same noise bank)
    const ref = await ensureFidReference(exp);
    const models = await loadSamplingModels(exp, 'tfjs', { threads: 1 });
    try {
      const ctx = { exp, models: models.map((m) => m.denoiser), extractor: ref.extractor, reference: ref.stats, engine: pool.engine };
      for (let i = 0; i < schedules.length; i++) {
        const local = await scoreSchedule(ctx, schedules[i][0], schedules[i][1], images);
        assert.equal(pooled[i].images, images);
        assert.ok(Math.abs(pooled[i].fid - local.fid) <= 1e-6 * Math.max(1, local.fid), `schedule ${i}: pool FID ${pooled[i].fid}, in process ${local.fid}`);
      }
    } finally {
      await disposeSamplingModels(models);
      ref.extractor.dispose();
    }

    // held-out measures: the same features, classes and intensities as in this process, on images [40, 40 + 12)
    const measured = await pool.measure('ddim', schedules[0][1], 40, 12);
    {
      const ref = await ensureFidReference(exp);
      const models = await loadSamplingModels(exp, 'tfjs', { threads: 1 });
      try {
        const ctx = { exp, models: models.map((m) => m.denoiser), extractor: ref.extractor, reference: ref.stats, engine: pool.engine };
        const local = await measureSchedule(ctx, 'ddim', schedules[0][1], 40, 12);
        assert.equal(measured.measures.count, 12);
        assert.deepEqual(Array.from(measured.measures.topClass!), Array.from(local.topClass!));
        for (let i = 0; i < local.features.length; i++) assert.ok(Math.abs(measured.measures.features[i] - local.features[i]) <= 1e-5 * Math.max(1, Math.abs(local.features[i])));
        assert.deepEqual(Array.from(measured.measures.meanIntensity), Array.from(local.meanIntensity));
        // the first image of this range is image 40 of the bank, not image 0
        const first = await measureSchedule(ctx, 'ddim', schedules[0][1], 0, 12);
        assert.notDeepEqual(Array.from(first.meanIntensity), Array.from(local.meanIntensity));
      } finally {
        await disposeSamplingModels(models);
        ref.extractor.dispose();
      }
    }

    // a schedule of the wrong length fails its own job; the pool keeps working
    await assert.rejects(pool.score('ddim', [1, 2, 3], images), /scoring a ddim schedule failed/);
    const after = await pool.score('ddim', schedules[0][1], images);
    assert.ok(Math.abs(after.fid - pooled[0].fid) <= 1e-6 * Math.max(1, after.fid));

    // a worker killed mid-job fails every job still waiting, with the reason
    const jobs = Array.from({ length: 4 }, () => pool.score('ddim', schedules[1][1], 64));
    const children = (pool as unknown as { children: { kill: () => void }[] }).children;
    children[0].kill(); // its job was sent the moment it was queued
    const settled = await Promise.allSettled(jobs);
    assert.ok(settled.some((s) => s.status === 'rejected' && /scoring worker exited/.test(String(s.reason))), JSON.stringify(settled.map((s) => s.status)));
    await assert.rejects(pool.score('ddim', schedules[0][1], images), /scoring worker exited/);
  } finally {
    pool.close();
  }

  // a worker that loads a config other than the parent's refuses to start
  const edited = { ...exp, hash: '0000000000000000' };
  await assert.rejects(ScoringPool.start(edited, { engine: 'tfjs', workers: 1 }), /worker loaded config .* the parent has 0000000000000000/);
});
