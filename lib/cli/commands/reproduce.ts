/**
 * `oms-dpm reproduce` (`npm run reproduce`): the experiment's stages recomputed in a run folder of
 * their own from the committed zoo, then committed against reproduced, side by side (a report
 * page too); `--in-place` refreshes the committed results instead. Up-to-date stages are skipped,
 * interrupted ones resume (lib/pipeline/reproduce.ts).
 */
import { Command } from 'commander';
import { pipelineStages } from '../../pipeline/stages';
import { enterReproduction, experimentLoader, reproduce } from '../../pipeline/reproduce';
import { RunEta } from '../../pipeline/run-eta';
import { resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, type ExperimentOpts } from '../experiment-options';
import { ProgressLine, formatDuration } from '../progress';
import { resolveQueueUrl, shownQueueUrl } from '../../evaluation/scoring-backend';

type ReproduceOpts = ExperimentOpts & EngineOpts & { from?: string; force: boolean; queue?: string; inPlace: boolean; out?: string };

export function reproduceCommand(): Command {
  const names = pipelineStages().map((s) => s.name);
  return withEngineOption(withExperimentOptions(new Command('reproduce'), 'mnist'))
    .description(`recompute the pipeline (${names.join(' -> ')}) of an experiment in its own run folder, from the committed zoo, and compare with the committed results; up-to-date stages are skipped, interrupted ones resume`)
    .option('--from <stage>', `re-run this stage and every later one (${names.join(', ')}); --from zoo retrains the zoo too`)
    .option('--force', 're-run every stage (with --from: from there on)', false)
    .option('--in-place', 'refresh the committed results folder (results/<experiment>) itself, and compare its figures with git HEAD', false)
    .option('--out <dir>', 'the run folder (default runs/reproduce/<experiment>)')
    .option('--queue <url>', 'send the collection and front scoring jobs to this queue (redis://HOST:PORT or unix:///path/redis.sock), scored by `oms-dpm worker` processes on any machine; local = the local pool (default: OMS_DPM_QUEUE, else collection.queue, else the local pool)')
    .action(async (o: ReproduceOpts) => {
      const entered = enterReproduction(experimentLoader(o.experiment, o.profile, o.set), { inPlace: o.inPlace, out: o.out, from: o.from, note: (l) => console.log(`reproduce: ${l}`) });
      const { exp } = entered;
      const queue = resolveQueueUrl(o.queue, exp);
      const choice = await resolveEngine(o);
      console.log(`reproduce: experiment ${exp.config.name}, profile ${exp.profile}, config ${exp.hash}, TF.js ${choice.backend}, sampling engine ${choice.tag}${queue ? `; collection and front FIDs through the queue at ${shownQueueUrl(queue)}` : ''}`);
      const eta = new RunEta(names, entered.previousSeconds);
      let bar = new ProgressLine();
      const progress = (what: string, done: number, total: number) => {
        eta.stageProgress(done, total);
        const { index, count } = eta.position();
        const r = eta.reading();
        const run = Number.isFinite(r.seconds) ? `run ETA ${formatDuration(r.seconds)}${r.unestimated ? ` + ${r.unestimated} stage(s) not estimated` : ''}` : 'run ETA ?';
        bar.update(done, total, `${what} | stage ${index}/${count} | ${run}`);
      };
      const result = await reproduce(
        { exp, engine: choice, log: (l) => console.log(l), progress, queue },
        entered.folders,
        {
          inPlace: o.inPlace,
          from: o.from,
          force: o.force,
          command: `oms-dpm reproduce --experiment ${exp.config.name} --profile ${exp.profile}${o.inPlace ? ' --in-place' : ''}`,
          note: (l) => console.log(`reproduce: ${l}`),
          onTakeover: (t) => console.error(`note: ${t}`),
          onStage: (name, status, seconds) => {
            if (status === 'running') {
              const r = eta.reading();
              console.log(`stage ${name}: running (stage ${eta.position().index}/${names.length}; run ETA ${formatDuration(r.seconds)}${r.unestimated ? ` + ${r.unestimated} stage(s) not estimated` : ''}, from the committed run's stage times)`);
              bar = new ProgressLine();
            } else console.log(`stage ${name}: ${status}${seconds !== undefined ? ` (${formatDuration(seconds)})` : ''}`);
          },
        },
        eta,
      );
      entered.restore();
      const ran = result.report.stages.filter((s) => s.status === 'ran').length;
      console.log(`reproduce: ${ran} stage(s) ran, ${result.report.stages.length - ran} up to date, in ${formatDuration(result.report.seconds)}; results in ${result.dir}`);
      console.log(entered.folders ? 'committed against reproduced:' : 'figure data against the committed results (git HEAD):');
      for (const line of result.comparison) console.log(`  ${line}`);
      if (result.page) console.log(`reproduce: the comparison page: ${result.page}`);
    });
}
