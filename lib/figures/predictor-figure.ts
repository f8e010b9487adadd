/**
 * The ranking predictor's score against the measured FID of every collected schedule
 * (`predictor-scatter-<solver>`), one trace per part of the dataset (train, selection,
 * validation), built from what the predictor stage writes: predictions.csv (id,split,fid,score)
 * and the Kendall tau-b per part in metrics.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { predictorDir, type PredictionSplit, type PredictorTaus } from '../predictor/experiment-predictor';
import type { SolverName } from '../schedule/index';
import { KitError } from '../util/errors';
import { readJsonFile } from '../util/json-file';
import { axisLayout, type FigureData } from './figure-data';

export interface PredictionRow { split: string; fid: number; score: number }

export function predictorScatterFigure(experiment: string, solver: SolverName, rows: readonly PredictionRow[], tau: PredictorTaus): FigureData {
  const trace = (split: PredictionSplit) => ({
    type: 'scatter',
    mode: 'markers',
    name: `${split} (tau ${tau[split].toFixed(3)})`,
    x: rows.filter((r) => r.split === split).map((r) => r.fid),
    y: rows.filter((r) => r.split === split).map((r) => r.score),
    marker: { size: 5, opacity: 0.7 },
  });
  return {
    id: `predictor-scatter-${solver}`,
    title: `${experiment}: predicted score vs true FID (${solver})`,
    caption:
      `The ranking predictor's score against the measured FID of every collected schedule; Kendall tau-b train ${tau.train.toFixed(3)} (trained on), ` +
      `selection ${tau.selection.toFixed(3)} (chose the checkpoint), validation ${tau.validation.toFixed(3)} (used for neither).`,
    data: [trace('train'), trace('selection'), trace('validation')],
    layout: axisLayout(`${experiment}: predictor (${solver})`, 'true FID', 'predicted score (lower = better)'),
    sources: [`${experiment}/predictor-${solver}/predictions.csv`],
  };
}

/** The rows of a predictions.csv (header id,split,fid,score). */
export function readPredictions(file: string): PredictionRow[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  if (lines[0] !== 'id,split,fid,score') throw new KitError(`${file} is not a predictions file (header '${lines[0]}', expected 'id,split,fid,score')`);
  return lines.slice(1).map((line) => {
    const [, split, fid, score] = line.split(',');
    return { split, fid: Number(fid), score: Number(score) };
  });
}

/**
 * The scatter of the experiment's trained `solver` predictor, or null when it has not been trained
 * (no predictions.csv). `experiment` names the results folder (`mnist`, `mnist@smoke`).
 */
export function predictorScatterFor(exp: ResolvedExperiment, experiment: string, solver: SolverName): FigureData | null {
  const dir = predictorDir(exp, solver);
  const predictions = path.join(dir, 'predictions.csv');
  if (!fs.existsSync(predictions)) return null;
  const metrics = readJsonFile<{ kendallTau: Partial<Record<PredictionSplit, number | null>> }>(path.join(dir, 'metrics.json'), 'predictor metrics');
  const tauOf = (split: PredictionSplit) => metrics.kendallTau?.[split] ?? Number.NaN; // (JSON stores a NaN tau as null)
  const tau: PredictorTaus = { train: tauOf('train'), selection: tauOf('selection'), validation: tauOf('validation') };
  return predictorScatterFigure(experiment, solver, readPredictions(predictions), tau);
}
