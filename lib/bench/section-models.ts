/**
 * The bench's per-model section: each zoo model's TF.js forward and training-step time and peak
 * memory, measured in its own child process (lib/bench/model-bench.ts) so its peak RSS is its own;
 * the same network in PyTorch CPU on one thread (lib/bench/pytorch-reference.ts); ONNX Runtime's
 * forward at the same batch with 1 and 2 intra-op threads (random initial weights); the ratios
 * between them; then the table and where the TF.js time goes, kernel by kernel.
 */
import { archFor } from '../zoo/zoo-model';
import { benchChild, type BenchContext } from './bench-context';
import { describeProfile } from './kernel-profile';
import type { ModelBench } from './model-bench';
import { benchOrtForward } from './ort-forward';
import { torchReference, type TorchBench } from './pytorch-reference';
import { modelTable, type BenchModelRow } from './report';

/** Intra-op threads of the ONNX Runtime forward times. */
export const ORT_THREADS = [1, 2] as const;

/** Adds the PyTorch times and the TF.js / PyTorch ratios to a row; the parameter counts must agree. */
function withTorch(row: BenchModelRow, t: TorchBench): void {
  if (t.params !== row.params) throw new Error(`PyTorch reference has ${t.params} parameters, the kit's ${row.id} has ${row.params}: architectures differ`);
  Object.assign(row, { torchForwardMs: t.torchForwardMs, torchTrainMs: t.torchTrainMs, torchThreads: t.threads, torch: t.torch, forwardRatio: row.forwardMs / t.torchForwardMs, trainRatio: row.trainMs / t.torchTrainMs });
}

/** Adds the ONNX Runtime forward times (1 and 2 threads) and their ratios to TF.js and PyTorch. */
async function withOrt(ctx: BenchContext, row: BenchModelRow): Promise<void> {
  const ob = await benchOrtForward(archFor(ctx.exp.config, row.id), row.id, ctx.batch, ctx.repeats, ORT_THREADS);
  const t1 = ob.byThreads[1];
  const t2 = ob.byThreads[2];
  Object.assign(row, {
    ortForwardMs1: t1.medianMs,
    ortForwardMs2: t2.medianMs,
    ortForwardSpreadMs1: t1.spreadMs,
    ortForwardSpreadMs2: t2.spreadMs,
    ortSpeedup1: row.forwardMs / t1.medianMs,
    ortSpeedup2: row.forwardMs / t2.medianMs,
  });
  if (row.torchForwardMs !== undefined) Object.assign(row, { ortForwardRatio1: t1.medianMs / row.torchForwardMs, ortForwardRatio2: t2.medianMs / row.torchForwardMs });
}

/** A model's progress line. */
function modelLine(row: BenchModelRow): string {
  return `  ${row.id}: TF.js forward ${row.forwardMs.toFixed(1)} ms, train ${row.trainMs.toFixed(1)} ms${row.torchForwardMs !== undefined ? `; PyTorch ${row.torchForwardMs.toFixed(1)} / ${row.torchTrainMs?.toFixed(1)} ms` : ''}${row.ortForwardMs1 !== undefined ? `; ORT ${row.ortForwardMs1.toFixed(1)} ms (1t), ${row.ortForwardMs2?.toFixed(1)} ms (2t)` : ''}`;
}

/** The per-model table and the kernel profiles. */
function printModels(ctx: BenchContext, models: readonly BenchModelRow[]): void {
  ctx.log('');
  ctx.log(`per model, batch ${ctx.batch} (ms; ratios: TF.js/torch > 1 = TF.js slower, TF.js/ORT > 1 = ORT faster, ORT/torch > 1 = ORT slower):`);
  ctx.log(modelTable(models));
  ctx.log('');
  ctx.log('where the TF.js time goes (one profiled pass; share of its wall time per kernel; lib/bench/kernel-profile.ts):');
  for (const m of models) {
    ctx.log(`  ${m.id} forward (${m.forwardProfile.wallMs.toFixed(0)} ms): ${describeProfile(m.forwardProfile)}`);
    ctx.log(`  ${m.id} train step (${m.trainProfile.wallMs.toFixed(0)} ms): ${describeProfile(m.trainProfile)}`);
  }
}

export async function benchModels(ctx: BenchContext, o: { useTorch: boolean; useOrt: boolean }): Promise<BenchModelRow[]> {
  const models: BenchModelRow[] = [];
  let torchNote: string | null = null;
  for (const m of ctx.exp.config.zoo) {
    const b = benchChild<ModelBench>(ctx, ['--batch', String(ctx.batch), '--repeats', String(ctx.repeats), '--model', m.id], `bench of ${m.id}`);
    const row: BenchModelRow = { ...b };
    if (o.useTorch) {
      const t = torchReference(archFor(ctx.exp.config, m.id), ctx.batch, ctx.repeats);
      if ('error' in t) torchNote = t.error;
      else withTorch(row, t);
    }
    if (o.useOrt) await withOrt(ctx, row);
    models.push(row);
    ctx.log(modelLine(row));
  }
  if (torchNote) ctx.note(`PyTorch reference unavailable: ${torchNote}`);
  printModels(ctx, models);
  if (o.useOrt && ctx.cores < 2) ctx.note(`ONNX Runtime with 2 intra-op threads was timed on ${ctx.cores} core(s)`);
  return models;
}
