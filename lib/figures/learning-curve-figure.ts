/**
 * The learning-curve figure (results/<experiment>/zoo/<model>/learning-curve.json, `oms-dpm
 * learning-curve`): for every member with training snapshots, the share of its held-out DDIM
 * samples the label classifier is confident about against training steps, with the real
 * validation images' share as the ceiling. It shows how far each member got and where it is
 * heading, which a single end-of-training number cannot.
 */
import type { LearningCurveReport } from '../evaluation/learning-curve';
import { axisLayout, type FigureData } from './figure-data';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function learningCurveFigure(experiment: string, reports: readonly LearningCurveReport[]): FigureData {
  const first = reports[0];
  const lastStep = Math.max(...reports.flatMap((r) => r.points.map((p) => p.step)));
  const traces: Record<string, unknown>[] = reports.map((r) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: r.modelId,
    x: r.points.map((p) => p.step),
    y: r.points.map((p) => p.quality.confident),
    text: r.points.map((p) => `${r.modelId} step ${p.step}: confident ${pct(p.quality.confident)}, off-range ${pct(p.quality.offRange)}, largest class ${pct(p.quality.largestClassShare)}, FID ${p.fid.toFixed(1)}`),
    hoverinfo: 'text',
  }));
  traces.push({ type: 'scatter', mode: 'lines', name: `real images: ${pct(first.real.confident)}`, x: [0, lastStep], y: [first.real.confident, first.real.confident], line: { dash: 'dash', color: '#444' } });
  const unfinished = reports.filter((r) => r.points.length === 0 || r.points[r.points.length - 1].step < r.iterations).map((r) => r.modelId);
  return {
    id: 'learning-curve',
    title: `${experiment}: sample quality against training steps`,
    caption:
      `Each member's EMA weights at its training snapshots, alone with DDIM-${first.ddimSteps} on ${first.heldOut.images} held-out noise-bank images ` +
      `(from image ${first.heldOut.start}; ${first.engine}): the share the label classifier is confident about (top probability >= 0.9). ` +
      `Dashed: the same share on the real validation images. With a cosine-annealed learning rate a mid-run point is not what a run of that length would reach.` +
      (unfinished.length ? ` Still training: ${unfinished.join(', ')}.` : ''),
    data: traces,
    layout: axisLayout(`${experiment}: confident share of the samples against training steps`, 'training step', 'confident share of samples', {
      yaxis: { title: { text: 'confident share of samples' }, range: [0, 1] },
    }),
    sources: reports.map((r) => `${experiment}/zoo/${r.modelId}/learning-curve.json`),
  };
}
