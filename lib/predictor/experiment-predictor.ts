/**
 * The predictor stage of an experiment: trains the ranking predictor on the experiment's
 * schedule-FID dataset (records carry their stored train/validation split) and writes
 * results/<experiment>/predictor-<solver>/: predictor.bin (best-validation weights),
 * predictions.csv (id,split,fid,score for every record), metrics.json (Kendall tau-b per split,
 * history, settings, provenance) and the predicted-vs-true scatter as figure data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedExperiment } from '../config/index';
import { datasetFile } from '../collection/collect';
import { readDataset, type ScheduleRecord } from '../collection/dataset-file';
import type { FigureData } from '../figures/figure-data';
import { axisLayout } from '../figures/figure-data';
import { kendallTau } from '../metrics/kendall-tau';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import type { SolverName } from '../schedule/index';
import { resultsDir } from '../zoo/workspace';
import { loadPredictor } from './checkpoint';
import { SchedulePredictor } from './predictor';
import { trainPredictor, type PredictorEvaluation } from './train';

export function predictorDir(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), `predictor-${solver}`);
}

export interface PredictorRunResult { tauTrain: number; tauValidation: number; records: number; seconds: number; dir: string }

export function scatterFigure(experiment: string, solver: SolverName, rows: { split: string; fid: number; score: number }[], tau: { train: number; validation: number }): FigureData {
  const trace = (split: string) => ({
    type: 'scatter',
    mode: 'markers',
    name: `${split} (tau ${(split === 'train' ? tau.train : tau.validation).toFixed(3)})`,
    x: rows.filter((r) => r.split === split).map((r) => r.fid),
    y: rows.filter((r) => r.split === split).map((r) => r.score),
    marker: { size: 5, opacity: 0.7 },
  });
  return {
    id: `predictor-scatter-${solver}`,
    title: `${experiment}: predicted score vs true FID (${solver})`,
    caption: `The ranking predictor's score against the measured FID of every collected schedule; Kendall tau-b train ${tau.train.toFixed(3)}, validation ${tau.validation.toFixed(3)}.`,
    data: [trace('train'), trace('validation')],
    layout: axisLayout(`${experiment}: predictor (${solver})`, 'true FID', 'predicted score (lower = better)'),
    sources: [`${experiment}/predictor-${solver}/predictions.csv`],
  };
}

export function trainExperimentPredictor(exp: ResolvedExperiment, solver: SolverName, onEvaluate?: (e: PredictorEvaluation) => void): PredictorRunResult {
  const { header, records } = readDataset(datasetFile(exp, solver), { experiment: exp.config.name, solver });
  const train = records.filter((r) => r.split === 'train');
  const valid = records.filter((r) => r.split === 'validation');
  if (train.length < 2 || valid.length < 2) {
    throw new KitError(`the ${solver} schedule-FID dataset has ${train.length} training and ${valid.length} validation records; the predictor needs at least 2 of each`, {
      hint: `collect more: oms-dpm collect --experiment ${exp.config.name} --solver ${solver} --count N`,
    });
  }
  const pc = exp.config.predictor;
  const dir = predictorDir(exp, solver);
  const ckpt = path.join(dir, 'predictor.bin');
  const predictor = SchedulePredictor.create({ solver, numModels: header.numModels, length: header.length, timesteps: exp.config.diffusion.timesteps }, pc.seed);
  const asSet = (rs: ScheduleRecord[]) => ({ schedules: rs.map((r) => r.schedule), fids: rs.map((r) => r.fid) });
  const result = trainPredictor(predictor, asSet(train), asSet(valid), {
    epochs: pc.epochs,
    seed: pc.seed,
    batchSize: pc.batchSize,
    lr: pc.learningRate,
    loss: pc.loss,
    evalEvery: pc.evalEvery,
    checkpointPath: ckpt,
    onEvaluate,
  });
  const scores = predictor.score(records.map((r) => r.schedule));
  predictor.dispose();
  const rows = records.map((r, i) => ({ id: r.id, split: r.split, fid: r.fid, score: scores[i] }));
  const tau = {
    train: kendallTau(rows.filter((r) => r.split === 'train').map((r) => r.score), train.map((r) => r.fid)),
    validation: kendallTau(rows.filter((r) => r.split === 'validation').map((r) => r.score), valid.map((r) => r.fid)),
  };
  writeFileAtomic(path.join(dir, 'predictions.csv'), 'id,split,fid,score\n' + rows.map((r) => `${r.id},${r.split},${r.fid},${r.score}`).join('\n') + '\n');
  writeJsonAtomic(path.join(dir, 'metrics.json'), {
    kendallTau: tau,
    records: { train: train.length, validation: valid.length },
    best: result.best,
    history: result.history,
    steps: result.steps,
    skippedBatches: result.skippedBatches,
    seconds: result.seconds,
    settings: pc,
    dataset: { file: path.basename(datasetFile(exp, solver)), featureNetwork: header.featureNetwork, images: header.images },
    configHash: exp.hash,
  });
  writeJsonAtomic(path.join(dir, 'scatter.json'), scatterFigure(path.basename(resultsDir(exp)), solver, rows, tau));
  return { tauTrain: tau.train, tauValidation: tau.validation, records: records.length, seconds: result.seconds, dir };
}

/** The trained predictor of an experiment and solver (for the search). */
export function loadExperimentPredictor(exp: ResolvedExperiment, solver: SolverName): SchedulePredictor {
  const file = path.join(predictorDir(exp, solver), 'predictor.bin');
  if (!fs.existsSync(file)) {
    throw new KitError(`no trained ${solver} predictor for experiment '${exp.config.name}' (${file})`, { hint: `oms-dpm train-predictor --experiment ${exp.config.name} --solver ${solver}` });
  }
  return loadPredictor(file).predictor;
}
