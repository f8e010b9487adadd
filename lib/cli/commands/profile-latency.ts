/** `oms-dpm profile-latency`: each zoo model's forward time at the sampling batch size on the sampling engine, saved per engine. */
import { Command } from 'commander';
import { KitError } from '../../util/errors';
import { LATENCY_ORT_THREADS, writeLatencyTable } from '../../zoo/latency-table';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { ProgressLine } from '../progress';

export function profileLatencyCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('profile-latency')), `ONNX Runtime intra-op threads per session (default ${LATENCY_ORT_THREADS}: as each collection worker samples)`)
    .description("measure each trained zoo model's forward time (ms per batch of sampling.batchSize) on the sampling engine: warm-up, interleaved rounds, median and spread; one table per engine")
    .option('--rounds <n>', 'timed rounds (each times every model once)', '15')
    .option('--warmup <n>', 'untimed rounds first', '2')
    .action(async (o: ExperimentOpts & EngineOpts & { rounds: string; warmup: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'profile-latency');
      const rounds = Number(o.rounds);
      if (!Number.isInteger(rounds) || rounds < 3) throw new KitError(`--rounds must be an integer >= 3, got '${o.rounds}'`);
      const threads = threadsOption(o, LATENCY_ORT_THREADS);
      const choice = await resolveEngine(o);
      const bar = new ProgressLine(10);
      const { file, table } = await writeLatencyTable(exp, choice, { onExport: printExport, rounds, warmup: Number(o.warmup), threads, onProgress: (d, t) => bar.update(d, t, 'rounds') });
      console.log(`model      median ms   min     max     IQR   (batch ${table.batchSize}, ${choice.tag}${choice.engine === 'onnx' ? `, ${threads} thread(s)` : ''})`);
      for (const [id, l] of Object.entries(table.models)) {
        console.log(`${id.padEnd(8)} ${l.medianMs.toFixed(1).padStart(9)} ${l.minMs.toFixed(1).padStart(7)} ${l.maxMs.toFixed(1).padStart(7)} ${l.iqrMs.toFixed(1).padStart(6)}`);
      }
      console.log(`wrote ${file}`);
    });
}
