/**
 * The front as a table, one row per budget C: each series' held-out FID at C with its interval,
 * which baselines OMS-DPM's pick beats, ties and loses to there (paired on the held-out images: a
 * win or loss only when the difference's interval excludes 0), and its speed-up at equal FID over
 * the best single model. This is the verdict a reader of Fig. 1 wants spelled out ("where does the
 * searched schedule win?"), built from the same front-<solver>.json as the figure.
 */
import { FRONT_SERIES, seriesOf, type FrontData, type FrontPoint, type FrontSeriesName } from '../front/front-data';
import type { FigureData } from './figure-data';
import { speedupAtEqualFid } from '../front/speedup';

export interface FrontTableRow {
  budget: number;
  /** held-out FID of each series' pick at this budget (null: no point) */
  fid: Partial<Record<FrontSeriesName, number | null>>;
  /** its interval */
  interval: Partial<Record<FrontSeriesName, [number, number] | null>>;
  /** paired on the held-out images: the baselines OMS-DPM beats (interval of the difference below 0), ties, and loses to */
  beats: FrontSeriesName[];
  ties: FrontSeriesName[];
  losesTo: FrontSeriesName[];
  speedup: number | null;
  /**
   * When no single-model setting of the grid reaches OMS-DPM's FID (speedup null): every setting
   * up to the largest budget C_max was worse, so the single model would need more than C_max and
   * the speed-up is more than C_max / cost. Null when the speed-up is known or there is no such bound.
   */
  speedupAbove: number | null;
}

function speedupBound(r: { speedup: number | null; baselineCost: number | null; cost: number } | undefined, maxSingleBudget: number | null): number | null {
  if (!r || r.speedup !== null || r.baselineCost !== null || maxSingleBudget === null || !(r.cost > 0)) return null;
  return maxSingleBudget / r.cost;
}

export function frontTableRows(data: FrontData): FrontTableRow[] {
  const pointAt = (name: FrontSeriesName, budget: number): FrontPoint | undefined => seriesOf(data, name)?.points.find((p) => p.budget === budget);
  const verdicts = (budget: number, v: string) => data.comparisons.filter((c) => c.budget === budget && c.verdict === v).map((c) => c.baseline);
  const rowsOf = new Map(speedupAtEqualFid(data).map((r) => [r.budget, r]));
  const singleBudgets = seriesOf(data, 'best-single-model')?.points.map((p) => p.budget) ?? [];
  const maxSingleBudget = singleBudgets.length ? Math.max(...singleBudgets) : null;
  return [...data.budgets].sort((a, b) => a - b).map((budget) => {
    const fid: FrontTableRow['fid'] = {};
    const interval: FrontTableRow['interval'] = {};
    for (const s of FRONT_SERIES) {
      if (!seriesOf(data, s)) continue;
      const p = pointAt(s, budget);
      fid[s] = p?.fid ?? null;
      interval[s] = p ? [p.fidLow, p.fidHigh] : null;
    }
    return {
      budget,
      fid,
      interval,
      beats: verdicts(budget, 'win'),
      ties: verdicts(budget, 'tie'),
      losesTo: verdicts(budget, 'loss'),
      speedup: rowsOf.get(budget)?.speedup ?? null,
      speedupAbove: speedupBound(rowsOf.get(budget), maxSingleBudget),
    };
  });
}

/**
 * How OMS-DPM's pick at `p` was chosen (fronts made with oms-dpm-pick.ts): which candidate won the
 * re-rank on the selection images, how many of each kind were re-ranked, and whether the winner
 * lies inside the records' support (with the ensemble spread against its threshold, when the front
 * measured one); null for older fronts.
 */
export function pickText(p: FrontPoint | undefined): string | null {
  if (!p?.reranked) return null;
  const n = (reason: string) => p.reranked!.filter((c) => c.reason === reason).length;
  const won = p.reranked.reduce((a, b) => (b.selectionFid < a.selectionFid ? b : a));
  const winner = won.reason === 'record' ? `training record ${won.recordId}` : won.reason === 'trusted' ? 'a trusted candidate' : `predicted #${(p.predictedRank ?? 0) + 1}`;
  const spread = won.spread !== undefined && won.spreadThreshold !== undefined ? `, ensemble spread ${won.spread.toFixed(3)} ${won.spread <= won.spreadThreshold ? '<=' : '>'} ${won.spreadThreshold.toFixed(3)}` : '';
  return `${winner} (of ${n('predicted')} predicted, ${n('trusted')} trusted, ${n('record')} records; ${won.insideSupport ? 'inside' : won.insideSupport === false ? 'outside' : 'no'} records' support${spread})`;
}

/** Whether any OMS-DPM candidate of the front was measured with the ensemble spread. */
const withSpread = (data: FrontData) => seriesOf(data, 'oms-dpm')?.points.some((p) => p.reranked?.some((c) => c.spread !== undefined)) ?? false;

export function frontTableFigure(data: FrontData): FigureData {
  const rows = frontTableRows(data);
  const oms = seriesOf(data, 'oms-dpm');
  const picks = rows.map((r) => pickText(oms?.points.find((p) => p.budget === r.budget)));
  const withPicks = picks.some((t) => t !== null);
  const shown = FRONT_SERIES.filter((s) => seriesOf(data, s));
  const f = (v: number | null | undefined, iv: [number, number] | null | undefined) =>
    v === null || v === undefined ? '-' : iv ? `${v.toFixed(1)} [${iv[0].toFixed(1)}, ${iv[1].toFixed(1)}]` : v.toFixed(1);
  const count = (k: 'beats' | 'ties' | 'losesTo') => rows.reduce((n, r) => n + r[k].length, 0);
  const h = data.heldOut;
  return {
    id: `front-table-${data.solver}`,
    title: `${data.experiment}: OMS-DPM against the baselines per budget (${data.solver})`,
    caption:
      `Held-out FID [${Math.round(100 * h.level)}% bootstrap interval] on noise-bank images ${h.start}..${h.start + h.images - 1} of each series' pick with cost at most C ` +
      `(ms per batch on ${data.engine}), chosen on images 0..${data.selectionImages - 1}. OMS-DPM's FID minus each baseline's, paired on the same held-out images: ` +
      `"beats" when its interval lies below 0, "loses to" above 0, "ties" otherwise. The speed-up is the best ` +
      `single model's cost to reach OMS-DPM's held-out FID divided by OMS-DPM's cost; "> s (not reached)" means no single-model setting up to the largest budget reaches that FID, so the speed-up exceeds that budget over OMS-DPM's cost. ` +
      `Over all budgets and baselines: ${count('beats')} wins, ${count('ties')} ties, ${count('losesTo')} losses.` +
      (withPicks
        ? ` OMS-DPM's pick is the lowest selection FID among the search's top k by predicted score, its best-predicted schedules inside the training records' support (NFE range and model mix${withSpread(data) ? ", and an ensemble spread no larger than the validation records' median" : ''}) and the best training records that fit C; the last column names the winner.`
        : ''),
    data: [
      {
        type: 'table',
        header: { values: ['C (ms)', ...shown, 'OMS-DPM beats', 'ties', 'loses to', 'speed-up vs best single', ...(withPicks ? ['OMS-DPM pick: re-rank winner'] : [])] },
        columnwidth: [50, ...shown.map(() => 110), 120, 120, 120, 110, ...(withPicks ? [200] : [])],
        cells: {
          values: [
            rows.map((r) => String(r.budget)),
            ...shown.map((s) => rows.map((r) => f(r.fid[s], r.interval[s]))),
            rows.map((r) => r.beats.join(', ') || '-'),
            rows.map((r) => r.ties.join(', ') || '-'),
            rows.map((r) => r.losesTo.join(', ') || '-'),
            rows.map((r) => (r.speedup !== null ? `${r.speedup.toFixed(2)}x` : r.speedupAbove !== null ? `> ${r.speedupAbove.toFixed(2)}x (not reached)` : '-')),
            ...(withPicks ? [picks.map((t) => t ?? '-')] : []),
          ],
        },
      },
    ],
    layout: { title: { text: `${data.experiment}: front per budget (${data.solver})` }, width: 1300, height: 170 + 80 * rows.length, margin: { l: 20, r: 20, t: 50, b: 20 } },
    sources: [`${data.experiment}/front-${data.solver}.json`],
  };
}
