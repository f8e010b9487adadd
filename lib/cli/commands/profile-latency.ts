/** `oms-dpm profile-latency`: each zoo model's forward time at the sampling batch size, saved per engine. */
import { Command } from 'commander';
import { initBackend } from '../../engine/backend';
import { makeProvenance } from '../../pipeline/provenance';
import { writeJsonAtomic } from '../../util/atomic-file';
import { KitError } from '../../util/errors';
import { profileLatency } from '../../zoo/latency';
import { engineTag, latencyFile } from '../../zoo/workspace';
import { loadZooModel, type LoadedZooModel } from '../../zoo/zoo-model';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { ProgressLine } from '../progress';

export function profileLatencyCommand(): Command {
  return withExperimentOptions(new Command('profile-latency'))
    .description("measure each trained zoo model's forward time (ms per batch of sampling.batchSize) on the active engine: warm-up, interleaved rounds, median and spread")
    .option('--rounds <n>', 'timed rounds (each times every model once)', '15')
    .option('--warmup <n>', 'untimed rounds first', '2')
    .action(async (o: ExperimentOpts & { rounds: string; warmup: string }) => {
      const exp = resolveExperiment(o);
      const rounds = Number(o.rounds);
      if (!Number.isInteger(rounds) || rounds < 3) throw new KitError(`--rounds must be an integer >= 3, got '${o.rounds}'`);
      const info = await initBackend();
      const models: LoadedZooModel[] = exp.config.zoo.map((m) => loadZooModel(exp, m.id));
      try {
        const bar = new ProgressLine(10);
        const table = await profileLatency(exp, models, { rounds, warmup: Number(o.warmup), onProgress: (d, t) => bar.update(d, t, 'rounds') });
        const engine = engineTag(info.backend);
        const file = latencyFile(exp, engine);
        writeJsonAtomic(file, { ...table, engine, unit: 'ms per forward pass of one batch', provenance: makeProvenance(exp) });
        console.log(`model      median ms   min     max     IQR   (batch ${table.batchSize}, ${engine})`);
        for (const [id, l] of Object.entries(table.models)) {
          console.log(`${id.padEnd(8)} ${l.medianMs.toFixed(1).padStart(9)} ${l.minMs.toFixed(1).padStart(7)} ${l.maxMs.toFixed(1).padStart(7)} ${l.iqrMs.toFixed(1).padStart(6)}`);
        }
        console.log(`wrote ${file}`);
      } finally {
        for (const m of models) m.dispose();
      }
    });
}
