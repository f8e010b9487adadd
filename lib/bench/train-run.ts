/**
 * Training-step time of one zoo member in a process of its own, and several such processes run at
 * the same time: what the bench's training-parallelism section measures. Two processes on two
 * cores share memory bandwidth and caches, so a step is slower than alone; only processes that
 * really run at once show it. Each child (`oms-dpm bench --train-run --model <id> --batch <n>`)
 * builds the member, runs one warm-up step, then (with --wait-go) says `ready` and waits for a
 * line on stdin; the parent sends it to all children once all are ready, so that their timed
 * steps overlap instead of one child still loading TF.js while the other is timed.
 */
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import type { ResolvedExperiment } from '../config/index';
import { KitError } from '../util/errors';
import { benchTraining } from './bench-training';
import { median, spread } from './timing';

export interface TrainRun {
  id: string;
  batch: number;
  /** images per micro-batch the step ran with */
  microBatch: number;
  /** median of the timed steps (ms) */
  stepMs: number;
  spreadMs: [number, number];
}

/** The line a child prints after its warm-up step, when the parent synchronises the children. */
export const READY_LINE = 'ready';

/** Resolves on the first line of stdin (the parent's go), rejects if stdin closes without one. */
function firstStdinLine(): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin });
    let done = false;
    rl.once('line', () => {
      done = true;
      rl.close();
      process.stdin.pause();
      resolve();
    });
    rl.once('close', () => {
      if (!done) reject(new KitError('bench --train-run --wait-go: stdin closed before the go line', { hint: '--wait-go is for the bench parent; leave it out to time the steps at once' }));
    });
  });
}

/**
 * One warm-up step, then `repeats` timed steps of `id` at `batch` images per step (each waits for
 * a variable's data, so that the step's work is done, not just queued). `waitGo`: print
 * READY_LINE after the warm-up and wait for a line on stdin before timing.
 */
export async function trainRun(exp: ResolvedExperiment, id: string, batch: number, repeats: number, waitGo = false): Promise<TrainRun> {
  const training = benchTraining(exp, id, batch, 'bench');
  try {
    const v = training.state.params.values().next().value;
    if (v === undefined) throw new KitError(`${id} has no parameters to train`);
    await training.step(0);
    await v.data();
    if (waitGo) {
      process.stdout.write(`${READY_LINE}\n`);
      await firstStdinLine();
    }
    const times: number[] = [];
    for (let i = 1; i <= repeats; i++) {
      const t0 = performance.now();
      await training.step(i);
      await v.data();
      times.push(performance.now() - t0);
    }
    return { id, batch, microBatch: training.microBatch, stepMs: median(times), spreadMs: spread(times) };
  } finally {
    training.dispose();
  }
}

/**
 * Runs one `--train-run --wait-go` child per entry of `batches` at the same time (`command`: node
 * and its arguments up to the bench options, e.g. [bin/oms-dpm.js, bench, --experiment, ...]),
 * starts their timed steps together once all are warm, and returns their results in order.
 * A failing child stops the others.
 */
export async function trainRunsTogether(command: readonly string[], id: string, batches: readonly number[], repeats: number): Promise<TrainRun[]> {
  const children = batches.map((batch) =>
    spawn(process.execPath, [...command, '--train-run', '--wait-go', '--model', id, '--batch', String(batch), '--repeats', String(repeats)], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  let readyCount = 0;
  const runs = children.map(
    (child, k) =>
      new Promise<TrainRun>((resolve, reject) => {
        let stderr = '';
        let last = '';
        child.stdin.on('error', () => {}); // a child that already failed: its exit code tells why
        child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
        readline.createInterface({ input: child.stdout }).on('line', (line) => {
          if (line === READY_LINE) {
            readyCount += 1;
            if (readyCount === children.length) for (const c of children) c.stdin.end('go\n');
          } else if (line.trim() !== '') last = line;
        });
        child.on('error', reject);
        child.on('close', (code) => {
          if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as TrainRun);
          else reject(new Error(`bench --train-run of ${id} at batch ${batches[k]} failed (exit ${code}): ${stderr.trim().split('\n').slice(-20).join('\n')}`));
        });
      }),
  );
  try {
    return await Promise.all(runs);
  } catch (e) {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
    await Promise.allSettled(runs);
    throw e;
  }
}
