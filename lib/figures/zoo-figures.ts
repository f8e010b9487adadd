/**
 * Figures of the model zoo, built from results/<experiment>/zoo/<id>/*.json and the latency table:
 * training loss curves, and the zoo table (parameters, training steps and time, latency, and
 * single-model FID where the first-observation data has it).
 */
import { axisLayout, type FigureData } from './figure-data';

export interface ZooModelResult {
  id: string;
  params: number;
  steps: number;
  trainSeconds: number;
  lossCurve: { step: number; mse: number }[];
  latencyMs: number | null;
  /** best single-model FID and the NFE it was reached at, if measured */
  bestFid: { fid: number; nfe: number; solver: string } | null;
}

export function lossCurvesFigure(experiment: string, models: ZooModelResult[]): FigureData {
  return {
    id: 'loss-curves',
    title: `${experiment}: training loss of the zoo`,
    caption: 'Per-pixel MSE of the epsilon prediction (window mean over logEvery steps) for every zoo model.',
    data: models.map((m) => ({ type: 'scatter', mode: 'lines', name: m.id, x: m.lossCurve.map((p) => p.step), y: m.lossCurve.map((p) => p.mse) })),
    layout: axisLayout(`${experiment}: training loss`, 'training step', 'MSE per pixel', { yaxis: { title: { text: 'MSE per pixel' }, type: 'log' } }),
    sources: models.map((m) => `${experiment}/zoo/${m.id}/loss-curve.json`),
  };
}

export function zooTableFigure(experiment: string, models: ZooModelResult[], latencyEngine: string | null): FigureData {
  const fmt = (x: number | null, d: number) => (x === null ? '-' : x.toFixed(d));
  return {
    id: 'zoo-table',
    title: `${experiment}: the model zoo`,
    caption: `Parameters, training steps and time, forward latency per batch${latencyEngine ? ` (${latencyEngine})` : ''}, and the best single-model FID measured.`,
    data: [
      {
        type: 'table',
        header: { values: ['model', 'parameters', 'steps', 'train time (min)', 'latency (ms/batch)', 'best FID (NFE, solver)'] },
        cells: {
          values: [
            models.map((m) => m.id),
            models.map((m) => m.params.toLocaleString('en-US')),
            models.map((m) => String(m.steps)),
            models.map((m) => (m.trainSeconds / 60).toFixed(1)),
            models.map((m) => fmt(m.latencyMs, 1)),
            models.map((m) => (m.bestFid ? `${m.bestFid.fid.toFixed(1)} (${m.bestFid.nfe}, ${m.bestFid.solver})` : '-')),
          ],
        },
      },
    ],
    layout: { title: { text: `${experiment}: model zoo` }, width: 760, height: 120 + 30 * models.length, margin: { l: 10, r: 10, t: 40, b: 10 } },
    sources: [...models.map((m) => `${experiment}/zoo/${m.id}/model.json`), ...(latencyEngine ? [`${experiment}/latency-${latencyEngine}.json`] : [])],
  };
}
