/**
 * Figures of the paper's first observation (results/<experiment>/observation-first.json):
 * FID vs NFE of every zoo model alone, per solver; and FID of the small-then-large and
 * large-then-small switch schedules against the switch point k.
 */
import type { ObservationData } from '../evaluation/observation-run';
import { axisLayout, type FigureData } from './figure-data';

function seriesOf(data: ObservationData, prefix: string) {
  const names = [...new Set(data.points.filter((p) => p.series.startsWith(prefix)).map((p) => p.series))];
  return names.map((name) => {
    const pts = data.points.filter((p) => p.series === name).sort((a, b) => a.x - b.x);
    return { name, pts };
  });
}

export function fidVsNfeFigure(data: ObservationData, solver: 'ddim' | 'dpm-solver'): FigureData {
  const series = seriesOf(data, `${solver}/`).filter((s) => !s.name.includes('-then-'));
  return {
    id: `fid-vs-nfe-${solver}`,
    title: `${data.experiment}: FID vs NFE of each zoo model alone (${solver})`,
    caption: `Each zoo model used for every step, ${solver === 'ddim' ? 'DDIM (uniform steps)' : 'single-step DPM-Solver (usual order mix)'}; FID on ${data.images} images (${data.featureNetwork}).`,
    data: series.map((s) => ({ type: 'scatter', mode: 'lines+markers', name: s.name.split('/')[1], x: s.pts.map((p) => p.x), y: s.pts.map((p) => p.fid) })),
    layout: axisLayout(`${data.experiment}: single models, ${solver}`, 'NFE', 'FID'),
    sources: [`${data.experiment}/observation-first.json`],
  };
}

export function switchFigure(data: ObservationData): FigureData {
  const series = seriesOf(data, 'ddim/').filter((s) => s.name.includes('-then-'));
  const n = series.length ? Math.max(...series[0].pts.map((p) => p.x)) : 0;
  return {
    id: 'small-large-switch',
    title: `${data.experiment}: small/large model switch (DDIM, ${n} NFE)`,
    caption: `The first k of ${n} DDIM steps (the noisiest) with one model and the rest with the other; k = 0 and k = ${n} are the single models. FID on ${data.images} images.`,
    data: series.map((s) => ({ type: 'scatter', mode: 'lines+markers', name: s.name.split('/')[1], x: s.pts.map((p) => p.x), y: s.pts.map((p) => p.fid) })),
    layout: axisLayout(`${data.experiment}: switch schedules`, 'k (steps run by the first model)', 'FID'),
    sources: [`${data.experiment}/observation-first.json`],
  };
}
