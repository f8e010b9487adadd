/** The options every experiment command shares: --experiment, --profile, --set. */
import { Command, Option } from 'commander';
import { loadExperiment, type ResolvedExperiment } from '../config/index';
import { acquireRunLock, takeoverText, type RunLock } from '../util/run-lock';
import { resultsDir } from '../zoo/workspace';

export interface ExperimentOpts { experiment: string; profile: string; set: string[] }

export function withExperimentOptions(cmd: Command, defaultExperiment?: string): Command {
  const exp = new Option('--experiment <name>', 'experiment name (experiments/<name>.yaml) or path to a YAML file');
  if (defaultExperiment) exp.default(defaultExperiment);
  else exp.makeOptionMandatory();
  return cmd
    .addOption(exp)
    .option('--profile <name>', 'profile from the experiment file: smoke | default | paper | ...', 'default')
    .option('--set <key=value>', 'override a config key (repeatable), e.g. --set training.iterations=500', (v: string, acc: string[]) => [...acc, v], [] as string[]);
}

export function resolveExperiment(o: ExperimentOpts): ResolvedExperiment {
  return loadExperiment(o.experiment, { profile: o.profile, set: o.set });
}

/**
 * Takes the experiment's results folder for this run (lib/util/run-lock.ts): a second run on the
 * same folder stops at once naming this one; a lock left by a dead run is taken over with a note.
 * Released when the process exits.
 */
export function lockResults(exp: ResolvedExperiment, command: string): RunLock {
  return acquireRunLock(resultsDir(exp), `oms-dpm ${command} --experiment ${exp.config.name} --profile ${exp.profile}`, (h) => console.error(`note: ${takeoverText(h, resultsDir(exp))}`));
}
