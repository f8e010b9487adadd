/** `oms-dpm config show|keys|list`: the resolved config of an experiment, and every key the schema knows. */
import { Command } from 'commander';
import { ExperimentSchema, describeSchema, experimentToYaml, listExperiments } from '../../config/index';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

export function configCommand(): Command {
  const cmd = new Command('config').description('inspect experiment configs');
  cmd.addCommand(
    withExperimentOptions(new Command('show'))
      .description('print the resolved config (profile and --set applied) and its hash')
      .action((o: ExperimentOpts) => {
        const exp = resolveExperiment(o);
        process.stdout.write(`# experiment ${exp.config.name}, profile ${exp.profile}, hash ${exp.hash}\n`);
        for (const ov of exp.overrides) process.stdout.write(`# override ${ov}\n`);
        process.stdout.write(experimentToYaml(exp.config));
      }),
  );
  cmd.addCommand(new Command('keys').description('list every config key with its type, default and meaning').action(() => {
    process.stdout.write(describeSchema(ExperimentSchema) + '\n');
  }));
  cmd.addCommand(new Command('list').description('list the experiments in experiments/').action(() => {
    for (const name of listExperiments()) console.log(name);
  }));
  return cmd;
}
