/**
 * The collection study end to end on the tiny fixture without a trained zoo (the analytic zoo of
 * test/front/analytic-zoo.ts): a random and an "active" synthetic dataset with the same validation
 * records, the experiment's front computed first, then the study at two record counts.
 *
 * Checked: the parts of the datasets each point trains on; that the random point with every record
 * reproduces the experiment's own predictor and OMS-DPM picks (same records, same seeds); the
 * study's arithmetic (per-budget differences against the best record-free baseline, their mean);
 * that a rerun trains and scores nothing; the figure; and the errors for a missing front, a missing
 * dataset, datasets with other validation records and a bad count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFile } from '../../lib/collection/collect';
import { buildFigures } from '../../lib/figures/build-figures';
import { appendRecord, openDataset, readDataset } from '../../lib/collection/dataset-file';
import { loadExperiment } from '../../lib/config/index';
import { experimentFrontInputs, experimentFrontSettings, fidContextMeasurer, fidContextScorer, runFront, type FrontData, type FrontMeasurer, type FrontScorer } from '../../lib/front/index';
import { trainExperimentPredictor } from '../../lib/predictor/experiment-predictor';
import { RECORD_FREE_BASELINES, runCollectionStudy, studyFile, studyFolder, type CollectionStudy } from '../../lib/study/collection-study';
import { initBackend } from '../../lib/tfjs/backend';
import { isKitError } from '../../lib/util/errors';
import { writeSyntheticDdimDataset } from '../collection/synthetic-dataset';
import { analyticFidContext, pixelStats } from '../front/analytic-zoo';
import { tempDir } from '../front/helpers';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

/** The "active" dataset: the random one's records, its training schedules past the first 4 moved to the dearer model. */
function writeActiveDataset(exp: ReturnType<typeof loadExperiment>): void {
  const { header, records } = readDataset(datasetFile(exp, 'ddim', 'random'));
  const file = datasetFile(exp, 'ddim', 'active');
  openDataset(file, { ...header, strategy: 'active' });
  const train = records.filter((r) => r.split === 'train').map((r) => r.id);
  for (const r of records) {
    const chosen = r.split === 'train' && train.indexOf(r.id) >= 4;
    const schedule = chosen ? r.schedule.map((m) => (m > 0 ? 2 : 0)) : r.schedule;
    const fid = 100 - 7 * schedule.filter((m) => m === 2).length - 3 * schedule.filter((m) => m === 1).length;
    appendRecord(file, { ...r, schedule, fid, ...(chosen ? { round: 1 } : {}) });
  }
}

test('the collection study trains a predictor per strategy and record count and scores its front against the best record-free baseline', async () => {
  const root = tempDir();
  process.env.OMS_DPM_RESULTS = path.join(root, 'results');
  process.env.OMS_DPM_RUNS = path.join(root, 'runs');
  try {
    await initBackend('wasm');
    const exp = loadExperiment(tiny, {
      set: ['predictor.epochs=6', 'predictor.evalEvery=3', 'search.generations=4', 'search.rerankImages=8', 'sampling.batchSize=8', 'search.finalImagesStart=500', 'search.finalImages=12', 'search.bootstrapResamples=200'],
    });
    writeSyntheticDdimDataset(exp, 30);
    fs.writeFileSync(path.join(process.env.OMS_DPM_RESULTS, 'tiny-mnist', 'latency-tfjs-wasm.json'), JSON.stringify({ models: { a: { medianMs: 10 }, b: { medianMs: 25 } } }));
    const ctx = analyticFidContext(exp);
    let calls = 0;
    const score: FrontScorer = (s, e, n) => (calls++, fidContextScorer(ctx)(s, e, n));
    const measure: FrontMeasurer = (s, e, start, n) => (calls++, fidContextMeasurer(ctx)(s, e, start, n));
    const front = { engine: 'tfjs-wasm', score, measure, reference: ctx.reference, qualityRange: null, featureNetwork: pixelStats.describe(), provenance: { test: true }, scoreIdentity: 'test' };

    await assert.rejects(runCollectionStudy(exp, 'ddim', { front }), (e: unknown) => isKitError(e) && /oms-dpm front --experiment tiny-mnist --solver ddim/.test(e.hint ?? ''));
    trainExperimentPredictor(exp, 'ddim');
    const main = await runFront(experimentFrontInputs(exp, 'ddim', { ...front, budgets: [50, 60], settings: experimentFrontSettings(exp) }));
    await assert.rejects(runCollectionStudy(exp, 'ddim', { front }), (e: unknown) => isKitError(e) && /--strategy active --count 10/.test(e.hint ?? ''));
    writeActiveDataset(exp);
    const records = readDataset(datasetFile(exp, 'ddim', 'random')).records;
    const trainCount = records.filter((r) => r.split === 'train').length;
    await assert.rejects(runCollectionStudy(exp, 'ddim', { front, trainingRecords: [trainCount + 1] }), (e: unknown) => isKitError(e) && /from 6 .* to \d+/.test(e.hint ?? ''));

    const events: string[] = [];
    const study = await runCollectionStudy(exp, 'ddim', { front, trainingRecords: [8, trainCount], onEvent: (e) => events.push(`${e.kind} ${e.strategy} ${e.trainingRecords} ${e.text}`) });
    assert.deepEqual(study.points.map((p) => [p.strategy, p.trainingRecords]), [['random', 8], ['random', trainCount], ['active', 8], ['active', trainCount]]);
    assert.deepEqual(JSON.parse(fs.readFileSync(studyFile(exp, 'ddim'), 'utf8')), JSON.parse(JSON.stringify(study)));
    assert.deepEqual(study.budgets, [50, 60]);
    assert.equal(study.validationRecords, records.length - trainCount);

    for (const p of study.points) {
      assert.equal(p.records.train + p.records.selection, p.trainingRecords, 'the predictor had the first n training records');
      assert.equal(p.records.validation, study.validationRecords, 'and every validation record');
      const part = readDataset(path.join(studyFolder(exp, 'ddim'), `${p.strategy}-${p.trainingRecords}`, 'schedule-fid-ddim.jsonl')).records;
      const firstTrain = records.filter((r) => r.split === 'train').slice(0, p.trainingRecords).map((r) => r.id);
      assert.deepEqual(part.filter((r) => r.split === 'train').map((r) => r.id), firstTrain);
      // the arithmetic: a difference per budget against the lowest held-out FID of the record-free baselines, and their mean
      const pointFront = JSON.parse(fs.readFileSync(path.join(studyFolder(exp, 'ddim'), `${p.strategy}-${p.trainingRecords}`, 'front.json'), 'utf8')) as FrontData;
      for (const b of p.budgets) {
        const fids = pointFront.series.filter((s) => RECORD_FREE_BASELINES.includes(s.name)).map((s) => s.points.find((x) => x.budget === b.budget)!.fid);
        assert.equal(b.baselineFid, Math.min(...fids));
        assert.ok(Math.abs(b.difference - (b.pick.fid - b.baselineFid)) < 1e-6, `budget ${b.budget}: ${b.difference} vs ${b.pick.fid} - ${b.baselineFid}`);
        assert.ok(b.low <= b.difference && b.difference <= b.high);
        assert.equal(b.verdict, b.high < 0 ? 'win' : b.low > 0 ? 'loss' : 'tie');
      }
      const mean = p.budgets.reduce((a, b) => a + b.difference, 0) / p.budgets.length;
      assert.ok(Math.abs(p.meanDifference.value - mean) < 1e-6);
      assert.ok(p.meanDifference.low <= p.meanDifference.value && p.meanDifference.value <= p.meanDifference.high);
      assert.equal(p.verdicts.win + p.verdicts.tie + p.verdicts.loss, p.budgets.length);
    }
    // every random record: the experiment's own predictor and picks, reproduced
    const all = study.points.find((p) => p.strategy === 'random' && p.trainingRecords === trainCount)!;
    const mainMetrics = JSON.parse(fs.readFileSync(path.join(process.env.OMS_DPM_RESULTS, 'tiny-mnist', 'predictor-ddim', 'metrics.json'), 'utf8'));
    assert.deepEqual(all.kendallTau, mainMetrics.kendallTau);
    const mainPicks = main.series.find((s) => s.name === 'oms-dpm')!.points.map((p) => p.schedule);
    assert.deepEqual(all.budgets.map((b) => b.pick.schedule), mainPicks);
    // the active points trained on other training records than the random ones at the same count
    assert.notDeepEqual(study.points[2].kendallTau, study.points[0].kendallTau);

    // the verdict is the one of its points (test/study/study-verdict.test.ts checks it by hand)
    assert.equal(study.verdict!.allRecords, trainCount);
    assert.equal(study.verdict!.randomAtAll, all.meanDifference.value);

    // a rerun: every predictor kept, nothing scored
    calls = 0;
    const again: string[] = [];
    const second: CollectionStudy = await runCollectionStudy(exp, 'ddim', { front, trainingRecords: [8, trainCount], onEvent: (e) => again.push(e.text) });
    assert.equal(calls, 0);
    assert.equal(again.filter((t) => t.startsWith('kept')).length, 4);
    assert.deepEqual(second.points, study.points);

    // datasets whose validation records differ cannot be compared
    const activeFile = datasetFile(exp, 'ddim', 'active');
    const lines = fs.readFileSync(activeFile, 'utf8').trim().split('\n');
    const v = lines.findIndex((l, i) => i > 0 && JSON.parse(l).split === 'validation');
    const moved = JSON.parse(lines[v]);
    lines[v] = JSON.stringify({ ...moved, fid: moved.fid + 1 });
    fs.writeFileSync(activeFile, lines.join('\n') + '\n');
    await assert.rejects(runCollectionStudy(exp, 'ddim', { front, trainingRecords: [8] }), (e: unknown) => isKitError(e) && /differ in size or in their validation records/.test(e.message));

    // the figure: tau and the mean difference against the record count, one line per strategy
    const fig = buildFigures(exp).figures.find((f) => f.id === 'collection-study-ddim');
    assert.ok(fig, 'the study has its figure');
    const left = fig.data.filter((t) => t.xaxis === 'x');
    assert.deepEqual(left.map((t) => t.name), ['random: validation tau', 'active: validation tau']);
    assert.deepEqual(left[1].y, study.points.slice(2).map((p) => p.kendallTau.validation));
    const right = fig.data.filter((t) => t.xaxis === 'x2' && t.name !== 'no difference');
    assert.deepEqual(right[0].x, [8, trainCount]);
    assert.deepEqual(right[0].y, study.points.slice(0, 2).map((p) => p.meanDifference.value));
    assert.deepEqual(fig.sources, ['tiny-mnist/collection-study-ddim.json']);
  } finally {
    delete process.env.OMS_DPM_RESULTS;
    delete process.env.OMS_DPM_RUNS;
  }
});
