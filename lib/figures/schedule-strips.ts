/**
 * The searched schedules drawn as strips: one row per budget of a front, one cell per network
 * evaluation in calling order (the noisiest step first), coloured by the zoo model that runs it.
 * This is where a model schedule's structure shows (e.g. a cheap model for the first, noisiest
 * steps, the large model for the rest). The best two-segment schedule at the same budget is drawn
 * under each searched one, for comparison.
 */
import type { FrontData, FrontPoint } from '../front/front-data';
import { evaluations, type SolverName } from '../schedule/index';
import type { FigureData } from './figure-data';

/** Distinct colours for up to 10 zoo models (model index 1..N). */
const MODEL_COLORS = ['#9ecae1', '#4292c6', '#08519c', '#fdae6b', '#e6550d', '#a1d99b', '#31a354', '#bcbddc', '#756bb1', '#636363'];

/** The model index of every network evaluation of `p`'s schedule, in calling order. */
export function modelsInCallingOrder(solver: FrontData['solver'], p: Pick<FrontPoint, 'schedule'>): number[] {
  return evaluations(solver, p.schedule).map((e) => e.model);
}

/** A plotly colour scale that maps 1..n to one flat colour each (heatmaps interpolate otherwise). */
function discreteScale(n: number): [number, string][] {
  const out: [number, string][] = [];
  for (let m = 1; m <= n; m++) {
    const c = MODEL_COLORS[(m - 1) % MODEL_COLORS.length];
    out.push([(m - 1) / n, c], [m / n, c]);
  }
  return out;
}

/** One strip: a schedule's network evaluations in calling order, with its row label and hover text. */
interface StripRow { label: string; models: number[]; text: string }

/** What a strip figure shows besides its rows. */
interface StripFigureMeta {
  id: string;
  title: string;
  caption: string;
  /** zoo ids (model i + 1 = modelIds[i]) and latency per model index [0, m1..mN] for the legend */
  modelIds: readonly string[];
  latency: readonly number[];
  sources: string[];
}

function stripFigure(rows: readonly StripRow[], meta: StripFigureMeta): FigureData {
  const n = meta.modelIds.length;
  const width = Math.max(1, ...rows.map((r) => r.models.length));
  // Rows are padded with null (no evaluation) to the longest; plotly draws the first row at the bottom, so reverse.
  const shown = [...rows].reverse();
  const z = shown.map((r) => Array.from({ length: width }, (_, i) => (i < r.models.length ? r.models[i] : null)));
  const hover = shown.map((r) => Array.from({ length: width }, (_, i) => (i < r.models.length ? `${r.label}: evaluation ${i + 1} by ${meta.modelIds[r.models[i] - 1]} (${r.text})` : '')));
  const legend = meta.modelIds.map((id, i) => ({
    type: 'scatter', mode: 'markers', name: `${i + 1}: ${id} (${meta.latency[i + 1].toFixed(1)} ms)`, x: [null], y: [null],
    marker: { color: MODEL_COLORS[i % MODEL_COLORS.length], symbol: 'square', size: 12 }, hoverinfo: 'skip',
  }));
  return {
    id: meta.id,
    title: meta.title,
    caption: meta.caption,
    data: [
      { type: 'heatmap', x: Array.from({ length: width }, (_, i) => i + 1), z, text: hover, hoverinfo: 'text', zmin: 0.5, zmax: n + 0.5, colorscale: discreteScale(n), showscale: false, xgap: 1, ygap: 3, y: shown.map((r) => r.label) },
      ...legend,
    ],
    layout: {
      title: { text: meta.title },
      xaxis: { title: { text: 'network evaluation (calling order, noise -> image)' }, dtick: 1 },
      yaxis: { automargin: true, type: 'category' },
      width: 860,
      height: Math.max(260, 90 + 28 * rows.length),
      margin: { l: 170, r: 20, t: 90, b: 60 },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    },
    sources: meta.sources,
  };
}

export function scheduleStripsFigure(data: FrontData): FigureData {
  const oms = [...(data.series.find((s) => s.name === 'oms-dpm')?.points ?? [])].sort((a, b) => a.budget - b.budget);
  const pairs = data.series.find((s) => s.name === 'two-segment')?.points ?? [];
  const rows: StripRow[] = [];
  for (const p of oms) {
    rows.push({ label: `C=${p.budget} OMS-DPM`, models: modelsInCallingOrder(data.solver, p), text: `FID ${p.fid.toFixed(2)}, cost ${p.cost.toFixed(1)} ms` });
    const q = pairs.find((x) => x.budget === p.budget);
    if (q) rows.push({ label: `C=${p.budget} two-segment`, models: modelsInCallingOrder(data.solver, q), text: `FID ${q.fid.toFixed(2)}, cost ${q.cost.toFixed(1)} ms` });
  }
  return stripFigure(rows, {
    id: `schedule-strips-${data.solver}`,
    title: `${data.experiment}: searched schedules (${data.solver})`,
    caption:
      `Each row is a schedule picked at budget C on the ${data.solver} front: OMS-DPM's searched schedule and, under it, the best two-segment schedule. ` +
      `Each cell is one network evaluation in calling order, from pure noise (left) to the image (right), coloured by the zoo model that runs it; ` +
      `the legend gives each model's latency per batch on ${data.engine}.`,
    modelIds: data.modelIds,
    latency: data.latency,
    sources: [`${data.experiment}/front-${data.solver}.json`],
  });
}

/** A schedule to draw as one strip of `scheduleStripFigure`. */
export interface StripSchedule {
  /** row label, e.g. 'searched' */
  label: string;
  schedule: readonly number[];
  /** hover text, e.g. 'cost 593.7 ms, 8 NFE' */
  text: string;
}

/**
 * Schedules of one experiment drawn as strips outside a front (e.g. one budget's searched schedule,
 * and the best single model under it): the same drawing as `scheduleStripsFigure`, one row per
 * schedule, first on top. Not a results figure: `id` names it for rendering only.
 */
export function scheduleStripFigure(s: { experiment: string; solver: SolverName; engine: string; modelIds: readonly string[]; latency: readonly number[]; title: string; schedules: readonly StripSchedule[] }): FigureData {
  const rows = s.schedules.map((x) => ({ label: x.label, models: modelsInCallingOrder(s.solver, { schedule: [...x.schedule] }), text: x.text }));
  return stripFigure(rows, {
    id: `schedule-strip-${s.solver}`,
    title: s.title,
    caption:
      `Each cell is one network evaluation in calling order, from pure noise (left) to the image (right), coloured by the zoo model that runs it; ` +
      `the legend gives each model's latency per batch on ${s.engine}.`,
    modelIds: s.modelIds,
    latency: s.latency,
    sources: [],
  });
}
