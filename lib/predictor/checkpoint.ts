/**
 * Predictor checkpoints in the kit's tensor-file format (lib/diffusion/tensor-file.ts): the
 * weights as named arrays (float32, or float16 when storage.weights says so), and in the JSON
 * header the full configuration plus whatever the writer records (metrics, epoch, training
 * options), so a file alone rebuilds the predictor.
 */
import { readTensorFile, writeTensorFile, type TensorDtype } from '../diffusion/tensor-file';
import { KitError } from '../util/errors';
import { PredictorConfig } from './config';
import { SchedulePredictor } from './predictor';

export const PREDICTOR_FILE_KIND = 'oms-dpm-predictor';
export const PREDICTOR_FILE_VERSION = 1;

export interface PredictorFileMeta {
  kind: typeof PREDICTOR_FILE_KIND;
  version: number;
  config: PredictorConfig;
  /** Free-form record of the writer: epoch, metrics, training options, history. */
  info: Record<string, unknown>;
}

/**
 * Writes the predictor's current weights and config (atomically), stored as `dtype` (default
 * float32). With float16 the file holds rounded weights: what is computed from it must load it
 * (`loadPredictor`), not go on with `predictor`.
 */
export function savePredictor(file: string, predictor: SchedulePredictor, info: Record<string, unknown> = {}, dtype: TensorDtype = 'float32'): void {
  const meta: PredictorFileMeta = { kind: PREDICTOR_FILE_KIND, version: PREDICTOR_FILE_VERSION, config: predictor.config, info };
  writeTensorFile(file, meta, predictor.weights(), { dtype });
}

/** Reads a predictor file written by `savePredictor`; returns the predictor and the writer's info. */
export function loadPredictor(file: string): { predictor: SchedulePredictor; info: Record<string, unknown> } {
  const { meta, arrays } = readTensorFile<PredictorFileMeta>(file, 'predictor checkpoint');
  if (!meta || meta.kind !== PREDICTOR_FILE_KIND) {
    throw new KitError(`${file} is not a predictor checkpoint (kind ${JSON.stringify((meta as { kind?: unknown } | null)?.kind)})`, {
      hint: 'pass a file written by savePredictor (the predictor training writes its best-validation checkpoint with it)',
    });
  }
  if (meta.version !== PREDICTOR_FILE_VERSION) {
    throw new KitError(`${file}: predictor checkpoint version ${meta.version} is not supported (this kit reads version ${PREDICTOR_FILE_VERSION})`, {
      hint: 'retrain the predictor with this version of the kit',
    });
  }
  return { predictor: SchedulePredictor.fromWeights(meta.config, arrays, file), info: meta.info ?? {} };
}
