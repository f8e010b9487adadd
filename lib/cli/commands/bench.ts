/**
 * `oms-dpm bench`: per zoo model, forward and training-step time at batch 128 and peak memory on
 * the active backend. Each model runs in its own child process so its peak RSS is its own.
 * Writes results/bench.json.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '../../config/index';
import { backendInfo, initBackend, packageVersions } from '../../engine/backend';
import { writeJsonAtomic } from '../../util/atomic-file';
import { KitError } from '../../util/errors';
import { benchModel, type ModelBench } from '../../zoo/model-bench';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

type BenchOpts = ExperimentOpts & { batch: string; repeats: string; model?: string; json: boolean; out?: string };

export function benchCommand(): Command {
  return withExperimentOptions(new Command('bench'), 'mnist')
    .description('time each zoo model\'s forward pass and training step at batch 128 and record peak memory (writes results/bench.json)')
    .option('--batch <n>', 'batch size', '128')
    .option('--repeats <n>', 'timed repeats after one warm-up', '5')
    .option('--model <id>', 'bench only this model in this process and print JSON (used internally)')
    .option('--json', 'print JSON only', false)
    .option('--out <file>', 'where to write the JSON (default results/bench.json)')
    .action(async (o: BenchOpts) => {
      const exp = resolveExperiment(o);
      const batch = Number(o.batch);
      if (!Number.isInteger(batch) || batch < 1) throw new KitError(`--batch must be a positive integer, got '${o.batch}'`);
      await initBackend();
      if (o.model) {
        const r = await benchModel(exp, o.model, batch, Number(o.repeats));
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      const models: ModelBench[] = [];
      console.log(`bench: experiment ${exp.config.name}, backend ${backendInfo().backend}, batch ${batch}`);
      console.log('model      params    forward ms   train-step ms  (micro-batch)  peak RSS MB');
      for (const m of exp.config.zoo) {
        const args = [path.join(repoRoot(), 'bin', 'oms-dpm.js'), 'bench', '--experiment', o.experiment, '--profile', o.profile, '--batch', String(batch), '--repeats', o.repeats, '--model', m.id, ...o.set.flatMap((s) => ['--set', s])];
        const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
        const line = r.stdout.trim().split('\n').pop() ?? '';
        if (r.status !== 0 || !line.startsWith('{')) throw new Error(`bench of ${m.id} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
        const b = JSON.parse(line) as ModelBench;
        models.push(b);
        console.log(`${b.id.padEnd(8)} ${String(b.params).padStart(8)} ${b.forwardMs.toFixed(0).padStart(12)} ${b.trainMs.toFixed(0).padStart(15)}  (${b.microBatch})${String(b.peakRssMb).padStart(16)}`);
      }
      const out = { backend: backendInfo(), experiment: exp.config.name, configHash: exp.hash, batch, packages: packageVersions(), createdAt: new Date().toISOString(), models };
      const file = o.out ?? path.join(repoRoot(), 'results', 'bench.json');
      writeJsonAtomic(file, out);
      console.log(`wrote ${file}`);
    });
}
