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

/** The command that rebuilds the figures of a results folder (`mnist`, `mnist@smoke`). */
export function figuresCommandFor(folder: string): string {
  const [name, profile] = folder.split('@');
  return `oms-dpm figures --experiment ${name}${profile ? ` --profile ${profile}` : ''}`;
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
    /** EMA weights kept every training.snapshotEvery steps: the member's learning curve */
    snapshot: (step: number) => path.join(runsDir(exp), 'zoo', modelId, 'snapshots', `ema-${String(step).padStart(7, '0')}.bin`),
    /** the member's sample grid: samples-ddim<N>.png (what train-zoo writes), samples-dpm-solver<N>.png */
    sampleGrid: (steps: number, solver: 'ddim' | 'dpm-solver' = 'ddim') => path.join(dir, `samples-${solver}${steps}.png`),
    /** ONNX export of the EMA weights (derived; re-exported when stale) and its provenance */
    onnx: path.join(dir, 'model.onnx'),
    onnxProvenance: path.join(dir, 'model.onnx.json'),
  };
};

export function splitFile(exp: ResolvedExperiment): string {
  return path.join(resultsDir(exp), 'data-split.json');
}

/**
 * Engine tag of latency tables and records: the cost model prices the engine that samples.
 * 'onnxruntime-cpu' for ONNX Runtime (CPU execution provider), else 'tfjs-<backend>' for TF.js
 * ('tfjs-wasm', 'tfjs-tensorflow', 'tfjs-cpu'). `engine` is a `SamplingEngine` (sampling-engine.ts),
 * spelled out so that where files live does not depend on how models are loaded.
 */
export function engineTag(engine: 'onnx' | 'tfjs', backend: string): string {
  return engine === 'onnx' ? 'onnxruntime-cpu' : `tfjs-${backend}`;
}

/** results/<experiment>/latency-<engine tag>.json */
export function latencyFile(exp: ResolvedExperiment, engine: string): string {
  return path.join(resultsDir(exp), `latency-${engine}.json`);
}

/** results/<experiment>/validation-loss.json: each zoo member's held-out denoising loss */
export function validationLossFile(exp: ResolvedExperiment): string {
  return path.join(resultsDir(exp), 'validation-loss.json');
}

/** results/<experiment>/sample-quality.json: how recognisable each zoo member's single-model samples are */
export function sampleQualityFile(exp: ResolvedExperiment): string {
  return path.join(resultsDir(exp), 'sample-quality.json');
}
