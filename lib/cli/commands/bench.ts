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
import { archFor } from '../../zoo/zoo-model';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

type BenchOpts = ExperimentOpts & { batch: string; repeats: string; model?: string; json: boolean; out?: string; torch: boolean };

const TORCH_PYTHON = '/usr/bin/python3';

interface TorchBench { torchForwardMs: number; torchTrainMs: number; params: number; torch: string }

/** The same UNet in PyTorch CPU on one thread (bench/torch_unet.py); null with a printed reason if unavailable. */
function torchReference(arch: unknown, batch: number, repeats: number): TorchBench | { error: string } {
  const r = spawnSync(TORCH_PYTHON, [path.join(repoRoot(), 'bench', 'torch_unet.py')], {
    input: JSON.stringify({ arch, batch, repeats, threads: 1 }),
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return { error: `${TORCH_PYTHON} bench/torch_unet.py failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}` };
  return JSON.parse(line) as TorchBench;
}

export function benchCommand(): Command {
  return withExperimentOptions(new Command('bench'), 'mnist')
    .description('time each zoo model\'s forward pass and training step at batch 128 and record peak memory (writes results/bench.json)')
    .option('--batch <n>', 'batch size', '128')
    .option('--repeats <n>', 'timed repeats after one warm-up', '5')
    .option('--model <id>', 'bench only this model in this process and print JSON (used internally)')
    .option('--json', 'print JSON only', false)
    .option('--out <file>', 'where to write the JSON (default results/bench.json)')
    .option('--no-torch', 'skip the PyTorch CPU reference (Debian python3-torch)')
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
      const models: (ModelBench & Partial<TorchBench> & { forwardRatio?: number; trainRatio?: number })[] = [];
      let torchNote: string | null = null;
      console.log(`bench: experiment ${exp.config.name}, backend ${backendInfo().backend}, batch ${batch}; PyTorch reference: 1 thread`);
      console.log('model      params   forward ms (torch, ratio)   train-step ms (torch, ratio)   micro-batch  peak RSS MB');
      for (const m of exp.config.zoo) {
        const args = [path.join(repoRoot(), 'bin', 'oms-dpm.js'), 'bench', '--experiment', o.experiment, '--profile', o.profile, '--batch', String(batch), '--repeats', o.repeats, '--model', m.id, ...o.set.flatMap((s) => ['--set', s])];
        const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
        const line = r.stdout.trim().split('\n').pop() ?? '';
        if (r.status !== 0 || !line.startsWith('{')) throw new Error(`bench of ${m.id} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
        const b = JSON.parse(line) as ModelBench;
        let row: (typeof models)[number] = b;
        if (o.torch) {
          const t = torchReference(archFor(exp.config, m.id), batch, Number(o.repeats));
          if ('error' in t) torchNote = t.error;
          else {
            if (t.params !== b.params) throw new Error(`PyTorch reference has ${t.params} parameters, the kit's ${m.id} has ${b.params}: architectures differ`);
            row = { ...b, ...t, forwardRatio: b.forwardMs / t.torchForwardMs, trainRatio: b.trainMs / t.torchTrainMs };
          }
        }
        models.push(row);
        const cmp = (ms: number, ref?: number, ratio?: number) => `${ms.toFixed(0).padStart(7)} (${ref === undefined ? '-' : ref.toFixed(0)}, ${ratio === undefined ? '-' : ratio.toFixed(2) + 'x'})`;
        console.log(`${b.id.padEnd(8)} ${String(b.params).padStart(8)} ${cmp(b.forwardMs, row.torchForwardMs, row.forwardRatio).padEnd(27)} ${cmp(b.trainMs, row.torchTrainMs, row.trainRatio).padEnd(30)} ${String(b.microBatch).padStart(11)} ${String(b.peakRssMb).padStart(12)}`);
      }
      if (torchNote) console.log(`PyTorch reference unavailable: ${torchNote}`);
      const out = { backend: backendInfo(), experiment: exp.config.name, configHash: exp.hash, batch, packages: packageVersions(), createdAt: new Date().toISOString(), models };
      const file = o.out ?? path.join(repoRoot(), 'results', 'bench.json');
      writeJsonAtomic(file, out);
      console.log(`wrote ${file}`);
    });
}
