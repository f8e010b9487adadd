/** The options of commands that generate images: --engine (and --threads for ONNX Runtime), and the printing of the choice. */
import { Command } from 'commander';
import { initBackend } from '../tfjs/backend';
import { positiveIntOption } from './option-values';
import { chooseSamplingEngine, describeEngine, type EngineChoice, type OnnxExportEvent } from '../zoo/sampling-engine';

export interface EngineOpts { engine?: string; threads?: string }

export function withEngineOption(cmd: Command, threadsHelp?: string): Command {
  cmd.option('--engine <name>', 'sampling engine: onnx | tfjs | auto (default: OMS_DPM_ENGINE, else auto = ONNX Runtime on CPU, TF.js when it has CUDA)');
  if (threadsHelp) cmd.option('--threads <n>', threadsHelp);
  return cmd;
}

/** Initialises TF.js, chooses the engine and prints the choice (a fallback also on stderr). */
export async function resolveEngine(o: EngineOpts): Promise<EngineChoice> {
  const backend = await initBackend();
  const choice = await chooseSamplingEngine({ requested: o.engine, backend });
  console.log(describeEngine(choice));
  if (choice.fallback) console.warn(`warning: sampling with ${choice.tag} instead of ONNX Runtime: ${choice.reason}`);
  return choice;
}

/** --threads as a positive integer, or `fallback`. */
export function threadsOption(o: EngineOpts, fallback: number): number {
  if (o.threads === undefined) return fallback;
  return positiveIntOption('threads', o.threads);
}

/** Prints an automatic model.onnx (re-)export. */
export function printExport(e: OnnxExportEvent): void {
  console.log(`exported ${e.file} for model ${e.modelId} (${e.reason})`);
}
