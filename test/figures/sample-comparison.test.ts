/**
 * Sample grids at equal budget: the grids are sampled on the same noise for both series, reused
 * when the schedule is unchanged, and the figure names them: its HTML page links them (and draws
 * them opened from file://), its PNG has them drawn in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from '../../lib/config/index';
import { sampleComparisonFigure } from '../../lib/figures/sample-comparison-figure';
import { CHROMIUM_ARGS, inlineLocalImages, linkLocalImages } from '../../lib/figures/render';
import { writeFigures } from '../../lib/figures/report';
import type { FigureData } from '../../lib/figures/figure-data';
import { findChromium } from '../../lib/util/environment-checks';
import { PNG } from 'pngjs';
import type { FrontData, FrontPoint } from '../../lib/front/index';
import { writeSampleComparison } from '../../lib/front/sample-comparison';
import type { Denoiser } from '../../lib/samplers/denoiser';
import { isKitError } from '../../lib/util/errors';
import { tempDir } from '../helpers/temp-dir';

const tiny = path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml');

const pt = (budget: number, schedule: number[], fid: number): FrontPoint => ({
  budget, cost: budget - 1, fid, fidLow: fid - 1, fidHigh: fid + 1, images: 64, selectionFid: fid, selectionImages: 32, nfe: schedule.filter((m) => m > 0).length, schedule, label: 'x', candidates: 1,
});

function front(oms: number[]): FrontData {
  return {
    kind: 'oms-dpm-front', version: 2, experiment: 'tiny-mnist', solver: 'ddim', engine: 'test', configHash: 'h', experimentConfigHash: 'e', featureNetwork: 'f',
    selectionImages: 32, heldOut: { start: 1000, images: 64, resamples: 200, seed: 0, level: 0.95, interval: 'basic' },
    note: '', length: 4, latency: [0, 1, 2], modelIds: ['a', 'b'], budgets: [5, 9], budgetRule: '', settings: {}, empty: [], comparisons: [], provenance: null,
    series: [
      { name: 'oms-dpm', points: [pt(5, [1, 0, 0, 2], 30), pt(9, oms, 20)] },
      { name: 'best-single-model', points: [pt(9, [2, 2, 2, 2], 25)] }, // nothing fits C = 5: that row is left out
    ],
  };
}

/** Share of pixels darker than 100 (the grids' background is grey 40, the page white) in a box of an RGBA image. */
function darkShare(png: PNG, x: number, y: number, w: number, h: number): number {
  let dark = 0;
  for (let yy = Math.round(y); yy < Math.round(y + h); yy++) for (let xx = Math.round(x); xx < Math.round(x + w); xx++) if (png.data[4 * (yy * png.width + xx)] < 100) dark++;
  return dark / (Math.round(w) * Math.round(h));
}

/** The figure written under `dir`: an HTML page without embedded images that Chromium draws with the grids from file://, and a PNG with them. */
async function checkRendered(fig: FigureData, dir: string): Promise<void> {
  await writeFigures(path.dirname(dir), dir, [fig], true);
  const htmlFile = path.join(dir, 'figures', `${fig.id}.html`);
  const html = fs.readFileSync(htmlFile, 'utf8');
  assert.ok(!html.includes('data:image'), 'the page embeds no image');
  assert.ok(html.includes('"source":"../samples/ddim-C9-oms-dpm.png"'));
  const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'figures', `${fig.id}.png`)));
  const first = (fig.layout.images as { x: number; y: number; sizex: number; sizey: number }[])[0];
  const W = Number(fig.layout.width), H = Number(fig.layout.height);
  // the grid is drawn into the PNG (contain: a square grid fills the square panel)
  assert.ok(darkShare(png, first.x * W, (1 - first.y) * H, first.sizex * W, first.sizey * H) > 0.3);
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: findChromium()!, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: W + 100, height: H + 200 } });
    await page.goto(`file://${htmlFile}`);
    await page.waitForFunction('document.querySelectorAll("image").length === 2');
    const boxes = (await page.evaluate('Array.from(document.querySelectorAll("image")).map((i) => { const r = i.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })')) as number[][];
    await page.waitForTimeout(300);
    const shot = PNG.sync.read(await page.screenshot({ fullPage: true }));
    for (const [x, y, w, h] of boxes) assert.ok(darkShare(shot, x, y, w, h) > 0.3, `the page at file:// draws the linked grid at (${x}, ${y})`);
  } finally {
    await browser.close();
  }
}

test('sample grids: paired noise, one row per budget with both series, reused while the schedule stays', async () => {
  const prev = process.env.OMS_DPM_RESULTS;
  process.env.OMS_DPM_RESULTS = tempDir('omsdpm-grid-');
  try {
    const exp = loadExperiment(tiny);
    let calls = 0;
    const model = (scale: number): Denoiser => (x) => {
      calls++;
      return tf.mul(x, scale) as tf.Tensor4D;
    };
    const grids: string[] = [];
    const c = await writeSampleComparison(exp, front([1, 1, 2, 2]), [model(0.1), model(0.3)], { samplingKey: 'zoo-1', images: 4, columns: 2, onGrid: (f, reused) => grids.push(`${f}:${reused}`) });
    assert.deepEqual(c.rows.map((r) => r.budget), [9]);
    assert.deepEqual(c.rows[0].panels.map((p) => [p.series, p.fid, p.file]), [
      ['oms-dpm', 20, 'samples/ddim-C9-oms-dpm.png'],
      ['best-single-model', 25, 'samples/ddim-C9-best-single-model.png'],
    ]);
    assert.deepEqual(grids, ['samples/ddim-C9-oms-dpm.png:false', 'samples/ddim-C9-best-single-model.png:false']);
    assert.equal(calls, 8); // 4 NFE each, one batch of 4 images
    const dir = path.join(process.env.OMS_DPM_RESULTS, 'tiny-mnist');
    const png = fs.readFileSync(path.join(dir, c.rows[0].panels[0].file));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    // the index records the grids' pixel size (the PNG's own), and the figure shows them 1:1
    assert.deepEqual(c.gridPixels, { width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

    grids.length = 0;
    await writeSampleComparison(exp, front([1, 1, 2, 2]), [model(0.1), model(0.3)], { samplingKey: 'zoo-1', images: 4, columns: 2, onGrid: (f, reused) => grids.push(`${f}:${reused}`) });
    assert.deepEqual(grids, ['samples/ddim-C9-oms-dpm.png:true', 'samples/ddim-C9-best-single-model.png:true']);
    assert.equal(calls, 8);
    grids.length = 0;
    await writeSampleComparison(exp, front([1, 2, 2, 2]), [model(0.1), model(0.3)], { samplingKey: 'zoo-1', images: 4, columns: 2, onGrid: (f, reused) => grids.push(`${f}:${reused}`) });
    assert.deepEqual(grids, ['samples/ddim-C9-oms-dpm.png:false', 'samples/ddim-C9-best-single-model.png:true']);
    // another zoo (or noise bank): every grid is sampled again
    grids.length = 0;
    await writeSampleComparison(exp, front([1, 2, 2, 2]), [model(0.1), model(0.3)], { samplingKey: 'zoo-2', images: 4, columns: 2, onGrid: (f, reused) => grids.push(`${f}:${reused}`) });
    assert.deepEqual(grids, ['samples/ddim-C9-oms-dpm.png:false', 'samples/ddim-C9-best-single-model.png:false']);
    // a new budget grid: the grids of the old budget go, a file the index never listed stays
    const samplesDir = path.join(process.env.OMS_DPM_RESULTS!, 'tiny-mnist', 'samples');
    fs.writeFileSync(path.join(samplesDir, 'mine.png'), 'x');
    const moved = front([1, 2, 2, 2]);
    moved.budgets = [5, 10];
    for (const s of moved.series) for (const q of s.points) if (q.budget === 9) q.budget = 10;
    await writeSampleComparison(exp, moved, [model(0.1), model(0.3)], { samplingKey: 'zoo-2', images: 4, columns: 2 });
    assert.deepEqual(fs.readdirSync(samplesDir).sort(), ['comparison-ddim.json', 'ddim-C10-best-single-model.png', 'ddim-C10-oms-dpm.png', 'mine.png']);
    await writeSampleComparison(exp, front([1, 2, 2, 2]), [model(0.1), model(0.3)], { samplingKey: 'zoo-2', images: 4, columns: 2 });

    const fig = sampleComparisonFigure(c);
    assert.equal(fig.id, 'sample-comparison-ddim');
    const first = (fig.layout.images as { sizex: number }[])[0];
    assert.ok(Math.abs(first.sizex * Number(fig.layout.width) - c.gridPixels!.width) < 1e-9, 'one grid pixel per figure pixel');
    const images = fig.layout.images as { source: string }[];
    assert.deepEqual(images.map((i) => i.source), ['samples/ddim-C9-oms-dpm.png', 'samples/ddim-C9-best-single-model.png']);
    assert.match(JSON.stringify(fig.layout.annotations), /C = 9 ms, oms-dpm.*FID 20\.00/);
    const drawn = inlineLocalImages(fig, dir);
    assert.ok((drawn.layout.images as { source: string }[]).every((i) => i.source.startsWith('data:image/png;base64,')));
    assert.equal((fig.layout.images as { source: string }[])[0].source, 'samples/ddim-C9-oms-dpm.png'); // figure data untouched
    const linked = linkLocalImages(fig, dir, path.join(dir, 'figures'));
    assert.deepEqual((linked.layout.images as { source: string }[]).map((i) => i.source), ['../samples/ddim-C9-oms-dpm.png', '../samples/ddim-C9-best-single-model.png']);
    await checkRendered(fig, dir);
    fs.rmSync(path.join(dir, 'samples', 'ddim-C9-oms-dpm.png'));
    assert.throws(() => inlineLocalImages(fig, dir), (e: unknown) => isKitError(e) && /ddim-C9-oms-dpm\.png, which is missing/.test((e as Error).message));
  } finally {
    if (prev === undefined) delete process.env.OMS_DPM_RESULTS;
    else process.env.OMS_DPM_RESULTS = prev;
  }
});
