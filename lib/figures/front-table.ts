/**
 * The front as a table, one row per budget C: each series' FID at C, which baselines OMS-DPM's
 * pick beats there, and its speed-up at equal FID over the best single model. This is the
 * verdict a reader of Fig. 1 wants spelled out ("where does the searched schedule win?"), built
 * from the same front-<solver>.json as the figure.
 */
import { FRONT_SERIES, seriesOf, type FrontData, type FrontSeriesName } from '../front/front-data';
import type { FigureData } from './figure-data';
import { speedupAtEqualFid } from '../front/speedup';

export interface FrontTableRow {
  budget: number;
  /** FID of each series' pick at this budget (null: no point) */
  fid: Partial<Record<FrontSeriesName, number | null>>;
  /** the baselines whose FID at this budget is higher than OMS-DPM's */
  beats: FrontSeriesName[];
  /** the baselines with a point here whose FID is at most OMS-DPM's (a tie is not a win) */
  losesTo: FrontSeriesName[];
  speedup: number | null;
  /**
   * When no single-model setting of the grid reaches OMS-DPM's FID (speedup null): every setting
   * up to the largest budget C_max was worse, so the single model would need more than C_max and
   * the speed-up is more than C_max / cost. Null when the speed-up is known or there is no such bound.
   */
  speedupAbove: number | null;
}

const BASELINES = FRONT_SERIES.filter((s) => s !== 'oms-dpm');

function speedupBound(r: { speedup: number | null; baselineCost: number | null; cost: number } | undefined, maxSingleBudget: number | null): number | null {
  if (!r || r.speedup !== null || r.baselineCost !== null || maxSingleBudget === null || !(r.cost > 0)) return null;
  return maxSingleBudget / r.cost;
}

export function frontTableRows(data: FrontData): FrontTableRow[] {
  const at = (name: FrontSeriesName, budget: number) => seriesOf(data, name)?.points.find((p) => p.budget === budget)?.fid ?? null;
  const rowsOf = new Map(speedupAtEqualFid(data).map((r) => [r.budget, r]));
  const singleBudgets = seriesOf(data, 'best-single-model')?.points.map((p) => p.budget) ?? [];
  const maxSingleBudget = singleBudgets.length ? Math.max(...singleBudgets) : null;
  return [...data.budgets].sort((a, b) => a - b).map((budget) => {
    const fid: FrontTableRow['fid'] = {};
    for (const s of FRONT_SERIES) if (seriesOf(data, s)) fid[s] = at(s, budget);
    const oms = fid['oms-dpm'] ?? null;
    const withPoint = BASELINES.filter((b) => fid[b] !== undefined && fid[b] !== null);
    return {
      budget,
      fid,
      beats: oms === null ? [] : withPoint.filter((b) => (fid[b] as number) > oms),
      losesTo: oms === null ? [] : withPoint.filter((b) => (fid[b] as number) <= oms),
      speedup: rowsOf.get(budget)?.speedup ?? null,
      speedupAbove: speedupBound(rowsOf.get(budget), maxSingleBudget),
    };
  });
}

export function frontTableFigure(data: FrontData): FigureData {
  const rows = frontTableRows(data);
  const shown = FRONT_SERIES.filter((s) => seriesOf(data, s));
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));
  const wins = rows.filter((r) => r.fid['oms-dpm'] != null && r.losesTo.length === 0).length;
  return {
    id: `front-table-${data.solver}`,
    title: `${data.experiment}: OMS-DPM against the baselines per budget (${data.solver})`,
    caption:
      `FID (${data.images} images) of each series' pick with cost at most C (ms per batch on ${data.engine}); "OMS-DPM beats" lists the baselines ` +
      `with a higher FID than OMS-DPM's pick at that budget, "ties or beats OMS-DPM" those with an equal or lower one; the speed-up is the best ` +
      `single model's cost to reach OMS-DPM's FID divided by OMS-DPM's cost; "> s (not reached)" means no single-model setting up to the largest budget reaches that FID, so the speed-up exceeds that budget over OMS-DPM's cost. OMS-DPM has the lowest FID at ${wins} of ${rows.length} budgets.`,
    data: [
      {
        type: 'table',
        header: { values: ['C (ms)', ...shown, 'OMS-DPM beats', 'ties or beats OMS-DPM', 'speed-up vs best single'] },
        cells: {
          values: [
            rows.map((r) => String(r.budget)),
            ...shown.map((s) => rows.map((r) => f(r.fid[s]))),
            rows.map((r) => r.beats.join(', ') || '-'),
            rows.map((r) => r.losesTo.join(', ') || '-'),
            rows.map((r) => (r.speedup !== null ? `${r.speedup.toFixed(2)}x` : r.speedupAbove !== null ? `> ${r.speedupAbove.toFixed(2)}x (not reached)` : '-')),
          ],
        },
      },
    ],
    layout: { title: { text: `${data.experiment}: front per budget (${data.solver})` }, width: 1100, height: 150 + 80 * rows.length, margin: { l: 20, r: 20, t: 50, b: 20 } },
    sources: [`${data.experiment}/front-${data.solver}.json`],
  };
}
