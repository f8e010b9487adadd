/**
 * The bench's collection section (--skip-collection skips it): schedules per hour per sampling
 * engine at fid.images, estimated from this run's forward times and a timed feature extraction
 * (lib/bench/collection-throughput.ts), and cross-checked by a real scoreSchedule with fewer images
 * when a trained zoo and FID reference exist (--skip-check skips that).
 */
import type { ResolvedExperiment } from '../config/index';
import { KitError } from '../util/errors';
import { chooseSamplingEngine } from '../zoo/sampling-engine';
import { engineTag } from '../zoo/workspace';
import type { BenchContext } from './bench-context';
import {
  crossCheckCollection,
  crossCheckUnavailable,
  estimateEngineThroughput,
  timeFidScoring,
  workersFor,
  type CollectionCheck,
  type EngineThroughput,
  type FidScoringTime,
} from './collection-throughput';
import { collectionTable, type BenchModelRow, type BenchReport } from './report';

export interface CollectionSectionOptions {
  useOrt: boolean;
  /** --skip-check */
  skipCheck: boolean;
  /** images of the cross-check (collectionCheckImages) */
  checkImages: number;
}

/** Images of the collection cross-check: --check-images, by default min(fid.images, sampling.batchSize); an FID needs at least 2. */
export function collectionCheckImages(exp: ResolvedExperiment, given?: number): number {
  const checkImages = given ?? Math.min(exp.config.fid.images, exp.config.sampling.batchSize);
  if (checkImages < 2) throw new KitError(`--check-images must be at least 2 (an FID needs two images), got ${checkImages}`);
  return checkImages;
}

/** The engine tag `collect` would sample on here (OMS_DPM_ENGINE / auto), or null with a note. */
async function collectionEngineTag(ctx: BenchContext): Promise<string | null> {
  try {
    return (await chooseSamplingEngine({ backend: ctx.info })).tag;
  } catch (e) {
    ctx.note(`the sampling engine collect would use cannot be determined: ${(e as Error).message}`);
    return null;
  }
}

/** The estimate for TF.js and (when it loads) ONNX Runtime, from the per-model forward times. */
function engineEstimates(ctx: BenchContext, models: readonly BenchModelRow[], featureMs: number, images: number, useOrt: boolean): EngineThroughput[] {
  const { exp, info, cores, batch } = ctx;
  const fwdTfjs: Record<string, number> = Object.fromEntries(models.map((r) => [r.id, r.forwardMs]));
  const engines: EngineThroughput[] = [];
  const tfjsPlan = workersFor('tfjs', info.backend, cores);
  engines.push(estimateEngineThroughput(exp, { engine: 'tfjs', tag: engineTag('tfjs', info.backend), plan: tfjsPlan, forwardMsByModel: fwdTfjs, forwardBatch: batch, featureMs, images }));
  if (useOrt) {
    const plan = workersFor('onnx', info.backend, cores);
    const th = plan.threadsPerWorker === 2 ? 2 : 1;
    if (plan.threadsPerWorker !== th) ctx.note(`ONNX Runtime workers would run ${plan.threadsPerWorker} threads; the estimate uses the 1-thread forward times`);
    const fwdOrt = Object.fromEntries(models.map((r) => [r.id, (th === 2 ? r.ortForwardMs2 : r.ortForwardMs1) as number]));
    engines.push(estimateEngineThroughput(exp, { engine: 'onnx', tag: engineTag('onnx', info.backend), plan, forwardMsByModel: fwdOrt, forwardBatch: batch, featureMs, images }));
  }
  return engines;
}

/** One real scoreSchedule per engine against the formula, or none (with a note saying why). */
async function crossChecks(ctx: BenchContext, engines: readonly EngineThroughput[], fid: FidScoringTime | null, o: CollectionSectionOptions): Promise<CollectionCheck[]> {
  const checks: CollectionCheck[] = [];
  const why = o.skipCheck ? 'skipped (--skip-check)' : fid === null ? 'no feature-extraction time' : crossCheckUnavailable(ctx.exp);
  if (why !== null) {
    ctx.note(`collection cross-check skipped: ${why}`);
    return checks;
  }
  for (const e of engines) {
    ctx.log(`collection cross-check on ${e.tag}: one dpm-solver schedule, ${o.checkImages} images ...`);
    checks.push(
      await crossCheckCollection(ctx.exp, {
        engine: e.engine,
        tfjsBackend: ctx.info.backend,
        solver: 'dpm-solver',
        images: o.checkImages,
        forwardMsByModel: e.forwardMsByModel,
        forwardBatch: ctx.batch,
        fid: fid as FidScoringTime,
        onExport: (msg) => ctx.log(`  ${msg}`),
      }),
    );
  }
  return checks;
}

export async function collectionSection(
  ctx: BenchContext,
  models: readonly BenchModelRow[],
  o: CollectionSectionOptions,
): Promise<{ collection: NonNullable<BenchReport['collection']>; collectionEngine: string | null }> {
  const collectionEngine = await collectionEngineTag(ctx);
  const images = ctx.exp.config.fid.images;
  const fidTime = await timeFidScoring(ctx.exp, images);
  let fid: FidScoringTime | null = null;
  if ('error' in fidTime) ctx.note(`feature extraction not timed (${fidTime.error}); the estimate leaves it out`);
  else fid = fidTime;
  const engines = engineEstimates(ctx, models, fid?.totalMs ?? 0, images, o.useOrt);
  const checks = await crossChecks(ctx, engines, fid, o);
  ctx.log('');
  ctx.log(
    `collection throughput at fid.images = ${images} (batch ${ctx.batch} forward times scaled linearly; feature extraction + FID statistics ${fid ? `${(fid.totalMs / 1000).toFixed(2)} s per schedule, ${fid.network}` : 'not timed'}; perfect scaling over workers assumed):`,
  );
  ctx.log(collectionTable(engines, checks));
  for (const e of engines) ctx.log(`  ${e.tag}: ${e.workersRule}`);
  return { collection: { images, fidScoring: fid, engines, checks }, collectionEngine };
}
