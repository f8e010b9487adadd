/** `oms-dpm train-zoo`: train every zoo member of an experiment (or the ones named). */
import { Command } from 'commander';
import { zooMember } from '../../config/index';
import { initBackend } from '../../tfjs/backend';
import { recommendOrtSplit } from '../../onnx/onnx-runtime';
import { trainMembersInParallel, trainingOrder } from '../../zoo/parallel-training';
import { trainZoo } from '../../zoo/train-zoo';
import { positiveIntOption } from '../option-values';
import { resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { ProgressLine, formatDuration } from '../progress';

type TrainZooOpts = ExperimentOpts & EngineOpts & { model: string[]; resume: boolean; retrainUnreadable: boolean; grid: string; gridSteps: string; jobs: string };

/** What every child of a parallel run is given besides its --model: this command's own options. */
function childArgs(o: TrainZooOpts): string[] {
  return [
    '--experiment', o.experiment, '--profile', o.profile, ...o.set.flatMap((s) => ['--set', s]),
    ...(o.engine ? ['--engine', o.engine] : []),
    ...(o.resume ? ['--resume'] : []),
    ...(o.retrainUnreadable ? ['--retrain-unreadable'] : []),
    '--grid', o.grid, '--grid-steps', o.gridSteps,
  ];
}

export function trainZooCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('train-zoo')))
    .description("train the experiment's model zoo (checkpointed; --resume continues after a kill); each trained model is exported to model.onnx for the ONNX Runtime engine; --engine draws the sample grid")
    .option('--model <id>', 'train only this zoo member (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--resume', 'continue from the checkpoint in runs/ if there is one', false)
    .option(
      '--retrain-unreadable',
      'retrain a model whose weights file is corrupt or unreadable, overwriting it (without it, such a file is an error naming it); valid weights of another config or step count are retrained either way',
      false,
    )
    .option('--grid <count>', 'sample-grid images after training (0 = none)', '64')
    .option('--grid-steps <n>', 'DDIM steps for the sample grid', '50')
    .option('--jobs <n>', 'members trained at once, one process each (TF.js WASM uses one core per process)', '1')
    .action(async (o: TrainZooOpts) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'train-zoo');
      for (const id of o.model) zooMember(exp.config, id); // unknown id -> clear error before any work
      const jobs = positiveIntOption('jobs', o.jobs);
      const ids = o.model.length ? o.model : exp.config.zoo.map((m) => m.id);
      if (jobs > 1 && ids.length > 1) {
        console.log(`experiment ${exp.config.name} (profile ${exp.profile}, config ${exp.hash}): ${ids.length} members, ${jobs} at a time, in the order ${trainingOrder(exp, ids).join(', ')}`);
        await trainMembersInParallel(exp, ids, {
          jobs,
          childArgs: childArgs(o),
          onStart: (id) => console.log(`[${id}] started`),
          onLine: (id, line, stream) => (stream === 'stdout' ? console.log(`[${id}] ${line}`) : console.error(`[${id}] ${line}`)),
          onExit: (id, code) => console.log(`[${id}] ${code === 0 ? 'finished' : `failed (exit ${code})`}`),
        });
        return;
      }
      const info = await initBackend();
      console.log(`experiment ${exp.config.name} (profile ${exp.profile}, config ${exp.hash}) on ${info.backend}`);
      const gridEngine = Number(o.grid) > 0 ? (await resolveEngine(o)).engine : 'tfjs';
      let bar = new ProgressLine();
      const summaries = await trainZoo(exp, {
        models: o.model.length ? o.model : undefined,
        resume: o.resume,
        retrainUnreadable: o.retrainUnreadable,
        onUnreadable: (id, _file, why) => console.log(`${id}: retraining over an unreadable weights file (--retrain-unreadable): ${why}`),
        grid: { count: Number(o.grid), steps: Number(o.gridSteps), engine: gridEngine, threads: recommendOrtSplit({ jobs: 1 }).intraOpThreads },
        onExport: (id, file, reason) => console.log(`${id}: exported ${file} (${reason})`),
        onModelStart: (id, iters) => {
          console.log(`training ${id} for ${iters} steps`);
          bar = new ProgressLine();
        },
        onProgress: (id, p) =>
          bar.update(p.step, p.iterations, `${id} loss ${p.loss.toFixed(4)} ${p.stepsPerSecond.toFixed(2)} step/s ETA ${formatDuration(p.etaSeconds)}`),
      });
      for (const s of summaries) {
        console.log(`${s.modelId}: ${s.params} params, ${s.steps} steps, ${s.secondsPerStep.toFixed(2)} s/step, final mse ${s.finalLoss?.toFixed(4) ?? '-'}${s.skipped ? ' (already trained, skipped)' : ''}`);
      }
    });
}
