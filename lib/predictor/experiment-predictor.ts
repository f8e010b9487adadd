/**
 * The predictor stage of an experiment: trains the ranking predictor on the experiment's
 * schedule-FID dataset and writes results/<experiment>/predictor-<solver>/: predictor.bin (the
 * chosen weights), predictions.csv (id,split,fid,score for every record; split train, selection or
 * validation), metrics.json (Kendall tau-b per part, record counts, chosen epoch, history,
 * settings, provenance). The predicted-vs-true scatter is built from those two files by
 * lib/figures/predictor-figure.ts.
 *
 * Three disjoint parts, so that the reported validation tau is an honest estimate: records carry
 * their stored train/validation split (collection.trainRatio); `carveSelection` holds back
 * predictor.selectionFraction of the training split as D_sel, which only chooses the checkpoint
 * (the epoch with the best selection tau); the gradient steps see the rest, D_train. The
 * validation records D_val never reach `trainPredictor`; their tau is measured once, after
 * training, on the restored chosen weights. The official code chooses the checkpoint on D_val
 * and reports its tau there (method doc §5); this kit deliberately does not (see train.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashOf, type ResolvedExperiment } from '../config/index';
import { datasetFile } from '../collection/collect';
import { readDataset, type ScheduleRecord } from '../collection/dataset-file';
import { streamRng } from '../util/rng';
import { kendallTau } from '../metrics/kendall-tau';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file';
import { KitError } from '../util/errors';
import type { SolverName } from '../schedule/index';
import { resultsDir } from '../zoo/workspace';
import { readTensorFile } from '../diffusion/tensor-file';
import { loadPredictor, savePredictor } from './checkpoint';
import { SchedulePredictor } from './predictor';
import { trainPredictor, type PredictorEvaluation } from './train';

export function predictorDir(exp: ResolvedExperiment, solver: SolverName): string {
  return path.join(resultsDir(exp), `predictor-${solver}`);
}

/**
 * Where a predictor reads its schedule-FID dataset and writes its files (predictor.bin,
 * predictions.csv, metrics.json). The experiment's own predictor lives at `experimentPredictorPlace`;
 * the collection study (lib/study/) trains others on parts of a dataset, each in a place of its own.
 */
export interface PredictorPlace {
  dataset: string;
  dir: string;
}

/** The experiment's predictor of `solver`: its dataset (as collection.strategy says) and results/<experiment>/predictor-<solver>/. */
export function experimentPredictorPlace(exp: ResolvedExperiment, solver: SolverName): PredictorPlace {
  return { dataset: datasetFile(exp, solver), dir: predictorDir(exp, solver) };
}

export interface TrainPredictorRunOptions {
  /** after every evaluation (`TrainPredictorOptions.onEvaluate`) */
  onEvaluate?: (e: PredictorEvaluation) => void;
  /** after every epoch's gradient steps (`TrainPredictorOptions.onEpoch`) */
  onEpoch?: (epoch: number) => void;
  /** default `experimentPredictorPlace` */
  place?: PredictorPlace;
}

export interface PredictorRunResult {
  /** Kendall tau-b of the chosen weights on D_train (trained on), D_sel (chose them) and D_val (neither). */
  tauTrain: number;
  tauSelection: number;
  tauValidation: number;
  /** Epoch whose weights were kept; null if no evaluation had a finite selection tau (the last weights are kept). */
  chosenEpoch: number | null;
  records: number;
  seconds: number;
  dir: string;
}

/** The three parts' taus, as metrics.json's `kendallTau`. */
export interface PredictorTaus { train: number; selection: number; validation: number }

/** Which records of a prediction row's split go into which scatter trace. */
export type PredictionSplit = 'train' | 'selection' | 'validation';

/**
 * Splits the training-split records into the part the predictor trains on (`fit`, D_train) and
 * the part held back to choose the checkpoint (`selection`, D_sel): ceil(fraction * n) records.
 * Record i's rank is its draw from the stream (seed, 'predictor-selection', id) (ties by id), so
 * the carve depends on the ids alone, not on the order the records were collected or read in.
 * Both parts keep the input order. A fraction leaving either part with fewer than 2 records (Kendall
 * tau needs 2) is a KitError naming predictor.selectionFraction.
 */
export function carveSelection<R extends { id: number }>(train: readonly R[], fraction: number, seed: number): { fit: R[]; selection: R[] } {
  const n = train.length;
  if (!(fraction > 0 && fraction < 1)) {
    throw new KitError(`predictor.selectionFraction must lie strictly between 0 and 1, got ${fraction}`, { hint: 'the default is 0.2 (--set predictor.selectionFraction=0.2)' });
  }
  // (the small slack keeps e.g. 0.1 * 30 = 3.0000000000000004 at 3)
  const k = Math.ceil(fraction * n - 1e-9);
  if (k < 2 || n - k < 2) {
    throw new KitError(
      `predictor.selectionFraction ${fraction} of ${n} training-split records holds back ${k} for checkpoint choice and trains on ${n - k}; each part needs at least 2 (Kendall tau)`,
      {
        hint: n >= 4
          ? `set predictor.selectionFraction between ${Math.ceil((2 / n) * 1e3) / 1e3} and ${Math.floor(((n - 2) / n) * 1e3) / 1e3} (e.g. --set predictor.selectionFraction=${Math.max(0.2, Math.ceil((2 / n) * 1e3) / 1e3)}), or collect more records`
          : `collect more schedule-FID records: ${n} training-split records cannot give 2 to train on and 2 to choose the checkpoint`,
      },
    );
  }
  const key = new Map(train.map((r) => [r.id, streamRng(seed, 'predictor-selection', r.id)()]));
  const held = new Set([...train].sort((a, b) => key.get(a.id)! - key.get(b.id)! || a.id - b.id).slice(0, k).map((r) => r.id));
  return { fit: train.filter((r) => !held.has(r.id)), selection: train.filter((r) => held.has(r.id)) };
}

/** Trains the predictor of `solver` on the dataset of `place` and writes its files there (see the file comment). */
export function trainExperimentPredictor(exp: ResolvedExperiment, solver: SolverName, opts: TrainPredictorRunOptions = {}): PredictorRunResult {
  const { onEvaluate, onEpoch } = opts;
  const place = opts.place ?? experimentPredictorPlace(exp, solver);
  const { header, records } = readDataset(place.dataset, { experiment: exp.config.name, solver });
  const trainSplit = records.filter((r) => r.split === 'train');
  const valid = records.filter((r) => r.split === 'validation');
  if (trainSplit.length < 4 || valid.length < 2) {
    throw new KitError(
      `the ${solver} schedule-FID dataset has ${trainSplit.length} training and ${valid.length} validation records; the predictor needs at least 4 training (2 to train on, 2 to choose the checkpoint) and 2 validation records`,
      { hint: `collect more: oms-dpm collect --experiment ${exp.config.name} --solver ${solver} --count N` },
    );
  }
  const pc = exp.config.predictor;
  const { fit, selection } = carveSelection(trainSplit, pc.selectionFraction, pc.seed);
  const dir = place.dir;
  const ckpt = path.join(dir, 'predictor.bin');
  const predictor = SchedulePredictor.create({ solver, numModels: header.numModels, length: header.length, timesteps: exp.config.diffusion.timesteps }, pc.seed);
  const asSet = (rs: ScheduleRecord[]) => ({ schedules: rs.map((r) => r.schedule), fids: rs.map((r) => r.fid) });
  // (the validation records are not passed: training cannot see them)
  const result = trainPredictor(predictor, asSet(fit), asSet(selection), {
    epochs: pc.epochs,
    seed: pc.seed,
    batchSize: pc.batchSize,
    lr: pc.learningRate,
    loss: pc.loss,
    evalEvery: pc.evalEvery,
    checkpointPath: ckpt,
    storage: exp.config.storage.weights,
    onEvaluate,
    onEpoch,
  });
  // No finite selection tau at any evaluation: no checkpoint was chosen or written; keep the last weights.
  if (result.best === null) savePredictor(ckpt, predictor, { epoch: pc.epochs, note: 'no evaluation had a finite selection tau: the last weights', history: result.history }, exp.config.storage.weights);
  predictor.dispose();
  // The one validation measurement, on the chosen weights as predictor.bin stores them (with
  // float16: rounded), so that predictions.csv and the taus reproduce from the file alone.
  const stored = loadPredictor(ckpt).predictor;
  const scores = stored.score(records.map((r) => r.schedule));
  stored.dispose();
  const held = new Set(selection.map((r) => r.id));
  const rows = records.map((r, i) => ({ id: r.id, split: (held.has(r.id) ? 'selection' : r.split) as PredictionSplit, fid: r.fid, score: scores[i] }));
  const tauOf = (split: PredictionSplit) => {
    const part = rows.filter((r) => r.split === split);
    return kendallTau(part.map((r) => r.score), part.map((r) => r.fid));
  };
  const tau: PredictorTaus = { train: tauOf('train'), selection: tauOf('selection'), validation: tauOf('validation') };
  const chosenEpoch = result.best?.epoch ?? null;
  writeFileAtomic(path.join(dir, 'predictions.csv'), 'id,split,fid,score\n' + rows.map((r) => `${r.id},${r.split},${r.fid},${r.score}`).join('\n') + '\n');
  writeJsonAtomic(path.join(dir, 'metrics.json'), {
    kendallTau: tau,
    records: { train: fit.length, selection: selection.length, validation: valid.length },
    chosenEpoch,
    best: result.best,
    history: result.history,
    steps: result.steps,
    skippedBatches: result.skippedBatches,
    seconds: result.seconds,
    settings: pc,
    dataset: { file: path.basename(place.dataset), featureNetwork: header.featureNetwork, images: header.images },
    configHash: exp.hash,
  });
  return { tauTrain: tau.train, tauSelection: tau.selection, tauValidation: tau.validation, chosenEpoch, records: records.length, seconds: result.seconds, dir };
}

/** The trained predictor of an experiment and solver (for the search); `dir` default `predictorDir`. */
export function loadExperimentPredictor(exp: ResolvedExperiment, solver: SolverName, dir = predictorDir(exp, solver)): SchedulePredictor {
  const file = path.join(dir, 'predictor.bin');
  if (!fs.existsSync(file)) {
    throw new KitError(`no trained ${solver} predictor for experiment '${exp.config.name}' (${file})`, { hint: `oms-dpm train-predictor --experiment ${exp.config.name} --solver ${solver}` });
  }
  return loadPredictor(file).predictor;
}

/** What metrics.json records about the training run, as far as reusing the predictor reads it. */
interface PredictorMetricsFile {
  kendallTau: PredictorTaus;
  records: { train: number; selection: number; validation: number };
  chosenEpoch: number | null;
  seconds: number;
  settings?: Record<string, unknown>;
  dataset?: { file: string; featureNetwork: string; images: number };
}

function readPredictorMetrics(dir: string): PredictorMetricsFile | string {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as PredictorMetricsFile;
  } catch (e) {
    return `its metrics.json cannot be read (${(e as Error).message})`;
  }
}

/** Why the settings a predictor was trained with are not `now` (null: equal). */
function settingsChange(then: Record<string, unknown> | undefined, now: Record<string, unknown>): string | null {
  if (!then) return 'its metrics.json records no settings';
  if (hashOf(then) === hashOf(now)) return null;
  const keys = [...new Set([...Object.keys(then), ...Object.keys(now)])].filter((k) => hashOf(then[k] ?? null) !== hashOf(now[k] ?? null));
  return `the predictor settings changed (${keys.map((k) => `${k}: ${JSON.stringify(then[k])} -> ${JSON.stringify(now[k])}`).join(', ')})`;
}

/**
 * Why predictor.bin is not stored as storage.weights says, or null. A file that cannot be read is
 * a KitError naming it (finished work is not overwritten silently).
 */
function storageChange(exp: ResolvedExperiment, dir: string): string | null {
  const want = exp.config.storage.weights;
  const { dtype } = readTensorFile(path.join(dir, 'predictor.bin'), 'predictor checkpoint');
  return dtype === want ? null : `its predictor.bin is stored as ${dtype}, storage.weights is ${want}`;
}

/** Why predictions.csv does not score exactly `records` (same ids, splits and FIDs), or null. */
function predictionsChange(dir: string, records: readonly ScheduleRecord[]): string | null {
  const rows = fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8').trim().split('\n').slice(1);
  const byId = new Map(rows.map((l) => l.split(',')).map(([id, split, fid]) => [Number(id), { split, fid: Number(fid) }]));
  if (byId.size !== records.length) return `it was trained on ${byId.size} records, the dataset has ${records.length}`;
  const changed = records.find((r) => {
    const p = byId.get(r.id);
    return !p || p.fid !== r.fid || (r.split === 'validation') !== (p.split === 'validation');
  });
  return changed ? `record ${changed.id} of the dataset is not the one it was trained on` : null;
}

/**
 * Why the experiment's trained `solver` predictor is not current, or null when it is (and can be
 * reused): predictor.bin, metrics.json and predictions.csv exist, predictor.bin is stored as
 * storage.weights says, metrics.json's settings equal exp.config.predictor, and it was trained on
 * the dataset as it is now: the same dataset file,
 * feature network and FID images, the same record counts per part (train, selection, validation)
 * and the same records (ids, splits and FIDs, as predictions.csv lists them).
 */
export function predictorStaleness(exp: ResolvedExperiment, solver: SolverName, place = experimentPredictorPlace(exp, solver)): string | null {
  const { dir, dataset: file } = place;
  const missing = ['predictor.bin', 'metrics.json', 'predictions.csv'].find((f) => !fs.existsSync(path.join(dir, f)));
  if (missing) return `no trained predictor (${missing} missing)`;
  const storage = storageChange(exp, dir);
  if (storage) return storage;
  if (!fs.existsSync(file)) return `there is no ${solver} dataset (${file})`;
  const m = readPredictorMetrics(dir);
  if (typeof m === 'string') return m;
  const pc = exp.config.predictor;
  const settings = settingsChange(m.settings, pc as unknown as Record<string, unknown>);
  if (settings) return settings;
  const { header, records } = readDataset(file, { experiment: exp.config.name, solver });
  const d = m.dataset;
  if (!d || d.file !== path.basename(file) || d.featureNetwork !== header.featureNetwork || d.images !== header.images) {
    return `it was trained on another dataset (${d ? `${d.file}, ${d.images} FID images, ${d.featureNetwork}` : 'not recorded'}; now ${path.basename(file)}, ${header.images} FID images, ${header.featureNetwork})`;
  }
  let parts: PredictorMetricsFile['records'];
  try {
    const { fit, selection } = carveSelection(records.filter((r) => r.split === 'train'), pc.selectionFraction, pc.seed);
    parts = { train: fit.length, selection: selection.length, validation: records.filter((r) => r.split === 'validation').length };
  } catch (e) {
    return (e as Error).message;
  }
  const n = (r: PredictorMetricsFile['records']) => `${r.train} + ${r.selection} + ${r.validation}`;
  if (!m.records || n(m.records) !== n(parts)) return `it was trained on ${m.records ? n(m.records) : 'an unrecorded number of'} records (train + selection + validation); the dataset now gives ${n(parts)}`;
  return predictionsChange(dir, records);
}

export interface EnsuredPredictor {
  /** true: the trained predictor was current and is kept as it is; false: it was (re)trained now */
  reused: boolean;
  /** why it was (re)trained (`predictorStaleness`); null when reused */
  why: string | null;
  /** the run's numbers (when reused: as metrics.json recorded them, `seconds` the original training time) */
  result: PredictorRunResult;
}

/**
 * The experiment's `solver` predictor, reused when it is current (`predictorStaleness`), else
 * trained by `train`: by default in this process (`trainExperimentPredictor`); pass
 * `() => trainExperimentPredictorInChild(exp, solver)` (predictor-process.ts) to train in a child
 * process, so that the two solvers' predictors train side by side as `reproduce` does. `place`:
 * whose predictor (default the experiment's own); a `train` given must train that one.
 */
export async function ensureExperimentPredictor(
  exp: ResolvedExperiment,
  solver: SolverName,
  train?: () => PredictorRunResult | Promise<PredictorRunResult>,
  place = experimentPredictorPlace(exp, solver),
): Promise<EnsuredPredictor> {
  const why = predictorStaleness(exp, solver, place);
  if (why !== null) return { reused: false, why, result: train ? await train() : trainExperimentPredictor(exp, solver, { place }) };
  const dir = place.dir;
  const m = readPredictorMetrics(dir) as PredictorMetricsFile;
  const t = m.kendallTau;
  const records = m.records.train + m.records.selection + m.records.validation;
  return { reused: true, why: null, result: { tauTrain: t.train, tauSelection: t.selection, tauValidation: t.validation, chosenEpoch: m.chosenEpoch, records, seconds: m.seconds, dir } };
}
