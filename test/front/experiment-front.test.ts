/**
 * The front of an experiment end to end, without a trained zoo: a tiny predictor trained on a
 * synthetic dataset drives the real search (runSearch), the latency file prices schedules, and a
 * FID context whose "zoo" is two analytic denoisers and whose features are pixel statistics scores
 * every schedule through the real sampler path (scoreSchedule). Then the figure is built from the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/tfjs/backend';
import { frontFiguresFor } from '../../lib/figures/front-figures';
import { FRONT_SERIES, experimentFrontInputs, fidContextMeasurer, fidContextScorer, runFront, type FrontData } from '../../lib/front/index';
import { trainExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from './helpers';
import { analyticFidContext, pixelStats } from './analytic-zoo';
import { writeSyntheticDdimDataset } from '../collection/synthetic-dataset';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

test('experimentFrontInputs: real search, dataset, latency table and sampler path give a complete front and its figure', async () => {
  const root = tempDir();
  process.env.OMS_DPM_RESULTS = root;
  // the support ensemble is kept under runs/
  process.env.OMS_DPM_RUNS = path.join(root, 'runs');
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, {
      set: [
        'predictor.epochs=6', 'predictor.evalEvery=3', 'search.generations=4', 'search.rerankTopK=2', 'search.rerankImages=8', 'sampling.batchSize=8',
        'search.finalImagesStart=500', 'search.finalImages=12', 'search.bootstrapResamples=200',
      ],
    });
    const c = exp.config.collection;
    writeSyntheticDdimDataset(exp, 30);
    trainExperimentPredictor(exp, 'ddim');
    fs.writeFileSync(path.join(root, 'tiny-mnist', 'latency-tfjs-wasm.json'), JSON.stringify({ models: { a: { medianMs: 10 }, b: { medianMs: 25 } } }));

    const ctx = analyticFidContext(exp);
    const base = {
      engine: 'tfjs-wasm', score: fidContextScorer(ctx), measure: fidContextMeasurer(ctx), reference: ctx.reference, qualityRange: null,
      featureNetwork: pixelStats.describe(), provenance: { test: true }, scoreIdentity: 'test',
    };
    const settings = { randomCount: 2, singleModelNfes: [2, 4], twoSegmentNfes: [3, 4] };
    const run = experimentFrontInputs(exp, 'ddim', { ...base, budgets: [50, 60], settings });
    assert.equal(run.length, c.ddimLength, "the predictor's length");
    assert.deepEqual(run.latency, [0, 10, 25]);
    assert.equal(run.file, path.join(root, 'tiny-mnist', 'front-ddim.json'));
    // the default grid: 3 NFEs of a (30 ms) to 10 NFEs (the length) of b (250 ms)
    const grid = experimentFrontInputs(exp, 'ddim', base).budgets;
    assert.equal(grid[0], 30);
    assert.equal(grid[grid.length - 1], 250);

    const data = await runFront(run);
    const stored = JSON.parse(fs.readFileSync(run.file, 'utf8')) as FrontData;
    assert.deepEqual(stored.series.map((s) => s.name), [...FRONT_SERIES]);
    for (const s of stored.series) {
      assert.deepEqual(s.points.map((p) => p.budget), [50, 60], s.name);
      for (const p of s.points) {
        assert.ok(Number.isFinite(p.fid) && p.fid >= 0 && p.cost <= p.budget && p.images === 12 && p.selectionImages === 8, `${s.name}: ${JSON.stringify(p)}`);
        // no label classifier here: no quality numbers
        assert.equal(p.quality, undefined);
      }
    }
    assert.equal(stored.series[0].points[0].schedule.length, c.ddimLength);
    assert.equal(stored.featureNetwork, 'pixel statistics (test)');
    assert.deepEqual(stored.series, data.series);
    assert.deepEqual(stored.heldOut, { start: 500, images: 12, resamples: 200, seed: 0, level: 0.95, interval: 'basic bootstrap over held-out images (reference statistics fixed)' });
    assert.equal(stored.comparisons.length, 2 * 4);

    const figs = frontFiguresFor(path.join(root, 'tiny-mnist'), 'tiny-mnist');
    assert.deepEqual(figs.figures.map((f) => f.id), ['fid-vs-cost-ddim', 'front-table-ddim', 'schedule-strips-ddim']);
    assert.deepEqual(figs.missing.map((m) => m.id), ['fid-vs-cost-dpm-solver, front-table-dpm-solver, schedule-strips-dpm-solver']);
    assert.match(figs.missing[0].why, /oms-dpm front --experiment tiny-mnist --solver dpm-solver/);

    // without a predictor the oms-dpm series cannot run; the baselines alone can
    assert.throws(() => experimentFrontInputs(exp, 'dpm-solver', base), (e: unknown) => isKitError(e) && /train-predictor/.test(e.hint ?? ''));
    const baselines = experimentFrontInputs(exp, 'dpm-solver', { ...base, settings: { series: ['best-single-model'] } });
    assert.equal(baselines.length, c.dpmSolverLength);
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    delete process.env.OMS_DPM_RUNS;
  }
});

test('front.search whole-front: one search answers every budget of the grid, within budget, the same for the same seed', async () => {
  const root = tempDir();
  process.env.OMS_DPM_RESULTS = root;
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, { set: ['predictor.epochs=6', 'predictor.evalEvery=3', 'search.generations=30', 'front.search=whole-front'] });
    writeSyntheticDdimDataset(exp, 30);
    trainExperimentPredictor(exp, 'ddim');
    fs.writeFileSync(path.join(root, 'tiny-mnist', 'latency-tfjs-wasm.json'), JSON.stringify({ models: { a: { medianMs: 10 }, b: { medianMs: 25 } } }));
    const base = { engine: 'tfjs-wasm', score: async () => ({ fid: 0, images: 0, engine: '', seconds: 0 }), measure: async () => { throw new Error('not measured here'); }, reference: { mu: new Float64Array(3), sigma: new Float64Array(9), dim: 3 }, qualityRange: null, featureNetwork: 'none', provenance: {}, scoreIdentity: 'test' };
    let generations = 0;
    const run = experimentFrontInputs(exp, 'ddim', { ...base, budgets: [50, 90, 150], onFrontGeneration: () => generations++ });
    const picks = await Promise.all([50, 90, 150].map((b) => run.search(b)));
    assert.equal(generations, 90, 'one search of search.generations generations per budget, the per-budget loop\'s total, for the three budgets');
    picks.forEach((population, i) => {
      assert.ok(population.length > 0);
      for (const ind of population) assert.ok(ind.cost <= [50, 90, 150][i], `cost ${ind.cost} over ${[50, 90, 150][i]}`);
      for (let k = 1; k < population.length; k++) assert.ok(population[k - 1].score <= population[k].score, 'best predicted first');
    });
    // a larger budget's best is at least as good (predicted) as a smaller one's: its archive holds every cheaper schedule
    assert.ok(picks[2][0].score <= picks[0][0].score);
    const again = experimentFrontInputs(exp, 'ddim', { ...base, budgets: [50, 90, 150] });
    assert.deepEqual((await again.search(90)).map((p) => p.schedule), picks[1].map((p) => p.schedule), 'same seed, same picks');
    await assert.rejects(run.search(70), (e: unknown) => isKitError(e) && /no budget 70 ms/.test(e.message));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
