/**
 * End to end: the predictor, trained with the pairwise hinge ranking loss, learns a known ranking.
 *
 * Synthetic data: DDIM schedules of length 10 over N = 3 models from the dataset distribution
 * (Dirichlet 0.4 preference, null probability 0.5 here so that schedules are not mostly empty), and
 * a noise-free "FID" = sum over positions p of table[p][m_p] with table entries U(0, 10) (the null
 * model has its own entries). 600 training and 300 validation schedules.
 *
 * To fit a CI budget (about 10-20 s on one WASM thread) the test shrinks what the official
 * setting has larger: sizes (model embedding 8, sinusoid 16 -> time embedding 8, LSTM hidden 32,
 * head [32, 32] instead of 32, 128 -> 64, 128, [200, 200, 200]), batch 64 instead of 512,
 * lr 5e-3 instead of 1e-3, and every pair of a batch is used (maxPairsRatio 32 instead of 2) so
 * that a small batch still gives enough ranking signal. 20 epochs (200 steps), evaluated every 5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../lib/engine/backend';
import { streamRng } from '../../lib/engine/rng';
import { SchedulePredictor, trainPredictor } from '../../lib/predictor/index';
import { randomSchedules } from '../../lib/schedule/index';

test('learns a synthetic additive ranking to validation Kendall tau > 0.95', async (t) => {
  await initBackend('wasm');
  const L = 10;
  const N = 3;
  const rng = streamRng(7, 'table');
  const table = Array.from({ length: L }, () => Array.from({ length: N + 1 }, () => 10 * rng()));
  const fid = (entries: readonly number[]) => entries.reduce((a, m, p) => a + table[p][m], 0);
  const schedules = randomSchedules('ddim', 900, { length: L, numModels: N, seed: 11, nullProb: 0.5 }).map((s) => [...s.entries]);
  const fids = schedules.map(fid);
  const train = { schedules: schedules.slice(0, 600), fids: fids.slice(0, 600) };
  const valid = { schedules: schedules.slice(600), fids: fids.slice(600) };

  const p = SchedulePredictor.create(
    { solver: 'ddim', numModels: N, length: L, modelEmbDim: 8, timeSinusoidDim: 16, timeEmbDim: 8, hiddenSize: 32, headDims: [32, 32] },
    1,
  );
  const r = trainPredictor(p, train, valid, {
    epochs: 20,
    seed: 2,
    batchSize: 64,
    lr: 5e-3,
    maxPairsRatio: 32,
    evalEvery: 5,
    onEvaluate: (e) => t.diagnostic(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, train tau ${e.trainTau.toFixed(4)}, valid tau ${e.validTau.toFixed(4)}, ${e.seconds.toFixed(1)} s`),
  });
  const before = r.history[0].validTau;
  assert.ok(r.best !== null);
  t.diagnostic(`best validation tau ${r.best.validTau.toFixed(4)} at epoch ${r.best.epoch}; ${r.steps} steps in ${r.seconds.toFixed(1)} s`);
  assert.ok(r.best.validTau > 0.95, `validation tau ${r.best.validTau}`);
  assert.ok(r.best.validTau >= before);
  p.dispose();
});
