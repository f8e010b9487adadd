/**
 * `oms-dpm reproduce` (`npm run reproduce`): the experiment's stages in order, each skipped when
 * its manifest shows it is up to date for the same inputs, resumed where it stopped when it was
 * interrupted.
 * At the end, the new figure data is compared with the committed versions.
 */
import { Command } from 'commander';
import { compareWithCommitted } from '../../pipeline/compare-committed';
import { runPipeline } from '../../pipeline/run-pipeline';
import { pipelineStages } from '../../pipeline/stages';
import { resultsDir } from '../../zoo/workspace';
import { resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { ProgressLine, formatDuration } from '../progress';
import { resolveQueueUrl, shownQueueUrl } from '../../evaluation/scoring-backend';

export function reproduceCommand(): Command {
  const names = pipelineStages().map((s) => s.name);
  return withEngineOption(withExperimentOptions(new Command('reproduce'), 'mnist'))
    .description(`run the pipeline (${names.join(' -> ')}) for an experiment; up-to-date stages are skipped, interrupted ones resume`)
    .option('--from <stage>', `re-run this stage and every later one (${names.join(', ')})`)
    .option('--force', 're-run every stage (with --from: from there on)', false)
    .option('--queue <url>', 'send the collection and front scoring jobs to this queue (redis://HOST:PORT or unix:///path/redis.sock), scored by `oms-dpm worker` processes on any machine; local = the local pool (default: OMS_DPM_QUEUE, else collection.queue, else the local pool)')
    .action(async (o: ExperimentOpts & EngineOpts & { from?: string; force: boolean; queue?: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'reproduce');
      const queue = resolveQueueUrl(o.queue, exp);
      const choice = await resolveEngine(o);
      console.log(`reproduce: experiment ${exp.config.name}, profile ${exp.profile}, config ${exp.hash}, TF.js ${choice.backend}, sampling engine ${choice.tag}${queue ? `; collection and front FIDs through the queue at ${shownQueueUrl(queue)}` : ''}`);
      let bar = new ProgressLine();
      const report = await runPipeline(
        {
          exp,
          engine: choice,
          log: (l) => console.log(l),
          progress: (what, done, total) => bar.update(done, total, what),
          queue,
        },
        pipelineStages(),
        {
          from: o.from,
          force: o.force,
          onStage: (name, status, seconds) => {
            if (status === 'running') {
              console.log(`stage ${name}: running`);
              bar = new ProgressLine();
            } else console.log(`stage ${name}: ${status}${seconds !== undefined ? ` (${formatDuration(seconds)})` : ''}`);
          },
        },
      );
      console.log(`reproduce: ${report.stages.filter((s) => s.status === 'ran').length} stage(s) ran, ${report.stages.filter((s) => s.status !== 'ran').length} up to date, in ${formatDuration(report.seconds)}`);
      console.log('figure data against the committed results:');
      for (const line of compareWithCommitted(resultsDir(exp))) console.log(`  ${line}`);
    });
}
