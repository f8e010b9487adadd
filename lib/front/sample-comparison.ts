/**
 * Sample grids of a front: at each budget, the same noise-bank images (0..count-1, paired)
 * sampled with OMS-DPM's searched schedule and with the best single-model setting at that budget,
 * written as PNG grids under results/<experiment>/samples/, and an index of them
 * (comparison-<solver>.json) that the sample-comparison figure is built from. Grids already on
 * disk for the same schedule, zoo and noise bank are not sampled again; grids of budgets the front no
 * longer has are removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashOf, type ResolvedExperiment } from '../config/index';
import { samplingIdentity } from '../evaluation/sampling-identity';
import { sampleSchedule } from '../evaluation/sample-schedule';
import { gridSize, writeImageGrid } from '../data/image-grid';
import type { Denoiser } from '../samplers/denoiser';
import type { SolverName } from '../schedule/index';
import { writeJsonAtomic } from '../util/atomic-file';
import { resultsDir } from '../zoo/workspace';
import type { FrontData, FrontSeriesName } from './front-data';
import { readJsonIfExists } from '../util/json-file';

/** The series drawn side by side, in this order. */
export const COMPARED_SERIES: readonly FrontSeriesName[] = ['oms-dpm', 'best-single-model'];

export interface SamplePanel {
  series: FrontSeriesName;
  label: string;
  fid: number;
  cost: number;
  nfe: number;
  schedule: number[];
  /** PNG grid, relative to results/<experiment>/ */
  file: string;
}

export interface SampleComparison {
  kind: 'oms-dpm-sample-comparison';
  experiment: string;
  solver: SolverName;
  /** images per grid (noise-bank entries 0..images-1, the same for every panel) */
  images: number;
  columns: number;
  /** FID images of the front (the panels' FIDs) */
  fidImages: number;
  /** hash of `samplingIdentity` (zoo weights, noise bank, clipping, ...): grids are reused only while it holds */
  samplingKey: string;
  /** pixel size of every grid, so the figure can show them 1:1 (absent in files written before it) */
  gridPixels?: { width: number; height: number };
  rows: { budget: number; panels: SamplePanel[] }[];
}

export function sampleComparisonFile(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), 'samples', `comparison-${solver}.json`);
}

export interface SampleComparisonOptions {
  /** default: the hash of `samplingIdentity(exp)` (reads the zoo weights) */
  samplingKey?: string;
  images?: number;
  columns?: number;
  batchSize?: number;
  onGrid?: (file: string, reused: boolean) => void;
}

export async function writeSampleComparison(exp: ResolvedExperiment, front: FrontData, models: readonly Denoiser[], o: SampleComparisonOptions = {}): Promise<SampleComparison> {
  const images = o.images ?? 64;
  const columns = o.columns ?? 8;
  const dir = resultsDir(exp);
  const samplingKey = o.samplingKey ?? hashOf(samplingIdentity(exp));
  const d = exp.config.dataset;
  const gridPixels = gridSize(images, d.imageSize, d.imageSize, columns);
  const out: SampleComparison = { kind: 'oms-dpm-sample-comparison', experiment: front.experiment, solver: front.solver, images, columns, fidImages: front.heldOut.images, samplingKey, gridPixels, rows: [] };
  const old = readJsonIfExists<SampleComparison>(sampleComparisonFile(exp, front.solver), 'sample-grid index');
  for (const budget of [...front.budgets].sort((a, b) => a - b)) {
    const points = COMPARED_SERIES.map((name) => ({ name, p: front.series.find((s) => s.name === name)?.points.find((q) => q.budget === budget) }));
    if (points.some((x) => !x.p)) continue; // a side-by-side needs both
    const panels: SamplePanel[] = [];
    for (const { name, p } of points) {
      const file = path.posix.join('samples', `${front.solver}-C${budget}-${name}.png`);
      const reused =
        fs.existsSync(path.join(dir, file)) &&
        old?.images === images &&
        old.samplingKey === samplingKey &&
        old.rows.some((r) => r.panels.some((q) => q.file === file && JSON.stringify(q.schedule) === JSON.stringify(p!.schedule)));
      if (!reused) {
        const imgs = await sampleSchedule(exp, models, { solver: front.solver, entries: p!.schedule, start: 0, count: images, batchSize: o.batchSize ?? exp.config.sampling.batchSize });
        writeImageGrid(path.join(dir, file), imgs, images, d.imageSize, d.imageSize, d.channels, columns);
      }
      o.onGrid?.(file, reused);
      panels.push({ series: name, label: p!.label, fid: p!.fid, cost: p!.cost, nfe: p!.nfe, schedule: [...p!.schedule], file });
    }
    out.rows.push({ budget, panels });
  }
  writeJsonAtomic(sampleComparisonFile(exp, front.solver), out);
  // grids the previous index listed at budgets the front no longer has (the latency table, and so
  // the budget grid, changed) would otherwise pile up in results/; only files it owned are removed
  const kept = new Set(out.rows.flatMap((r) => r.panels.map((q) => q.file)));
  for (const file of old?.rows.flatMap((r) => r.panels.map((q) => q.file)) ?? []) if (!kept.has(file)) fs.rmSync(path.join(dir, file), { force: true });
  return out;
}
