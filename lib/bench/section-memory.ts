/**
 * The bench's memory section (--skip-memory skips it): TF.js tensors, bytes, JS heap and RSS over
 * many training steps of the smallest zoo model (lib/bench/memory-over-steps.ts), in a child
 * process run with --expose-gc (so its RSS is its own and the heap is sampled after a full GC):
 * flat when nothing leaks.
 */
import { benchChild, type BenchContext } from './bench-context';
import type { MemoryOverSteps } from './memory-over-steps';

/** Batch of the memory-over-steps check: small, so that many steps fit in a minute or two. */
export const MEMORY_BATCH = 8;

export function memorySection(ctx: BenchContext, steps: number): MemoryOverSteps {
  const memory = benchChild<MemoryOverSteps>(ctx, ['--memory-run', '--memory-steps', String(steps)], 'memory check', ['--expose-gc']);
  ctx.log('');
  ctx.log(
    `memory over ${memory.steps} training steps (${memory.model}, batch ${memory.batch}, after ${memory.warmupSteps} warm-up steps, ${memory.seconds.toFixed(0)} s): ` +
      `TF.js tensors ${memory.numTensors.afterWarmup} -> ${memory.numTensors.atEnd}, bytes ${memory.tfBytes.afterWarmup} -> ${memory.tfBytes.atEnd}; ` +
      `${memory.gcBeforeSamples ? 'after a full GC, ' : ''}JS heap ${memory.heapUsedMb.map((p) => p.mb.toFixed(0)).join(' -> ')} MB (${memory.heapGrowthMbPer1kSteps.toFixed(2)} MB per 1000 steps over the second half), ` +
      `RSS ${memory.rssMb.map((p) => p.mb.toFixed(0)).join(' -> ')} MB (${memory.rssGrowthMbPer1kSteps.toFixed(1)} MB per 1000 steps)`,
  );
  return memory;
}
