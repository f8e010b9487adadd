/**
 * The sample-quality figure (results/<experiment>/sample-quality.json): per zoo model and DDIM
 * steps, the share of held-out samples the label classifier is confident about and the share whose
 * brightness no real image has, as grouped bars, with the real validation split's values as lines
 * (the ceiling of the first, the floor of the second).
 */
import type { SampleQualityReport } from '../evaluation/sample-quality-report';
import { axisLayout, type FigureData } from './figure-data';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The DDIM steps the zoo table shows: 50 if measured, else the most steps measured (null: no rows). */
export function zooTableSteps(report: Pick<SampleQualityReport, 'rows'>): number | null {
  if (report.rows.length === 0) return null;
  return report.rows.some((r) => r.steps === 50) ? 50 : Math.max(...report.rows.map((r) => r.steps));
}

export function sampleQualityFigure(experiment: string, report: SampleQualityReport): FigureData {
  const x = report.rows.map((r) => `${r.modelId} DDIM-${r.steps}`);
  const line = (name: string, y: number, color: string) => ({ type: 'scatter', mode: 'lines', name, x, y: x.map(() => y), line: { dash: 'dash', color } });
  const unfinished = report.rows.length < report.plannedRows ? ` ${report.plannedRows - report.rows.length} of ${report.plannedRows} rows are not measured yet.` : '';
  return {
    id: 'sample-quality',
    title: `${experiment}: how recognisable each zoo model's samples are`,
    caption:
      `Each zoo model alone with DDIM, on ${report.heldOut.images} held-out noise-bank images (from image ${report.heldOut.start}; ${report.engine}). ` +
      `Confident: the label classifier's top probability is at least ${report.confidentProbability}. ` +
      `Off-range: the image's mean intensity lies outside the real data's percentiles ${report.intensityPercentile} to ${100 - report.intensityPercentile} ` +
      `[${report.range.low.toFixed(3)}, ${report.range.high.toFixed(3)}] (the bright speckled squares FID does not single out). ` +
      `Dashed lines: the same numbers on ${report.real.images} real images (${report.real.data}): confident ${pct(report.real.confident)}, off-range ${pct(report.real.offRange)}.${unfinished}`,
    data: [
      { type: 'bar', name: `confident (top probability >= ${report.confidentProbability})`, x, y: report.rows.map((r) => r.quality.confident), marker: { color: '#1f77b4' } },
      { type: 'bar', name: 'off-range brightness', x, y: report.rows.map((r) => r.quality.offRange), marker: { color: '#d62728' } },
      line(`real images: confident ${pct(report.real.confident)}`, report.real.confident, '#1f77b4'),
      line(`real images: off-range ${pct(report.real.offRange)}`, report.real.offRange, '#d62728'),
    ],
    layout: axisLayout(`${experiment}: sample quality of the zoo (single-model DDIM)`, 'zoo model and DDIM steps', 'share of samples', {
      barmode: 'group',
      yaxis: { title: { text: 'share of samples' }, range: [0, 1] },
      width: Math.max(760, 90 * x.length + 200),
    }),
    sources: [`${experiment}/sample-quality.json`],
  };
}
