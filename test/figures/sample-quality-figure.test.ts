/**
 * The sample-quality figure and the zoo table's sample-quality columns, built from a hand-made
 * results/<experiment>/sample-quality.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import type { SampleQualityReport, SampleQualityRow } from '../../lib/evaluation/sample-quality-report';
import { buildFigures } from '../../lib/figures/build-figures';
import { sampleQualityFigure, zooTableSteps } from '../../lib/figures/sample-quality-figure';
import type { SampleQuality } from '../../lib/metrics/sample-quality';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

const q = (confident: number, offRange: number): SampleQuality => ({ images: 32, confident, meanTopProbability: 0.8, classCounts: [16, 16], largestClassShare: 0.5, smallestClassCount: 16, offRange, tooBright: offRange });
const row = (modelId: string, model: number, steps: number, confident: number, offRange: number): SampleQualityRow => ({
  modelId, model, solver: 'ddim', steps, nfe: steps, engine: 'tfjs-wasm', images: 32, fid: 100, quality: q(confident, offRange), seconds: 1,
});

function report(rows: SampleQualityRow[]): SampleQualityReport {
  return {
    kind: 'oms-dpm-sample-quality', version: 1, experiment: 'tiny-mnist', configHash: 'h', weights: { a: 'x', b: 'y' }, engine: 'tfjs-wasm', featureNetwork: 'label-classifier CNN',
    heldOut: { start: 100000, images: 32 }, ddimSteps: [2, 50], confidentProbability: 0.9, intensityPercentile: 1,
    range: { low: 0.05, high: 0.2, images: 3000 }, real: { data: 'mnist[validation split]', ...q(0.98, 0.02), images: 3000 },
    rows, plannedRows: 4, engineChoice: {} as SampleQualityReport['engineChoice'], provenance: {} as SampleQualityReport['provenance'],
  };
}

test('sample-quality figure: grouped bars per model and steps, the real ceiling as lines', () => {
  const r = report([row('a', 1, 2, 0.25, 0.5), row('a', 1, 50, 0.5, 0.25), row('b', 2, 2, 0.75, 0.125)]);
  const fig = sampleQualityFigure('tiny-mnist', r);
  assert.equal(fig.id, 'sample-quality');
  assert.deepEqual(fig.sources, ['tiny-mnist/sample-quality.json']);
  const [conf, off, realConf, realOff] = fig.data as { type: string; name: string; x: string[]; y: number[] }[];
  assert.deepEqual([conf.type, off.type, realConf.type, realOff.type], ['bar', 'bar', 'scatter', 'scatter']);
  assert.deepEqual(conf.x, ['a DDIM-2', 'a DDIM-50', 'b DDIM-2']);
  assert.deepEqual(conf.y, [0.25, 0.5, 0.75]);
  assert.deepEqual(off.y, [0.5, 0.25, 0.125]);
  assert.deepEqual(realConf.y, [0.98, 0.98, 0.98]);
  assert.deepEqual(realOff.y, [0.02, 0.02, 0.02]);
  assert.match(realConf.name, /real images: confident 98\.0%/);
  assert.match(fig.caption, /1 of 4 rows are not measured yet/);
  assert.match(fig.caption, /\[0\.050, 0\.200\]/);
  assert.equal((fig.layout as { barmode: string }).barmode, 'group');
});

test('zoo table: confident and off-range at DDIM-50 (else the most steps), the real ceiling in the caption; the figure is built from the file', () => {
  assert.equal(zooTableSteps(report([row('a', 1, 2, 0, 0), row('a', 1, 50, 0, 0), row('a', 1, 100, 0, 0)])), 50);
  assert.equal(zooTableSteps(report([row('a', 1, 2, 0, 0), row('b', 2, 4, 0, 0)])), 4);
  assert.equal(zooTableSteps(report([])), null);

  const root = tempDir('omsdpm-sqfig-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    const dir = path.join(root, 'tiny-mnist');
    for (const id of ['a', 'b']) {
      fs.mkdirSync(path.join(dir, 'zoo', id), { recursive: true });
      fs.writeFileSync(path.join(dir, 'zoo', id, 'model.json'), JSON.stringify({ params: 100, steps: 3, trainSeconds: 60 }));
      fs.writeFileSync(path.join(dir, 'zoo', id, 'loss-curve.json'), JSON.stringify({ points: [{ step: 1, mse: 1 }] }));
    }
    const exp = loadExperiment(tiny);
    const without = buildFigures(exp);
    assert.ok(without.missing.some((m) => m.id === 'sample-quality' && /oms-dpm sample-quality --experiment tiny-mnist/.test(m.why)));
    const bare = without.figures.find((f) => f.id === 'zoo-table')!.data[0] as { header: { values: string[] }; cells: { values: string[][] } };
    assert.deepEqual(bare.header.values.slice(-2), ['confident (DDIM-50)', 'off-range (DDIM-50)']);
    assert.deepEqual(bare.cells.values.slice(-2), [['-', '-'], ['-', '-']]);

    fs.writeFileSync(path.join(dir, 'sample-quality.json'), JSON.stringify(report([row('a', 1, 2, 0.25, 0.5), row('a', 1, 50, 0.5, 0.25), row('b', 2, 2, 0.75, 0.125)])));
    const set = buildFigures(exp);
    const ids = set.figures.map((f) => f.id);
    assert.ok(ids.includes('sample-quality') && !set.missing.some((m) => m.id === 'sample-quality'));
    const zoo = set.figures.find((f) => f.id === 'zoo-table')!;
    const table = zoo.data[0] as { header: { values: string[] }; cells: { values: string[][] }; columnwidth: number[] };
    assert.deepEqual(table.header.values.slice(-2), ['confident (DDIM-50)', 'off-range (DDIM-50)']);
    // b has no DDIM-50 row: '-'
    assert.deepEqual(table.cells.values.slice(-2), [['50.0%', '-'], ['25.0%', '-']]);
    assert.equal(table.columnwidth.length, table.header.values.length);
    assert.match(zoo.caption, /real ceiling \(3000 validation images\): confident 98\.0%, off-range 2\.0%/);
    assert.ok(zoo.sources.includes('tiny-mnist/sample-quality.json'));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});
