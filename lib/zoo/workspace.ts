/**
 * Where an experiment's files live. Results that are committed (weights of the trained zoo, loss
 * curves, sample grids, figure data) go under results/<experiment>/ for the default profile and
 * results/<experiment>@<profile>/ for others, so a smoke run never overwrites the real report.
 * Training state that is only needed to resume (optimizer moments, raw weights) goes under runs/,
 * which git ignores.
 */
import * as path from 'node:path';
import { repoRoot, type ResolvedExperiment } from '../config/index';

function tag(exp: ResolvedExperiment): string {
  return exp.profile === 'default' ? exp.config.name : `${exp.config.name}@${exp.profile}`;
}

export function resultsDir(exp: ResolvedExperiment): string {
  return path.join(process.env.OMS_DPM_RESULTS ?? path.join(repoRoot(), 'results'), tag(exp));
}

export function runsDir(exp: ResolvedExperiment): string {
  return path.join(process.env.OMS_DPM_RUNS ?? path.join(repoRoot(), 'runs'), tag(exp));
}

export const zooPaths = (exp: ResolvedExperiment, modelId: string) => {
  const dir = path.join(resultsDir(exp), 'zoo', modelId);
  return {
    dir,
    /** EMA weights + architecture + provenance: what sampling loads */
    weights: path.join(dir, 'ema-weights.bin'),
    summary: path.join(dir, 'model.json'),
    lossCurve: path.join(dir, 'loss-curve.json'),
    checkpoint: path.join(runsDir(exp), 'zoo', modelId, 'checkpoint.bin'),
    sampleGrid: (steps: number) => path.join(dir, `samples-ddim${steps}.png`),
  };
};

export function splitFile(exp: ResolvedExperiment): string {
  return path.join(resultsDir(exp), 'data-split.json');
}

/** Engine tag of latency tables: the cost model prices the engine that samples. */
export function engineTag(backend: string): string {
  return `tfjs-${backend}`;
}

export function latencyFile(exp: ResolvedExperiment, engine: string): string {
  return path.join(resultsDir(exp), `latency-${engine}.json`);
}
