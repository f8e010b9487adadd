import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { buildFigures } from '../../lib/figures/build-figures';
import { dcErrorFigure } from '../../lib/figures/zoo-figures';
import { writeFigures, writeIndex } from '../../lib/figures/report';
import { PNG } from 'pngjs';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

function fakeResults(root: string): void {
  const dir = path.join(root, 'tiny-mnist');
  for (const [id, params] of [['a', 100], ['b', 400]] as const) {
    const z = path.join(dir, 'zoo', id);
    fs.mkdirSync(z, { recursive: true });
    fs.writeFileSync(path.join(z, 'model.json'), JSON.stringify({ params, steps: 3, trainSeconds: 120 }));
    fs.writeFileSync(path.join(z, 'loss-curve.json'), JSON.stringify({ points: [{ step: 1, mse: 1 }, { step: 2, mse: 0.5 }, { step: 3, mse: 0.25 }] }));
  }
  fs.writeFileSync(path.join(dir, 'latency-tfjs-wasm.json'), JSON.stringify({ engine: 'tfjs-wasm', models: { a: { medianMs: 10 }, b: { medianMs: 30 } } }));
  fs.writeFileSync(path.join(dir, 'validation-loss.json'), JSON.stringify({
    experiment: 'tiny-mnist', engine: 'tfjs-wasm', configHash: 'x', images: 64, timesteps: [250, 750], seed: 1,
    models: [{ modelId: 'a', mse: 0.05, perTimestep: [0.09, 0.01] }, { modelId: 'b', mse: 0.03, perTimestep: [0.05, 0.01] }],
  }));
  const p = (series: string, x: number, fid: number, solver = 'ddim') => ({ series, x, fid, nfe: x, solver, schedule: [], images: 64, seconds: 1 });
  fs.writeFileSync(path.join(dir, 'observation-first.json'), JSON.stringify({
    kind: 'oms-dpm-first-observation', experiment: 'tiny-mnist', configHash: 'x', featureNetwork: 'label-classifier CNN', images: 64,
    points: [p('ddim/a', 2, 90), p('ddim/a', 4, 70), p('ddim/b', 2, 60), p('ddim/b', 4, 40), p('dpm-solver/a', 3, 80, 'dpm-solver'), p('dpm-solver/b', 3, 50, 'dpm-solver'),
      p('ddim/a-then-b', 0, 41), p('ddim/a-then-b', 1, 39), p('ddim/b-then-a', 0, 69), p('ddim/b-then-a', 1, 75)],
  }));
}

test('figure data is built from recorded results, with sources, and missing stages are named', () => {
  const root = tempDir('omsdpm-fig-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    fakeResults(root);
    const set = buildFigures(loadExperiment(tiny));
    const ids = set.figures.map((f) => f.id);
    assert.deepEqual(ids, ['loss-curves', 'zoo-table', 'validation-loss', 'fid-vs-nfe-ddim', 'fid-vs-nfe-dpm-solver', 'small-large-switch']);
    const table = set.figures[1].data[0] as { cells: { values: string[][] } };
    assert.deepEqual(table.cells.values[0], ['a', 'b']);
    assert.deepEqual(table.cells.values[4], ['10.0', '30.0']);
    assert.deepEqual(table.cells.values[5], ['0.0500', '0.0300']);
    assert.deepEqual(table.cells.values[6], ['70.0 (4, ddim)', '40.0 (4, ddim)']);
    // EMA decay of the last of 3 steps (model.json without settings: the config's rate 0.999 with warm-up): 3 / 12
    assert.deepEqual(table.cells.values[7], ['0.2500 (warm-up; rate 0.999)', '0.2500 (warm-up; rate 0.999)']);
    const held = set.figures[2].data as { name: string; x: number[]; y: number[] }[];
    assert.deepEqual(held.map((s) => [s.name, s.x, s.y]), [['a (mean 0.0500)', [250, 750], [0.09, 0.01]], ['b (mean 0.0300)', [250, 750], [0.05, 0.01]]]);
    const fid = set.figures[3].data as { name: string; x: number[]; y: number[] }[];
    assert.deepEqual(fid.map((s) => [s.name, s.x, s.y]), [['a', [2, 4], [90, 70]], ['b', [2, 4], [60, 40]]]);
    const sw = set.figures[5].data as { name: string; y: number[] }[];
    assert.deepEqual(sw.map((s) => s.name), ['a-then-b', 'b-then-a']);
    assert.ok(set.missing.some((m) => /oms-dpm front --experiment tiny-mnist --solver ddim/.test(m.why)));
    assert.ok(set.missing.some((m) => m.id === 'cost-model-ddim' && /no ddim schedule-FID dataset: oms-dpm collect/.test(m.why)));
    // without the held-out loss: its figure is missing (with the command that makes it), its column '-'
    fs.rmSync(path.join(root, 'tiny-mnist', 'validation-loss.json'));
    const noHeld = buildFigures(loadExperiment(tiny));
    assert.ok(noHeld.missing.some((m) => m.id === 'validation-loss' && /oms-dpm validation-loss --experiment tiny-mnist/.test(m.why)));
    assert.deepEqual((noHeld.figures[1].data[0] as { cells: { values: string[][] } }).cells.values[5], ['-', '-']);
    // a dataset too small for the cost-model check is a missing figure, not a failed build; a damaged one is an error
    const header = { kind: 'oms-dpm-schedule-fid-dataset', version: 1, experiment: 'tiny-mnist', solver: 'ddim', length: 10, numModels: 2, recordKey: 'k', featureNetwork: 'f', images: 64, scheduleSeed: 0, splitSeed: 0, trainRatio: 0.5 };
    const rec = (id: number, costMs: number, seconds: number) => ({ id, split: 'train', solver: 'ddim', schedule: [1, 0, 0, 0, 0, 0, 0, 0, 0, 2], fid: 50, costMs, nfe: 2, images: 64, seed: 0, configHash: 'h', engine: 'tfjs-wasm', seconds });
    const ds = path.join(root, 'tiny-mnist', 'schedule-fid-ddim.jsonl');
    fs.writeFileSync(ds, [header, rec(0, 40, 1), rec(1, 60, 2)].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const two = buildFigures(loadExperiment(tiny));
    assert.ok(two.missing.some((m) => m.id === 'cost-model-ddim' && /at least 3 priced records/.test(m.why)));
    fs.appendFileSync(ds, JSON.stringify(rec(2, 80, 3)) + '\n');
    const three = buildFigures(loadExperiment(tiny)).figures.find((f) => f.id === 'cost-model-ddim');
    assert.deepEqual(three?.data[0].y, [1, 2, 3]);
    fs.writeFileSync(ds, JSON.stringify(header) + '\n{"id": 0, "spl\n');
    assert.throws(() => buildFigures(loadExperiment(tiny)), /line 2 is not valid JSON|not valid JSON/);
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});

test('figures render to offline HTML (plotly from results/assets) and PNG through headless Chromium; the index links them', async () => {
  const root = tempDir('omsdpm-fig-');
  process.env.OMS_DPM_RESULTS = root;
  try {
    fakeResults(root);
    const set = buildFigures(loadExperiment(tiny));
    const figs = set.figures.filter((f) => f.id === 'fid-vs-nfe-ddim');
    await writeFigures(root, path.join(root, 'tiny-mnist'), figs, true);
    const html = fs.readFileSync(path.join(root, 'tiny-mnist', 'figures', 'fid-vs-nfe-ddim.html'), 'utf8');
    assert.match(html, /<script src="..\/..\/assets\/plotly.js"><\/script>/);
    assert.ok(fs.statSync(path.join(root, 'assets', 'plotly.js')).size > 1e6);
    const png = PNG.sync.read(fs.readFileSync(path.join(root, 'tiny-mnist', 'figures', 'fid-vs-nfe-ddim.png')));
    assert.equal(png.width, 760);
    assert.equal(png.height, 460);
    // not a blank image: the plot has coloured line pixels
    let coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) if (Math.abs(png.data[i] - png.data[i + 2]) > 60) coloured++;
    assert.ok(coloured > 100, `only ${coloured} coloured pixels`);
    const index = fs.readFileSync(writeIndex(root), 'utf8');
    assert.match(index, /tiny-mnist\/figures\/fid-vs-nfe-ddim\.html/);
    // a damaged figure file names itself and the command that rebuilds it
    fs.writeFileSync(path.join(root, 'tiny-mnist', 'figures', 'fid-vs-nfe-ddim.json'), '{"id": "fid-vs');
    assert.throws(() => writeIndex(root), (e: { message: string; hint?: string }) => /fid-vs-nfe-ddim\.json/.test(e.message) && /^rebuild it: oms-dpm figures --experiment tiny-mnist$/.test(e.hint ?? ''));
  } finally {
    delete process.env.OMS_DPM_RESULTS;
  }
});

test('the image-mean (DC) error figure: one trace per member with its gain at the noisiest point; none for a report without DC measures', () => {
  const report = {
    experiment: 'x', engine: 'onnxruntime-cpu', configHash: 'h', images: 64, timesteps: [250, 950], seed: 1,
    models: [
      { modelId: 'a', mse: 0.05, perTimestep: [0.09, 0.01], dcGain: [0.5, 0.22], dcError: [0.01, 0.9] },
      { modelId: 'b', mse: 0.03, perTimestep: [0.05, 0.01], dcGain: [0.6, 0.81], dcError: [0.01, 0.3] },
    ],
  };
  const fig = dcErrorFigure('x', report)!;
  assert.equal(fig.id, 'validation-dc-error');
  assert.deepEqual(fig.data.map((t) => [t.name, t.x, t.y]), [['a (gain 0.22)', [250, 950], [0.01, 0.9]], ['b (gain 0.81)', [250, 950], [0.01, 0.3]]]);
  assert.equal(dcErrorFigure('x', { ...report, models: report.models.map(({ dcGain: _g, dcError: _e, ...m }) => m) } as unknown as typeof report), null);
});
