/**
 * The shape of results/bench.json and its readable tables (what `npm run bench` prints).
 */
import type { ModelBench } from './model-bench';
import type { CollectionCheck, EngineThroughput, FidScoringTime } from './collection-throughput';
import type { PredictorThroughput } from './predictor-bench';
import type { MemoryOverSteps } from './memory-over-steps';
import type { SearchBench } from './search-bench';
import type { MemberStepTimes, ZooTrainingTimes } from './training-parallelism';

/** One zoo model: TF.js (child process) + PyTorch + ONNX Runtime, with the ratios. */
export interface BenchModelRow extends ModelBench {
  /** PyTorch CPU (reference/pytorch/torch_unet.py), `torchThreads` threads */
  torchForwardMs?: number;
  torchTrainMs?: number;
  torchThreads?: number;
  torch?: string;
  /** TF.js / PyTorch (> 1: TF.js is slower) */
  forwardRatio?: number;
  trainRatio?: number;
  /** ONNX Runtime CPU forward at the same batch, intra-op threads 1 and 2 (random initial weights) */
  ortForwardMs1?: number;
  ortForwardMs2?: number;
  ortForwardSpreadMs1?: [number, number];
  ortForwardSpreadMs2?: [number, number];
  /** TF.js / ORT (> 1: ORT is faster) */
  ortSpeedup1?: number;
  ortSpeedup2?: number;
  /** ORT / PyTorch (> 1: ORT is slower), like forwardRatio */
  ortForwardRatio1?: number;
  ortForwardRatio2?: number;
}

/**
 * One zoo member's training step in each way of using two cores (ms, medians of child processes
 * that really ran at the same time): alone, two processes of it at once, and data-parallel over
 * two workers of half the batch each plus the gradient exchange.
 */
export interface TrainingParallelismRow extends MemberStepTimes {
  params: number;
  /** the bench batch (images per step) */
  batch: number;
  /** the member's configured training batch (the plan scales nothing: see notes when they differ) */
  trainingBatch: number;
  aloneSpreadMs: [number, number];
  /** each of the two processes' median; pairMs is their mean */
  pairMsEach: [number, number];
  /** pairMs / aloneMs (> 1: sharing the machine slows a step down) */
  pairSlowdown: number;
  /** the two workers' batches (ceil and floor of batch / 2) and their medians */
  dataParallelBatches: [number, number];
  dataParallelComputeMsEach: [number, number];
  /** the slower worker's step */
  dataParallelComputeMs: number;
  /** the round trip of the gradient (params float32) through a pipe (lib/bench/gradient-exchange.ts) */
  exchangeMs: number;
  exchangeBytes: number;
  /** aloneMs / dataParallelMs (> 1: data-parallel steps are faster) */
  dataParallelSpeedup: number;
}

export interface BenchReport {
  backend: unknown;
  experiment: string;
  configHash: string;
  batch: number;
  repeats: number;
  cores: number;
  packages: Record<string, string>;
  createdAt: string;
  /** onnxruntime-node status (null when skipped) */
  onnxRuntime: { available: boolean; version: string | null; reason: string } | null;
  /** the engine `collect` would choose here (OMS_DPM_ENGINE / auto) */
  collectionEngine: string | null;
  models: BenchModelRow[];
  /** TF.js memory over many training steps (null when skipped) */
  memory: MemoryOverSteps | null;
  /** the 1000-generation search with the predictor (paper sizes, random weights) on the scorer the kit uses (ONNX Runtime when it loads) */
  searchSeconds: number | null;
  /** the same search loop with a synthetic table score */
  searchSecondsSyntheticScore: number | null;
  search: SearchBench | null;
  /** SchedulePredictor.score throughput per solver (DDIM L=100, DPM-Solver L=60) */
  predictorSchedulesPerSecond: Partial<Record<'ddim' | 'dpm-solver', number>> | null;
  predictor: PredictorThroughput[] | null;
  /** estimated collection throughput (all assumed workers) per engine tag and solver, at fid.images */
  schedulesPerHour: Record<string, Partial<Record<'ddim' | 'dpm-solver', number>>> | null;
  collection: {
    images: number;
    fidScoring: FidScoringTime | null;
    engines: EngineThroughput[];
    /** real scoreSchedule timings per engine (null entries: skipped, see notes) */
    checks: CollectionCheck[];
  } | null;
  /** the zoo's training time one member at a time, two at a time and data-parallel (null when skipped) */
  trainingParallelism: {
    rows: TrainingParallelismRow[];
    plan: ZooTrainingTimes;
  } | null;
  /** everything skipped or unavailable, and the assumptions, in words */
  notes: string[];
}

/** Right-aligned columns (the first left-aligned), separated by two spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const ms = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)}x`);
const num = (x: number) => (x >= 1000 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3));

/** The per-model table: forward (TF.js, PyTorch, ORT 1 and 2 threads), training step, memory. */
export function modelTable(rows: readonly BenchModelRow[]): string {
  return formatTable(
    ['model', 'params', 'fwd TF.js', 'fwd torch', 'TF.js/torch', 'ORT 1t', 'ORT 2t', 'TF.js/ORT1', 'TF.js/ORT2', 'ORT1/torch', 'ORT2/torch', 'train TF.js', 'train torch', 'TF.js/torch', 'micro', 'peak RSS MB'],
    rows.map((r) => [
      r.id,
      String(r.params),
      ms(r.forwardMs),
      ms(r.torchForwardMs),
      ratio(r.forwardRatio),
      ms(r.ortForwardMs1),
      ms(r.ortForwardMs2),
      ratio(r.ortSpeedup1),
      ratio(r.ortSpeedup2),
      ratio(r.ortForwardRatio1),
      ratio(r.ortForwardRatio2),
      ms(r.trainMs),
      ms(r.torchTrainMs),
      ratio(r.trainRatio),
      String(r.microBatch),
      String(r.peakRssMb),
    ]),
  );
}

/** Collection throughput per engine and solver, with the cross-check when there is one. */
export function collectionTable(engines: readonly EngineThroughput[], checks: readonly CollectionCheck[]): string {
  const rows: string[][] = [];
  for (const e of engines) {
    for (const s of e.solvers) {
      const check = checks.find((c) => c.engine === e.tag && c.solver === s.solver);
      rows.push([
        e.tag,
        `${e.workers} x ${e.threadsPerWorker}`,
        `${s.solver} L=${s.length}`,
        s.meanNfe.toFixed(1),
        ms(e.meanModelForwardMs),
        s.secondsPerSchedule.toFixed(2),
        num(s.schedulesPerHourPerWorker),
        num(s.schedulesPerHour),
        check ? `${check.measuredSeconds.toFixed(2)}/${check.predictedSeconds.toFixed(2)} s (${check.images} img) = ${check.ratio.toFixed(2)}x` : '-',
        check ? num(s.schedulesPerHour / check.ratio) : '-',
      ]);
    }
  }
  return formatTable(['engine', 'workers x threads', 'solver', 'mean NFE', 'fwd ms', 's/schedule', 'sched/h/worker', 'sched/h', 'check measured/predicted', 'sched/h calibrated'], rows);
}

/** The training-parallelism table: a step alone, two at once, and data-parallel (compute + exchange). */
export function trainingParallelismTable(rows: readonly TrainingParallelismRow[]): string {
  return formatTable(
    ['model', 'params', 'batch', 'iterations', 'alone', '2 at once', '2 at once/alone', 'DP compute', 'exchange', 'DP step', 'alone/DP'],
    rows.map((r) => [
      r.id,
      String(r.params),
      String(r.batch),
      String(r.iterations),
      ms(r.aloneMs),
      ms(r.pairMs),
      ratio(r.pairSlowdown),
      `${ms(r.dataParallelComputeMs)} (${r.dataParallelBatches.join('+')})`,
      ms(r.exchangeMs),
      ms(r.dataParallelMs),
      ratio(r.dataParallelSpeedup),
    ]),
  );
}
