/**
 * The first observation for a whole experiment: loads the FID reference and the zoo on the chosen
 * sampling engine, runs the config's observation plan (observation-run.ts) into
 * results/<experiment>/observation-first.json and releases everything. `oms-dpm observe` and the
 * pipeline's observation stage both call this.
 */
import type { ResolvedExperiment } from '../config/index';
import { ensureFidReference } from '../metrics/fid-reference';
import { makeProvenance } from '../config/provenance';
import { disposeSamplingModels, engineRecord, loadSamplingModels, type EngineChoice, type OnnxExportEvent, type SamplingModel } from '../zoo/sampling-engine';
import { observationFile, runObservation, type ObservationData, type ObservationPlan, type ObservationPoint } from './observation-run';

export interface ExperimentObservationOptions {
  /** ONNX Runtime intra-op threads */
  threads: number;
  onExport?: (e: OnnxExportEvent) => void;
  onPoint?: (done: number, total: number, p: ObservationPoint) => void;
}

export async function observeExperiment(exp: ResolvedExperiment, choice: EngineChoice, plan: ObservationPlan, o: ExperimentObservationOptions): Promise<{ file: string; data: ObservationData }> {
  const ref = await ensureFidReference(exp);
  let models: SamplingModel[] = [];
  try {
    models = await loadSamplingModels(exp, choice.engine, { threads: o.threads, onExport: o.onExport });
    const ctx = { exp, models: models.map((m) => m.denoiser), engine: choice.tag, extractor: ref.extractor, reference: ref.stats };
    const file = observationFile(exp);
    const data = await runObservation(ctx, file, plan, ref.description, { ...makeProvenance(exp), engine: engineRecord(choice) }, o.onPoint);
    return { file, data };
  } finally {
    await disposeSamplingModels(models);
    ref.extractor.dispose();
  }
}
