/**
 * Sample grids of the searched schedule beside the best single model at the same budget (one row
 * per budget), from results/<experiment>/samples/comparison-<solver>.json. The grids are PNG files
 * next to it; the figure data names them (layout.images with a path relative to the experiment's
 * results folder): the HTML page links them, the PNG renderer inlines them, so the figure data and
 * the page stay small and results/ holds each grid once.
 */
import type { SampleComparison } from '../front/sample-comparison';
import type { FigureData } from './figure-data';

// px per grid: the grid's own width where the index records it, so the PNG shows every sample pixel
// 1:1 (a resampled grid blurs the digits and its PNG is a third larger); else the old 300
const DEFAULT_PANEL = 300;
const TITLE = 90;
const LABEL = 60;

export function sampleComparisonFigure(c: SampleComparison): FigureData {
  const panel = c.gridPixels?.width ?? DEFAULT_PANEL;
  const cols = Math.max(1, ...c.rows.map((r) => r.panels.length));
  const width = 40 + cols * (panel + 40);
  const rowHeight = panel + LABEL;
  const height = TITLE + c.rows.length * rowHeight + 20;
  const images: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  c.rows.forEach((row, r) => {
    row.panels.forEach((p, k) => {
      const left = 40 + k * (panel + 40);
      const top = TITLE + r * rowHeight + LABEL;
      images.push({ source: p.file, xref: 'paper', yref: 'paper', x: left / width, y: 1 - top / height, sizex: panel / width, sizey: panel / height, xanchor: 'left', yanchor: 'top', sizing: 'contain', layer: 'above' });
      annotations.push({
        xref: 'paper', yref: 'paper', x: left / width, y: 1 - (top - 4) / height, xanchor: 'left', yanchor: 'bottom', align: 'left', showarrow: false,
        text: `<b>C = ${row.budget} ms, ${p.series}</b><br>FID ${p.fid.toFixed(2)}, cost ${p.cost.toFixed(1)} ms, ${p.nfe} NFE`,
        font: { size: 12 },
      });
    });
  });
  return {
    id: `sample-comparison-${c.solver}`,
    title: `${c.experiment}: samples of the searched schedule and the best single model (${c.solver})`,
    caption:
      `At each budget C of the ${c.solver} front, the first ${c.images} images of the fixed noise bank sampled with OMS-DPM's searched schedule (left) ` +
      `and with the best single-model setting that fits C (right); the same noise in the same place, so differences are the schedule's. ` +
      `FIDs are the front's, on ${c.fidImages} images.`,
    data: [],
    layout: {
      // margins are 0 (the panels are placed in paper coordinates), so the title sits inside the top band
      title: { text: `${c.experiment}: samples at equal budget (${c.solver})`, y: 1 - 30 / height, yanchor: 'middle' },
      width, height,
      margin: { l: 0, r: 0, t: 0, b: 0 },
      xaxis: { visible: false, range: [0, 1] },
      yaxis: { visible: false, range: [0, 1] },
      images, annotations,
    },
    sources: [`${c.experiment}/samples/comparison-${c.solver}.json`, ...c.rows.flatMap((r) => r.panels.map((p) => `${c.experiment}/${p.file}`))],
  };
}
