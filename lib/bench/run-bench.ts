/**
 * `oms-dpm bench` (`npm run bench`): what the kit's stages cost on this machine, in one report
 * (results/bench.json; its printed progress is results/bench.txt). The sections, in order:
 *
 *   per zoo model  TF.js forward and training-step time at the batch size (default 128) and peak
 *                  memory, each model in its own child process so its peak RSS is its own; the
 *                  same network in PyTorch CPU on one thread (reference/pytorch/torch_unet.py);
 *                  ONNX Runtime's forward at the same batch with 1 and 2 intra-op threads (the
 *                  architecture exported in memory with random initial weights); the ratios
 *                  between them; and one profiled TF.js forward and training step, kernel by
 *                  kernel (section-models.ts).
 *   training       per zoo model, the training step alone, with two processes of it at once
 *   parallelism    (sharing memory bandwidth and caches), and data-parallel over two workers of
 *                  half the batch each plus the gradient exchange (a pipe round trip of the
 *                  parameters as float32), each in child processes that run at the same time; then
 *                  the zoo's training in core-hours at the configured iterations, its wall time one
 *                  member at a time, two at a time and data-parallel, and the faster choice
 *                  (section-parallelism.ts; --skip-parallel skips it).
 *   memory         TF.js tensors, bytes and RSS over --memory-steps training steps of the smallest
 *                  zoo model (batch 8): flat when nothing leaks (section-memory.ts).
 *   search         a 1000-generation evolutionary search, DPM-Solver L = 90, over the zoo's size,
 *                  priced by the measured TF.js forward times, scored by a paper-sized predictor
 *                  with random weights, and again with a synthetic score (the loop alone;
 *                  section-search.ts).
 *   predictor      SchedulePredictor.score throughput on 1000 random DDIM (L=100) and DPM-Solver
 *                  (L=60) schedules (section-predictor.ts).
 *   collection     schedules per hour per sampling engine at fid.images, from the measured
 *                  forward and feature-extraction times, cross-checked by a real scoreSchedule
 *                  with fewer images when a trained zoo and FID reference exist
 *                  (section-collection.ts); then the same through the scoring queue against the
 *                  local pool (queue-throughput.ts).
 *
 * The report is written to results/bench.json (or `out`); progress goes to `log`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, type ResolvedExperiment } from '../config/index';
import { backendInfo, packageVersions, type BackendInfo } from '../tfjs/backend';
import { probeOnnxRuntime, type OrtStatus } from '../onnx/onnx-runtime';
import { writeJsonAtomic } from '../util/atomic-file';
import { benchCommandLine, type BenchContext } from './bench-context';
import type { MemoryOverSteps } from './memory-over-steps';
import { dataParallelBatches } from './parallelism-bench';
import type { PredictorThroughput } from './predictor-bench';
import { benchQueueThroughput } from './queue-throughput';
import type { BenchModelRow, BenchReport } from './report';
import type { SearchBench } from './search-bench';
import { collectionSection } from './section-collection';
import { memorySection } from './section-memory';
import { benchModels, ORT_THREADS } from './section-models';
import { trainingParallelismSection } from './section-parallelism';
import { predictorSection } from './section-predictor';
import { searchSection } from './section-search';

export interface BenchOptions {
  /** the `oms-dpm bench` arguments that select the experiment (--experiment, --profile, --set), for the child processes */
  experimentArgs: string[];
  batch: number;
  repeats: number;
  /** generations of the timed search */
  generations: number;
  /** random schedules per solver of the predictor throughput */
  predictorSchedules: number;
  /** training steps of the memory check */
  memorySteps: number;
  /** images of the collection cross-check (collectionCheckImages) */
  checkImages: number;
  useTorch: boolean;
  skipOrt: boolean;
  skipParallel: boolean;
  skipMemory: boolean;
  skipSearch: boolean;
  skipPredictor: boolean;
  skipCollection: boolean;
  skipCheck: boolean;
  skipQueue: boolean;
  /** where to write the JSON (default results/bench.json) */
  out?: string;
}

/** What was measured, section by section (null: skipped). */
interface Sections {
  ort: OrtStatus | null;
  models: BenchModelRow[];
  trainingParallelism: BenchReport['trainingParallelism'];
  memory: MemoryOverSteps | null;
  search: SearchBench | null;
  predictor: PredictorThroughput[] | null;
  collection: BenchReport['collection'];
  collectionEngine: string | null;
}

/** onnxruntime-node's status (null when --skip-ort), with a note when it does not load. */
async function probeOrt(ctx: BenchContext, skip: boolean): Promise<OrtStatus | null> {
  if (skip) return null;
  const ort = await probeOnnxRuntime();
  if (!ort.available) ctx.note(`ONNX Runtime unavailable: ${ort.reason}`);
  return ort;
}

/** The first progress line: what runs on what. */
function header(ctx: BenchContext, useTorch: boolean, ort: OrtStatus | null): string {
  const { exp, info } = ctx;
  const ortText = ort !== null && ort.available ? `${ort.version}, ${ORT_THREADS.join(' and ')} intra-op thread(s), random initial weights` : 'skipped';
  return `bench: experiment ${exp.config.name}, TF.js backend ${info.backend} (${info.device}), batch ${ctx.batch}, ${ctx.repeats} repeat(s), ${ctx.cores} core(s); PyTorch: ${useTorch ? '1 thread' : 'skipped'}; ONNX Runtime: ${ortText}`;
}

/** Every section in order, each skipped as the options say. */
async function runSections(ctx: BenchContext, o: BenchOptions): Promise<Sections> {
  const ort = await probeOrt(ctx, o.skipOrt);
  const useOrt = ort !== null && ort.available;
  ctx.log(header(ctx, o.useTorch, ort));
  const models = await benchModels(ctx, { useTorch: o.useTorch, useOrt });
  const trainingParallelism = o.skipParallel ? null : await trainingParallelismSection(ctx);
  const memory = o.skipMemory ? null : memorySection(ctx, o.memorySteps);
  const search = o.skipSearch ? null : await searchSection(ctx, models, o.generations);
  const predictor = o.skipPredictor ? null : await predictorSection(ctx, o.predictorSchedules);
  const { collection, collectionEngine } = o.skipCollection
    ? { collection: null, collectionEngine: null }
    : await collectionSection(ctx, models, { useOrt, skipCheck: o.skipCheck, checkImages: o.checkImages });
  return { ort, models, trainingParallelism, memory, search, predictor, collection, collectionEngine };
}

/** results/bench.json from the sections (the field order is the committed file's). */
function benchReport(ctx: BenchContext, s: Sections, notes: string[]): BenchReport {
  const { exp } = ctx;
  const { search, predictor, collection } = s;
  return {
    backend: backendInfo(),
    experiment: exp.config.name,
    configHash: exp.hash,
    batch: ctx.batch,
    repeats: ctx.repeats,
    cores: ctx.cores,
    packages: packageVersions(),
    createdAt: new Date().toISOString(),
    onnxRuntime: s.ort,
    collectionEngine: s.collectionEngine,
    models: s.models,
    memory: s.memory,
    searchSeconds: search ? search.withPredictor.seconds : null,
    searchSecondsSyntheticScore: search ? search.syntheticScore.seconds : null,
    search,
    predictorSchedulesPerSecond: predictor ? Object.fromEntries(predictor.map((p) => [p.solver, p.schedulesPerSecond])) : null,
    predictor,
    schedulesPerHour: collection ? Object.fromEntries(collection.engines.map((e) => [e.tag, Object.fromEntries(e.solvers.map((x) => [x.solver, x.schedulesPerHour]))])) : null,
    collection,
    trainingParallelism: s.trainingParallelism,
    notes,
  };
}

/** Runs the bench, writes its report (results/bench.json or `o.out`) and returns it with the file written. */
export async function runBench(exp: ResolvedExperiment, info: BackendInfo, o: BenchOptions, log: (line: string) => void): Promise<{ report: BenchReport; file: string }> {
  if (!o.skipParallel) dataParallelBatches(o.batch); // a batch of 1 cannot be split: say so before anything runs
  const notes: string[] = [];
  const note = (s: string) => {
    notes.push(s);
    log(`note: ${s}`);
  };
  const ctx: BenchContext = { exp, info, batch: o.batch, repeats: o.repeats, cores: os.availableParallelism(), log, note, command: benchCommandLine(o.experimentArgs) };
  const sections = await runSections(ctx, o);
  await benchQueueThroughput(exp, { skip: o.skipQueue, log, note });
  const report = benchReport(ctx, sections, notes);
  const file = o.out ?? path.join(repoRoot(), 'results', 'bench.json');
  writeJsonAtomic(file, report);
  return { report, file };
}
