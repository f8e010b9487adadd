/**
 * What every section of `npm run bench` shares (lib/bench/run-bench.ts): the experiment, the TF.js
 * backend, the batch and repeats, this machine's cores, the progress log, the notes (everything
 * skipped, unavailable or assumed: printed when it happens and kept in bench.json), and the command
 * line of a child `oms-dpm bench` on the same experiment. Parts of the bench run in such children
 * so that each one's peak RSS and heap are its own.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot, type ResolvedExperiment } from '../config/index';
import type { BackendInfo } from '../tfjs/backend';

export interface BenchContext {
  exp: ResolvedExperiment;
  /** the TF.js backend this process runs on (the children choose the same) */
  info: BackendInfo;
  batch: number;
  repeats: number;
  /** os.availableParallelism() */
  cores: number;
  /** one line of progress (stdout, or stderr under --json) */
  log: (line: string) => void;
  /** a note: logged as `note: ...` and kept in the report's notes */
  note: (line: string) => void;
  /** node arguments of a child `oms-dpm bench` on the same experiment, before its mode flags */
  command: readonly string[];
}

/** The node arguments of a child `oms-dpm bench` given the arguments that select the experiment (--experiment, --profile, --set). */
export function benchCommandLine(experimentArgs: readonly string[]): string[] {
  return [path.join(repoRoot(), 'bin', 'oms-dpm.js'), 'bench', ...experimentArgs];
}

/**
 * Runs one part of the bench in a child `oms-dpm bench` process (so its peak RSS and heap are its
 * own) and returns the JSON it prints last. `nodeFlags` go to node itself (e.g. --expose-gc).
 */
export function benchChild<T>(ctx: Pick<BenchContext, 'command'>, args: string[], what: string, nodeFlags: string[] = []): T {
  const r = spawnSync(process.execPath, [...nodeFlags, ...ctx.command, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as T;
}
