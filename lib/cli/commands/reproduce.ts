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

export function reproduceCommand(): Command {
  const names = pipelineStages().map((s) => s.name);
  return withEngineOption(withExperimentOptions(new Command('reproduce'), 'mnist'))
    .description(`run the pipeline (${names.join(' -> ')}) for an experiment; up-to-date stages are skipped, interrupted ones resume`)
    .option('--from <stage>', `re-run this stage and every later one (${names.join(', ')})`)
    .option('--force', 're-run every stage (with --from: from there on)', false)
    .action(async (o: ExperimentOpts & EngineOpts & { from?: string; force: boolean }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'reproduce');
      const choice = await resolveEngine(o);
      console.log(`reproduce: experiment ${exp.config.name}, profile ${exp.profile}, config ${exp.hash}, TF.js ${choice.backend}, sampling engine ${choice.tag}`);
      let bar = new ProgressLine();
      const report = await runPipeline(
        {
          exp,
          engine: choice,
          log: (l) => console.log(l),
          progress: (what, done, total) => bar.update(done, total, what),
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
