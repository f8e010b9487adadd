/**
 * What the end-to-end tests on the tiny fixture (test/fixtures/tiny-mnist.yaml) share: the CLI, a
 * results/runs workspace per temporary folder, and reading its figure data and datasets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FigureData } from '../../lib/figures/figure-data';

export const root = path.join(__dirname, '..', '..');
export const cli = path.join(root, 'bin', 'oms-dpm.js');
export const tiny = path.join(root, 'test', 'fixtures', 'tiny-mnist.yaml');

/** The environment that points the kit's results and runs folders into `dir`. */
export const envFor = (dir: string) => ({ ...process.env, OMS_DPM_RESULTS: path.join(dir, 'results'), OMS_DPM_RUNS: path.join(dir, 'runs') });
/** The tiny experiment's results folder inside `dir`. */
export const expDir = (dir: string) => path.join(dir, 'results', 'tiny-mnist');
/** Records in a schedule-FID dataset file so far (its header line not counted; 0 when absent). */
export const recordLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}')).length - 1 : 0);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The figure data files of the tiny experiment in `dir`, by file name. */
export function figures(dir: string): Map<string, FigureData> {
  const figDir = path.join(expDir(dir), 'figures');
  return new Map(fs.readdirSync(figDir).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(fs.readFileSync(path.join(figDir, f), 'utf8')) as FigureData]));
}
