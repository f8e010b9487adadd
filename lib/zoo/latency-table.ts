/**
 * The latency table of an experiment on one sampling engine: every zoo model measured
 * (latency.ts) and written to results/<exp>/latency-<engine tag>.json with the engine choice,
 * its reason, the ORT threads and provenance. Used by `profile-latency` and the pipeline.
 */
import type { ResolvedExperiment } from '../config/index';
import { makeProvenance } from '../config/provenance';
import { writeJsonAtomic } from '../util/atomic-file';
import { profileLatency } from './latency';
import { disposeSamplingModels, engineRecord, loadSamplingModels, type EngineChoice, type OnnxExportEvent } from './sampling-engine';
import { latencyFile } from './workspace';

/** ONNX Runtime threads a latency table is measured with by default: one, as each collection worker samples. */
export const LATENCY_ORT_THREADS = 1;

/**
 * Measures every zoo model on the chosen engine and writes results/<exp>/latency-<engine tag>.json
 * (the table, the engine choice and its reason, the ORT threads, provenance). Shared with `reproduce`.
 */
export async function writeLatencyTable(
  exp: ResolvedExperiment,
  choice: EngineChoice,
  opts: { rounds: number; warmup: number; threads: number; onProgress?: (done: number, total: number) => void; onExport?: (e: OnnxExportEvent) => void },
): Promise<{ file: string; table: Awaited<ReturnType<typeof profileLatency>> }> {
  const models = await loadSamplingModels(exp, choice.engine, { threads: opts.threads, onExport: opts.onExport });
  try {
    const table = await profileLatency(exp, models, { engine: choice.tag, rounds: opts.rounds, warmup: opts.warmup, onProgress: opts.onProgress });
    const file = latencyFile(exp, choice.tag);
    writeJsonAtomic(file, {
      ...table,
      engineChoice: engineRecord(choice),
      intraOpThreads: choice.engine === 'onnx' ? opts.threads : null,
      unit: 'ms per forward pass of one batch',
      provenance: makeProvenance(exp),
    });
    return { file, table };
  } finally {
    await disposeSamplingModels(models);
  }
}

