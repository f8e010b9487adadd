/**
 * The `oms-dpm` command line. Only this layer reads arguments and prints; it resolves the
 * experiment, calls lib/, and turns a KitError into a message, a fix and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { isKitError } from '../util/errors';
import { benchCommand } from './commands/bench';
import { collectCommand, collectSummaryCommand } from './commands/collect';
import { configCommand } from './commands/config';
import { costModelCommand } from './commands/cost-model';
import { doctorCommand } from './commands/doctor';
import { exportOnnxCommand } from './commands/export-onnx';
import { fidCommand, fidReferenceCommand } from './commands/fid';
import { figuresCommand } from './commands/figures';
import { frontCommand } from './commands/front';
import { collectionStudyCommand } from './commands/collection-study';
import { observeCommand } from './commands/observe';
import { profileLatencyCommand } from './commands/profile-latency';
import { reproduceCommand } from './commands/reproduce';
import { sampleCommand } from './commands/sample';
import { searchCommand } from './commands/search';
import { scheduleCommand } from './commands/schedule';
import { trainPredictorCommand } from './commands/train-predictor';
import { trainZooCommand } from './commands/train-zoo';
import { validationLossCommand } from './commands/validation-loss';
import { sampleQualityCommand } from './commands/sample-quality';
import { scoutMemberCommand } from './commands/scout-member';
import { learningCurveCommand } from './commands/learning-curve';
import { workerCommand } from './commands/worker';

export function buildProgram(): Command {
  const program = new Command('oms-dpm')
    .description('OMS-DPM experiment kit: model zoos, model schedules, predictor, search, figures')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const cmd of [doctorCommand(), trainZooCommand(), exportOnnxCommand(), sampleCommand(), benchCommand(), reproduceCommand(), configCommand(), scheduleCommand(), fidReferenceCommand(), fidCommand(), profileLatencyCommand(), validationLossCommand(), sampleQualityCommand(), scoutMemberCommand(), learningCurveCommand(), observeCommand(), collectCommand(), collectSummaryCommand(), costModelCommand(), figuresCommand(), trainPredictorCommand(), searchCommand(), frontCommand(), collectionStudyCommand(), workerCommand()]) {
    cmd.exitOverride();
    program.addCommand(cmd);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isKitError(e)) {
      console.error(`error: ${e.describe()}`);
      return e.exitCode;
    }
    throw e;
  }
}
