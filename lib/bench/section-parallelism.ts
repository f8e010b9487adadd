/**
 * The bench's training-parallelism section (--skip-parallel skips it): each member's training step
 * alone, two processes of it at once, and data-parallel over two workers of half the batch
 * (lib/bench/parallelism-bench.ts), then the zoo's training time under each strategy and the faster
 * choice (lib/bench/training-parallelism.ts), printed as a table and a few lines.
 */
import type { BenchContext } from './bench-context';
import { benchTrainingParallelism, dataParallelBatches } from './parallelism-bench';
import { trainingParallelismTable, type BenchReport } from './report';
import { formatHours, type ZooTrainingTimes } from './training-parallelism';

/** The zoo's training time at the configured iterations under each strategy, and the choice. */
function printPlan(ctx: BenchContext, p: ZooTrainingTimes, iterations: string): void {
  ctx.log(`the zoo's training at the configured iterations (${iterations}): ${formatHours(p.coreHours, 'core-hours')}`);
  ctx.log(`  wall time one at a time:  ${formatHours(p.wallHours['one-at-a-time'])} (one core busy)`);
  ctx.log(`  wall time two at a time:  ${formatHours(p.wallHours['two-at-a-time'])} (longest first over ${p.cores} processes; the last member alone runs at its alone speed)`);
  ctx.log(`  wall time data-parallel:  ${formatHours(p.wallHours['data-parallel'])} (members in sequence, two workers each)`);
  ctx.log(`  choice: ${p.choice} (${p.reason})`);
}

export async function trainingParallelismSection(ctx: BenchContext): Promise<NonNullable<BenchReport['trainingParallelism']>> {
  const { batch, log } = ctx;
  log('');
  log(`training parallelism: each member alone, two processes of it at once, and data-parallel over two workers of batch ${dataParallelBatches(batch).join(' and ')} ...`);
  const tp = await benchTrainingParallelism(ctx.exp, { command: ctx.command, batch, repeats: ctx.repeats, log });
  for (const n of tp.notes) ctx.note(n);
  if (ctx.cores < 2) ctx.note(`the two-process measurements ran on ${ctx.cores} core(s)`);
  log('');
  log(`training step per member, batch ${batch} (ms; data-parallel = the slower of two workers of half the batch + the gradient exchange, a pipe round trip of params x 4 bytes, what an all-reduce of two workers costs at least):`);
  log(trainingParallelismTable(tp.rows));
  printPlan(ctx, tp.plan, tp.rows.map((r) => `${r.id} ${r.iterations}`).join(', '));
  return { rows: tp.rows, plan: tp.plan };
}
