/** `oms-dpm profile-latency`: each zoo model's forward time at the sampling batch size on the sampling engine, saved per engine. */
import { Command } from 'commander';
import { makeProvenance } from '../../pipeline/provenance';
import { writeJsonAtomic } from '../../util/atomic-file';
import { KitError } from '../../util/errors';
import { profileLatency } from '../../zoo/latency';
import { disposeSamplingModels, engineRecord, loadSamplingModels, type EngineChoice } from '../../zoo/sampling-engine';
import { latencyFile } from '../../zoo/workspace';
import type { ResolvedExperiment } from '../../config/index';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { ProgressLine } from '../progress';

/** ONNX Runtime threads a latency table is measured with by default: one, as each collection worker samples. */
export const LATENCY_ORT_THREADS = 1;

/**
 * Measures every zoo model on the chosen engine and writes results/<exp>/latency-<engine tag>.json
 * (the table, the engine choice and its reason, the ORT threads, provenance). Shared with `reproduce`.
 */
export async function writeLatencyTable(
  exp: ResolvedExperiment,
  choice: EngineChoice,
  opts: { rounds: number; warmup: number; threads: number; onProgress?: (done: number, total: number) => void },
): Promise<{ file: string; table: Awaited<ReturnType<typeof profileLatency>> }> {
  const models = await loadSamplingModels(exp, choice.engine, { threads: opts.threads, onExport: printExport });
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

export function profileLatencyCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('profile-latency')), `ONNX Runtime intra-op threads per session (default ${LATENCY_ORT_THREADS}: as each collection worker samples)`)
    .description("measure each trained zoo model's forward time (ms per batch of sampling.batchSize) on the sampling engine: warm-up, interleaved rounds, median and spread; one table per engine")
    .option('--rounds <n>', 'timed rounds (each times every model once)', '15')
    .option('--warmup <n>', 'untimed rounds first', '2')
    .action(async (o: ExperimentOpts & EngineOpts & { rounds: string; warmup: string }) => {
      const exp = resolveExperiment(o);
      const rounds = Number(o.rounds);
      if (!Number.isInteger(rounds) || rounds < 3) throw new KitError(`--rounds must be an integer >= 3, got '${o.rounds}'`);
      const threads = threadsOption(o, LATENCY_ORT_THREADS);
      const choice = await resolveEngine(o);
      const bar = new ProgressLine(10);
      const { file, table } = await writeLatencyTable(exp, choice, { rounds, warmup: Number(o.warmup), threads, onProgress: (d, t) => bar.update(d, t, 'rounds') });
      console.log(`model      median ms   min     max     IQR   (batch ${table.batchSize}, ${choice.tag}${choice.engine === 'onnx' ? `, ${threads} thread(s)` : ''})`);
      for (const [id, l] of Object.entries(table.models)) {
        console.log(`${id.padEnd(8)} ${l.medianMs.toFixed(1).padStart(9)} ${l.minMs.toFixed(1).padStart(7)} ${l.maxMs.toFixed(1).padStart(7)} ${l.iqrMs.toFixed(1).padStart(6)}`);
      }
      console.log(`wrote ${file}`);
    });
}
