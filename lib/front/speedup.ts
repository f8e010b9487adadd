/**
 * The speed-up of OMS-DPM at equal FID over a baseline (by default the best single model): the
 * baseline's cost to reach the searched schedule's FID, on the baseline's lower envelope, divided
 * by the searched schedule's cost. The headline number of the paper's Fig. 1.
 */
import type { FrontData, FrontSeriesName } from './front-data';

/** A (cost, FID) pair. */
export interface CostFid {
  cost: number;
  fid: number;
}

/**
 * The lower envelope of a baseline: its points sorted by cost, keeping each one whose FID is lower
 * than every cheaper point's (the Pareto front). Between two kept points the baseline is taken to
 * improve linearly; every dropped point lies on or above that line.
 */
export function lowerEnvelope(points: readonly CostFid[]): CostFid[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.fid)).sort((a, b) => a.cost - b.cost || a.fid - b.fid);
  const out: CostFid[] = [];
  for (const p of sorted) if (out.length === 0 || p.fid < out[out.length - 1].fid) out.push({ cost: p.cost, fid: p.fid });
  return out;
}

/**
 * The smallest cost at which the envelope reaches `fid`, by linear interpolation between its
 * points; its cheapest point's cost when that point is already as good (the envelope starts
 * there: nothing is known below it); null when no point reaches `fid`.
 */
export function costToReach(envelope: readonly CostFid[], fid: number): number | null {
  if (envelope.length === 0 || fid < envelope[envelope.length - 1].fid) return null;
  if (fid >= envelope[0].fid) return envelope[0].cost;
  for (let i = 0; i + 1 < envelope.length; i++) {
    const a = envelope[i];
    const b = envelope[i + 1];
    if (fid <= a.fid && fid >= b.fid) return a.cost + ((a.fid - fid) / (a.fid - b.fid)) * (b.cost - a.cost);
  }
  return null; // unreachable: the envelope's FIDs decrease and fid lies within their range
}

export interface SpeedupRow {
  budget: number;
  cost: number;
  fid: number;
  /** what the baseline needs to reach `fid` (null: it never does) */
  baselineCost: number | null;
  /** baselineCost / cost (null with baselineCost) */
  speedup: number | null;
}

/**
 * For each oms-dpm point, the cost the baseline (default: the best single model) needs for the same
 * FID, on its lower envelope, divided by the oms-dpm point's cost. > 1: OMS-DPM is that many times
 * faster at equal quality.
 */
export function speedupAtEqualFid(front: Pick<FrontData, 'series'>, baseline: FrontSeriesName = 'best-single-model'): SpeedupRow[] {
  const oms = front.series.find((s) => s.name === 'oms-dpm')?.points ?? [];
  const envelope = lowerEnvelope(front.series.find((s) => s.name === baseline)?.points ?? []);
  return [...oms]
    .sort((a, b) => a.budget - b.budget)
    .map((p) => {
      const baselineCost = costToReach(envelope, p.fid);
      return { budget: p.budget, cost: p.cost, fid: p.fid, baselineCost, speedup: baselineCost === null || !(p.cost > 0) ? null : baselineCost / p.cost };
    });
}
