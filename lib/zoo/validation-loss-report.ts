/**
 * The zoo's held-out denoising loss (validation-loss.ts) for an experiment: every member's EMA
 * weights on the sampling engine, the stored validation split, written to
 * results/<exp>/validation-loss.json with the engine, the data split's name and provenance.
 * Used by `oms-dpm validation-loss` and the pipeline.
 */
import type { ResolvedExperiment } from '../config/index';
import { scheduleFromConfig } from '../diffusion/noise-schedule';
import { makeProvenance } from '../config/provenance';
import { writeJsonAtomic } from '../util/atomic-file';
import { disposeSamplingModels, engineRecord, loadSamplingModels, type EngineChoice, type OnnxExportEvent } from './sampling-engine';
import { validationData } from './train-zoo';
import { validationLoss, type ValidationLoss } from './validation-loss';
import { validationLossFile } from './workspace';

export interface ValidationLossReport extends ValidationLoss {
  experiment: string;
  engine: string;
  configHash: string;
}

export async function writeValidationLoss(
  exp: ResolvedExperiment,
  choice: EngineChoice,
  opts: { images?: number; timesteps?: number; threads: number; onProgress?: (done: number, total: number) => void; onExport?: (e: OnnxExportEvent) => void },
): Promise<{ file: string; report: ValidationLossReport }> {
  const data = validationData(exp);
  const models = await loadSamplingModels(exp, choice.engine, { threads: opts.threads, onExport: opts.onExport });
  try {
    const loss = await validationLoss(models, data, scheduleFromConfig(exp.config.diffusion), {
      images: opts.images ?? exp.config.validationLoss.images,
      timesteps: opts.timesteps,
      batchSize: exp.config.sampling.batchSize,
      onProgress: opts.onProgress,
    });
    const report: ValidationLossReport = { experiment: exp.config.name, engine: choice.tag, configHash: exp.hash, ...loss };
    const file = validationLossFile(exp);
    writeJsonAtomic(file, {
      ...report,
      data: data.name,
      weights: 'EMA',
      unit: 'mean squared error per pixel of the predicted noise (as the training log\'s mse)',
      engineChoice: engineRecord(choice),
      provenance: makeProvenance(exp),
    });
    return { file, report };
  } finally {
    await disposeSamplingModels(models);
  }
}
