/**
 * The FID-vs-cost front (results/<experiment>/front-<solver>.json) as the paper's Fig. 1: FID
 * against the time cost of a batch, one trace per series, and the speed-up of OMS-DPM over the best
 * single model at equal FID.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FRONT_SERIES, type FrontData, type FrontPoint, type FrontSeriesName } from '../front/front-data';
import { axisLayout, type FigureData } from './figure-data';
import { scheduleStripsFigure } from './schedule-strips';
import { frontTableFigure } from './front-table';
import { speedupAtEqualFid, type SpeedupRow } from '../front/speedup';
import { readJsonFile } from '../util/json-file';

const STYLE: Record<FrontSeriesName, { color: string; symbol: string; dash: string }> = {
  'oms-dpm': { color: '#d62728', symbol: 'star', dash: 'solid' },
  'best-single-model': { color: '#1f77b4', symbol: 'circle', dash: 'solid' },
  'best-in-training-set': { color: '#2ca02c', symbol: 'square', dash: 'dot' },
  random: { color: '#7f7f7f', symbol: 'diamond', dash: 'dot' },
  'two-segment': { color: '#9467bd', symbol: 'triangle-up', dash: 'dash' },
};

function hover(p: FrontPoint): string {
  return `C = ${p.budget} ms: ${p.label}<br>cost ${p.cost.toFixed(1)} ms, ${p.nfe} NFE, held-out FID ${p.fid.toFixed(2)} [${p.fidLow.toFixed(2)}, ${p.fidHigh.toFixed(2)}] (${p.images} images); selection FID ${p.selectionFid.toFixed(2)} (${p.selectionImages} images)`;
}

function speedupSentence(rows: readonly SpeedupRow[]): string {
  const known = rows.filter((r): r is SpeedupRow & { speedup: number } => r.speedup !== null);
  if (known.length === 0) return rows.length ? ' The best single model never reaches the FID of any OMS-DPM point on this grid.' : '';
  const best = known.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const at = `(FID ${best.fid.toFixed(2)}: ${best.cost.toFixed(1)} vs ${best.baselineCost!.toFixed(1)} ms)`;
  if (best.speedup <= 1) return ` At equal FID OMS-DPM is nowhere faster than the best single model on this grid; its best cost ratio is ${best.speedup.toFixed(2)} ${at}.`;
  return ` At equal FID OMS-DPM is up to ${best.speedup.toFixed(2)}x faster than the best single model ${at}.`;
}

/** The paper's Fig. 1 for one solver: FID vs time cost of a batch, one trace per series. */
export function frontFigure(data: FrontData): FigureData {
  const traces: Record<string, unknown>[] = [];
  for (const name of FRONT_SERIES) {
    const pts = [...(data.series.find((s) => s.name === name)?.points ?? [])].sort((a, b) => a.budget - b.budget);
    if (pts.length === 0) continue;
    const st = STYLE[name];
    traces.push({
      type: 'scatter',
      mode: 'lines+markers',
      name,
      x: pts.map((p) => p.cost),
      y: pts.map((p) => p.fid),
      // the held-out interval as an asymmetric error bar
      error_y: { type: 'data', symmetric: false, array: pts.map((p) => p.fidHigh - p.fid), arrayminus: pts.map((p) => p.fid - p.fidLow), color: st.color, thickness: 1, width: 3 },
      text: pts.map(hover),
      hoverinfo: 'text',
      line: { color: st.color, dash: st.dash },
      marker: { color: st.color, symbol: st.symbol, size: name === 'oms-dpm' ? 11 : 7 },
    });
    // The random series also shows its mean: the typical random schedule, not only the lucky one
    // (on the selection images: only the pick is re-scored on held-out images).
    const withMean = pts.filter((p) => p.selectionMeanFid !== undefined && p.meanCost !== undefined);
    if (name === 'random' && withMean.length) {
      traces.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: `random (mean of ${withMean[0].selectionFids?.length ?? withMean[0].candidates}, selection FID)`,
        legendgroup: 'random',
        x: withMean.map((p) => p.meanCost),
        y: withMean.map((p) => p.selectionMeanFid),
        line: { color: st.color, dash: 'dashdot', width: 1 },
        marker: { color: st.color, symbol: 'diamond-open', size: 6 },
      });
    }
  }
  const h = data.heldOut;
  const yTitle = `held-out FID (${h.images} images)`;
  const caption =
    `Held-out FID (${h.images} noise-bank images from ${h.start}, ${data.featureNetwork}; bars: ${Math.round(100 * h.level)}% bootstrap interval) against the time cost of a batch on ${data.engine} (ms, sum of measured latencies) ` +
    `for ${data.solver} schedules. Each point is the method's pick with cost at most the budget C, chosen on the selection images 0..${data.selectionImages - 1} and reported on the held-out ones: OMS-DPM's searched schedule ` +
    `(re-ranked with real FID), the best single model and sampler setting, the best schedule of the predictor's training set, ` +
    `the best of n random schedules repaired into [0.9 C, C] (dash-dot: their mean selection FID), and the best two-segment schedule.` +
    speedupSentence(speedupAtEqualFid(data));
  return {
    id: `fid-vs-cost-${data.solver}`,
    title: `${data.experiment}: FID vs time cost (${data.solver})`,
    caption,
    data: traces,
    layout: axisLayout(`${data.experiment}: FID vs time cost (${data.solver})`, `time cost of a batch (ms, ${data.engine})`, yTitle, {
      yaxis: { title: { text: yTitle }, type: 'log' },
    }),
    sources: [`${data.experiment}/front-${data.solver}.json`],
  };
}

/**
 * The front figures of an experiment's results folder (FID vs cost, the per-budget table, schedule strips) (pure: reads front-<solver>.json files),
 * with the command that makes each missing one.
 */
export function frontFiguresFor(dir: string, experiment: string): { figures: FigureData[]; missing: { id: string; why: string }[] } {
  const out: { figures: FigureData[]; missing: { id: string; why: string }[] } = { figures: [], missing: [] };
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const file = path.join(dir, `front-${solver}.json`);
    if (fs.existsSync(file)) {
      const data = readJsonFile<FrontData>(file, 'front');
      out.figures.push(frontFigure(data), frontTableFigure(data), scheduleStripsFigure(data));
    } else out.missing.push({ id: `fid-vs-cost-${solver}, front-table-${solver}, schedule-strips-${solver}`, why: `no ${solver} front: oms-dpm front --experiment ${experiment} --solver ${solver}` });
  }
  return out;
}
