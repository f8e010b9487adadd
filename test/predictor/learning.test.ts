/**
 * End to end: the predictor, trained with the pairwise hinge ranking loss, learns a known ranking.
 *
 * Synthetic data: DDIM schedules of length 10 over N = 3 models from the dataset distribution
 * (Dirichlet 0.4 preference, null probability 0.5 here so that schedules are not mostly empty), and
 * a noise-free "FID" = sum over positions p of table[p][m_p] with table entries U(0, 10) (the null
 * model has its own entries). 600 training schedules, 100 selection schedules (they choose the
 * checkpoint) and 200 validation schedules, scored once at the end on the chosen weights.
 *
 * To fit a CI budget (about 10-20 s on one WASM thread) the test shrinks what the official
 * setting has larger: sizes (model embedding 8, sinusoid 16 -> time embedding 8, LSTM hidden 32,
 * head [32, 32] instead of 32, 128 -> 64, 128, [200, 200, 200]), batch 64 instead of 512,
 * lr 5e-3 instead of 1e-3, and every pair of a batch is used (maxPairsRatio 32 instead of 2) so
 * that a small batch still gives enough ranking signal. 20 epochs (200 steps), evaluated every 5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../lib/tfjs/backend';
import { streamRng } from '../../lib/util/rng';
import { SchedulePredictor, evaluateTau, trainPredictor } from '../../lib/predictor/index';
import { randomSchedules } from '../../lib/schedule/index';

test('learns a synthetic additive ranking to validation Kendall tau > 0.95 (checkpoint chosen on a separate selection set)', async (t) => {
  await initBackend('wasm');
  const L = 10;
  const N = 3;
  const rng = streamRng(7, 'table');
  const table = Array.from({ length: L }, () => Array.from({ length: N + 1 }, () => 10 * rng()));
  const fid = (entries: readonly number[]) => entries.reduce((a, m, p) => a + table[p][m], 0);
  const schedules = randomSchedules('ddim', 900, { length: L, numModels: N, seed: 11, nullProb: 0.5 }).map((s) => [...s.entries]);
  const fids = schedules.map(fid);
  const train = { schedules: schedules.slice(0, 600), fids: fids.slice(0, 600) };
  const selection = { schedules: schedules.slice(600, 700), fids: fids.slice(600, 700) };
  const valid = { schedules: schedules.slice(700), fids: fids.slice(700) };

  const p = SchedulePredictor.create(
    { solver: 'ddim', numModels: N, length: L, modelEmbDim: 8, timeSinusoidDim: 16, timeEmbDim: 8, hiddenSize: 32, headDims: [32, 32] },
    1,
  );
  const r = trainPredictor(p, train, selection, {
    epochs: 20,
    seed: 2,
    batchSize: 64,
    lr: 5e-3,
    maxPairsRatio: 32,
    evalEvery: 5,
    onEvaluate: (e) => t.diagnostic(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, train tau ${e.trainTau.toFixed(4)}, selection tau ${e.selectionTau.toFixed(4)}, ${e.seconds.toFixed(1)} s`),
  });
  const before = r.history[0].selectionTau;
  assert.ok(r.best !== null);
  assert.ok(r.best.selectionTau >= before);
  // measured once, on the restored chosen weights and on schedules training and the choice never saw
  const validTau = evaluateTau(p, p.prepare(valid.schedules), valid.fids);
  t.diagnostic(`best selection tau ${r.best.selectionTau.toFixed(4)} at epoch ${r.best.epoch}, validation tau ${validTau.toFixed(4)}; ${r.steps} steps in ${r.seconds.toFixed(1)} s`);
  assert.ok(validTau > 0.95, `validation tau ${validTau}`);
  p.dispose();
});
