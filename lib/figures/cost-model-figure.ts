/**
 * The additive cost model against measured time (lib/collection/cost-model-check.ts): one point
 * per collected schedule, the time the latency table predicts for sampling its images against the
 * time the record took, with the least-squares line and its R² in the caption.
 */
import type { CostModelCheck } from '../collection/cost-model-check';
import { axisLayout, type FigureData } from './figure-data';

export function costModelFigure(experiment: string, solver: string, check: CostModelCheck, source: string): FigureData {
  const xs = check.points.map((p) => p.predictedSeconds);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return {
    id: `cost-model-${solver}`,
    title: `${experiment}: additive cost model vs measured time (${solver})`,
    caption:
      `Each of ${check.count} collected ${solver} schedules (${check.engine}, batch ${check.batchSize}): sampling time predicted by the ` +
      `latency table (sum of per-batch latencies x batches) against the measured time of the record, which also includes FID ` +
      `features. Fit: measured = ${check.overheadSeconds.toFixed(2)} s + ${check.slope.toFixed(3)} x predicted; R² ${check.r2.toFixed(3)}, ` +
      `relative error median ${pct(check.relativeError.median)}, 90th percentile ${pct(check.relativeError.p90)}, max ${pct(check.relativeError.max)}.`,
    data: [
      { type: 'scatter', mode: 'markers', name: 'schedules', x: xs, y: check.points.map((p) => p.measuredSeconds), text: check.points.map((p) => `id ${p.id}, NFE ${p.nfe}`), marker: { size: 5, opacity: 0.6 } },
      { type: 'scatter', mode: 'lines', name: `fit (R² ${check.r2.toFixed(3)})`, x: [lo, hi], y: [lo, hi].map((x) => check.overheadSeconds + check.slope * x) },
    ],
    layout: axisLayout(`${experiment}: cost model (${solver})`, 'predicted sampling time, s (latency table)', 'measured time of the record, s'),
    sources: [source],
  };
}
