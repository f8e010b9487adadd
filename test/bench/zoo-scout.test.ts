/**
 * The member scout on the tiny fixture: a few PyTorch steps (reference/pytorch/torch_scout.py), samples at each
 * evaluation step measured by the kit's label classifier, the curve written after each point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scoutMember, scoutSteps } from '../../lib/bench/zoo-scout';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/tfjs/backend';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('evaluation steps: every n and the last; bad values are refused', () => {
  assert.deepEqual(scoutSteps(10, 4), [4, 8, 10]);
  assert.deepEqual(scoutSteps(8, 4), [4, 8]);
  assert.deepEqual(scoutSteps(3, 5), [3]);
  assert.throws(() => scoutSteps(0, 1), (e: unknown) => isKitError(e) && /positive integer, got 0/.test(e.message));
  assert.throws(() => scoutSteps(5, 0), (e: unknown) => isKitError(e) && /--eval-every/.test(e.message));
});

test('scout: a learning curve of a tiny member, measured by the label classifier, written after each point', async () => {
  const root = tempDir('omsdpm-scout-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny);
    const points: number[] = [];
    const { file, report } = await scoutMember(exp, 'b', {
      steps: 4, evalEvery: 2, samples: 10, ddimSteps: 2, threads: 1, emaRates: [0.05, 0.9],
      onEvent: (e) => e.kind === 'point' && points.push(e.point.step),
    });
    // every evaluation step samples each EMA of the one run
    assert.deepEqual(points, [2, 2, 4, 4]);
    assert.deepEqual(report.curve.map((p) => [p.step, p.emaRate]), [[2, 0.05], [2, 0.9], [4, 0.05], [4, 0.9]]);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(stored.kind, 'oms-dpm-scout');
    assert.equal(stored.curve.length, 4);
    for (const p of report.curve) {
      assert.equal(p.quality.images, 10);
      assert.equal(p.quality.classCounts.reduce((a, b) => a + b, 0), 10);
      assert.ok(p.quality.offRange >= 0 && p.quality.offRange <= 1 && Number.isFinite(p.fid) && Number.isFinite(p.loss));
    }
    // the parameter count of the kit's own spec (the PyTorch copy has the same layers)
    assert.ok(report.params > 1000);
    assert.equal(report.recipe.learningRate, exp.config.training.learningRate);
    assert.equal(report.recipe.lrDecay, 'constant');
    // with warm-up the decays are min(rate, (1+n)/(10+n)): 0.05 and 0.1 at step 0, so the two averages differ
    assert.notEqual(report.curve[0].fid, report.curve[1].fid);
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
