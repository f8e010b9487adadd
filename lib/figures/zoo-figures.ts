/**
 * Figures of the model zoo, built from results/<experiment>/zoo/<id>/*.json, the latency table and
 * validation-loss.json: training loss curves, the held-out loss per noise level, and the zoo table
 * (parameters, training steps and time, latency, held-out loss, single-model FID where the
 * first-observation data has it, the EMA decay the weights had at the end of training, and from
 * sample-quality.json the shares of confident and off-range samples at DDIM-50).
 */
import { finalEmaDecay } from '../diffusion/ema';
import type { ValidationLossReport } from '../zoo/validation-loss-report';
import type { SampleQualityReport } from '../evaluation/sample-quality-report';
import { zooTableSteps } from './sample-quality-figure';
import { axisLayout, type FigureData } from './figure-data';

export interface ZooModelResult {
  id: string;
  params: number;
  steps: number;
  trainSeconds: number;
  lossCurve: { step: number; mse: number }[];
  latencyMs: number | null;
  /** held-out noise-prediction MSE of the EMA weights (mean over the timestep grid), if measured */
  validationMse: number | null;
  /** best single-model FID and the NFE it was reached at, if measured */
  bestFid: { fid: number; nfe: number; solver: string } | null;
  /** the EMA settings it was trained with (training.emaRate, training.emaWarmup), if known */
  ema: { rate: number; warmup: boolean } | null;
}

/**
 * The EMA decay of the last training step as the zoo table shows it, e.g. "0.9978 (warm-up; rate
 * 0.999)" after 4000 steps with warm-up, "0.9999 (constant)" without: with warm-up the decay only
 * reaches the configured rate near step 9000 (rate 0.999), beyond every CPU-scale member.
 */
export function emaDecayText(ema: { rate: number; warmup: boolean } | null, steps: number): string {
  if (!ema || !Number.isInteger(steps) || steps < 1) return '-';
  const digits = Math.max(4, (String(ema.rate).split('.')[1] ?? '').length);
  const d = finalEmaDecay(ema.rate, ema.warmup, steps).toFixed(digits);
  if (!ema.warmup) return `${d} (constant)`;
  return d === ema.rate.toFixed(digits) ? `${d} (warm-up done; rate ${ema.rate})` : `${d} (warm-up; rate ${ema.rate})`;
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

export function zooTableFigure(experiment: string, models: ZooModelResult[], latencyEngine: string | null, quality: SampleQualityReport | null = null): FigureData {
  const fmt = (x: number | null, d: number) => (x === null ? '-' : x.toFixed(d));
  // sample quality of each model alone at DDIM-50 (else the most steps measured), sample-quality.json
  const qSteps = quality ? zooTableSteps(quality) : null;
  const qRow = (id: string) => quality?.rows.find((r) => r.modelId === id && r.steps === qSteps)?.quality ?? null;
  const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
  const qCaption = quality
    ? ` Confident: share of ${quality.heldOut.images} held-out samples the label classifier gives a top probability >= ${quality.confidentProbability}; off-range: share whose mean intensity lies outside the real data's percentiles ${quality.intensityPercentile} to ${100 - quality.intensityPercentile}; real ceiling (${quality.real.images} validation images): confident ${pct(quality.real.confident)}, off-range ${pct(quality.real.offRange)}.`
    : '';
  return {
    id: 'zoo-table',
    title: `${experiment}: the model zoo`,
    caption: `Parameters, training steps and time, forward latency per batch${latencyEngine ? ` (${latencyEngine})` : ''}, held-out noise-prediction MSE (EMA weights), the best single-model FID measured, and the EMA decay of the last training step (with warm-up: min(rate, steps / (steps + 9))).${qCaption}`,
    data: [
      {
        type: 'table',
        header: { values: ['model', 'parameters', 'steps', 'train time (min)', 'latency (ms/batch)', 'validation MSE', 'best FID (NFE, solver)', 'EMA decay at end of training', `confident (DDIM-${qSteps ?? 50})`, `off-range (DDIM-${qSteps ?? 50})`] },
        // the FID and EMA columns are the longest: one line per row keeps every row inside the figure's height
        columnwidth: [0.6, 0.9, 0.6, 0.9, 1, 0.9, 1.8, 2, 1, 1],
        cells: {
          values: [
            models.map((m) => m.id),
            models.map((m) => m.params.toLocaleString('en-US')),
            models.map((m) => String(m.steps)),
            models.map((m) => (m.trainSeconds / 60).toFixed(1)),
            models.map((m) => fmt(m.latencyMs, 1)),
            models.map((m) => fmt(m.validationMse, 4)),
            models.map((m) => (m.bestFid ? `${m.bestFid.fid.toFixed(1)} (${m.bestFid.nfe}, ${m.bestFid.solver})` : '-')),
            models.map((m) => emaDecayText(m.ema, m.steps)),
            models.map((m) => pct(qRow(m.id)?.confident)),
            models.map((m) => pct(qRow(m.id)?.offRange)),
          ],
        },
      },
    ],
    layout: { title: { text: `${experiment}: model zoo` }, width: 1260, height: 110 + 24 * models.length, margin: { l: 10, r: 10, t: 40, b: 10 } },
    sources: [
      ...models.map((m) => `${experiment}/zoo/${m.id}/model.json`),
      ...(latencyEngine ? [`${experiment}/latency-${latencyEngine}.json`] : []),
      ...(models.some((m) => m.validationMse !== null) ? [`${experiment}/validation-loss.json`] : []),
      ...(quality ? [`${experiment}/sample-quality.json`] : []),
    ],
  };
}

/**
 * The image-mean ("DC") error of each member's prediction against the noise level, in x_0 units:
 * the brightness error a deterministic sampler keeps (per-pixel MSE barely sees it). Reports made
 * before the DC measures existed have none: null.
 */
export function dcErrorFigure(experiment: string, report: ValidationLossReport): FigureData | null {
  if (report.models.some((m) => !Array.isArray(m.dcError))) return null;
  return {
    id: 'validation-dc-error',
    title: `${experiment}: image-mean error of the zoo per timestep`,
    caption:
      `Per timestep, the sd over ${report.images} validation images of the image mean of (predicted - true noise), times sqrt((1 - abar_t) / abar_t): ` +
      'the error in the predicted clean image\'s mean brightness (pixels in [-1, 1]) that deterministic sampling keeps. In brackets: the DC gain at the noisiest grid point ' +
      '(slope of the predicted noise\'s image mean on the true one; 1 = fully predicted).',
    data: report.models.map((m) => ({
      type: 'scatter', mode: 'lines+markers', name: `${m.modelId} (gain ${m.dcGain[m.dcGain.length - 1].toFixed(2)})`, x: report.timesteps, y: m.dcError,
    })),
    layout: axisLayout(`${experiment}: image-mean error per timestep`, 'timestep t (larger is noisier)', 'error of the x_0 image mean', { yaxis: { title: { text: 'error of the x_0 image mean' }, type: 'log' } }),
    sources: [`${experiment}/validation-loss.json`],
  };
}

/** Held-out MSE against the noise level: where in the sampling trajectory each member is better. */
export function validationLossFigure(experiment: string, report: ValidationLossReport): FigureData {
  return {
    id: 'validation-loss',
    title: `${experiment}: held-out loss of the zoo per timestep`,
    caption:
      `Per-pixel MSE of the predicted noise on ${report.images} validation images the zoo never trained on (EMA weights, ${report.engine}), ` +
      'at each timestep of the grid; every model sees the same noised images.',
    data: report.models.map((m) => ({ type: 'scatter', mode: 'lines+markers', name: `${m.modelId} (mean ${m.mse.toFixed(4)})`, x: report.timesteps, y: m.perTimestep })),
    layout: axisLayout(`${experiment}: held-out loss per timestep`, 'timestep t (larger is noisier)', 'MSE per pixel', { yaxis: { title: { text: 'MSE per pixel' }, type: 'log' } }),
    sources: [`${experiment}/validation-loss.json`],
  };
}
