/**
 * `oms-dpm bench` (`npm run bench`): what the kit's stages cost on this machine, in one command.
 *
 *   per zoo model  TF.js forward and training-step time at the batch size (default 128) and peak
 *                  memory, each model in its own child process so its peak RSS is its own; the
 *                  same network in PyTorch CPU on one thread (bench/torch_unet.py); ONNX Runtime's
 *                  forward at the same batch with 1 and 2 intra-op threads (the architecture
 *                  exported in memory with random initial weights); the ratios between them; and
 *                  one profiled TF.js forward and training step, kernel by kernel.
 *   training       per zoo model, the training step alone, with two processes of it at once
 *   parallelism    (sharing memory bandwidth and caches), and data-parallel over two workers of
 *                  half the batch each plus the gradient exchange (a pipe round trip of the
 *                  parameters as float32), each in child processes that run at the same time; then
 *                  the zoo's training in core-hours at the configured iterations, its wall time one
 *                  member at a time, two at a time and data-parallel, and the faster choice
 *                  (lib/bench/training-parallelism.ts; --skip-parallel skips it).
 *   memory         TF.js tensors, bytes and RSS over --memory-steps training steps of the smallest
 *                  zoo model (batch 8): flat when nothing leaks.
 *   search         a 1000-generation evolutionary search, DPM-Solver L = 90, over the zoo's size,
 *                  priced by the measured TF.js forward times, scored by a paper-sized predictor
 *                  with random weights, and again with a synthetic score (the loop alone).
 *   predictor      SchedulePredictor.score throughput on 1000 random DDIM (L=100) and DPM-Solver
 *                  (L=60) schedules.
 *   collection     schedules per hour per sampling engine at fid.images, from the measured
 *                  forward and feature-extraction times, cross-checked by a real scoreSchedule
 *                  with fewer images when a trained zoo and FID reference exist.
 *
 * Writes results/bench.json (or --out); --json prints the JSON only (progress goes to stderr).
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '../../config/index';
import {
  crossCheckCollection,
  crossCheckUnavailable,
  estimateEngineThroughput,
  timeFidScoring,
  workersFor,
  type CollectionCheck,
  type EngineThroughput,
  type FidScoringTime,
} from '../../bench/collection-throughput';
import { describeProfile } from '../../bench/kernel-profile';
import { memoryOverSteps, type MemoryOverSteps } from '../../bench/memory-over-steps';
import { benchOrtForward } from '../../bench/ort-forward';
import { benchPredictorThroughput, type PredictorThroughput } from '../../bench/predictor-bench';
import { benchTrainingParallelism, dataParallelBatches } from '../../bench/parallelism-bench';
import { collectionTable, modelTable, trainingParallelismTable, type BenchModelRow, type BenchReport } from '../../bench/report';
import { benchSearch, type SearchBench } from '../../bench/search-bench';
import { benchQueueThroughput } from '../../bench/queue-throughput';
import { trainRun } from '../../bench/train-run';
import { formatHours } from '../../bench/training-parallelism';
import { backendInfo, initBackend, packageVersions } from '../../engine/backend';
import { probeOnnxRuntime, type OrtStatus } from '../../onnx/engine-choice';
import { writeJsonAtomic } from '../../util/atomic-file';
import { KitError } from '../../util/errors';
import { benchModel, type ModelBench } from '../../zoo/model-bench';
import { chooseSamplingEngine } from '../../zoo/sampling-engine';
import { engineTag } from '../../zoo/workspace';
import { archFor } from '../../zoo/zoo-model';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

type BenchOpts = ExperimentOpts & {
  batch: string;
  repeats: string;
  model?: string;
  json: boolean;
  out?: string;
  torch: boolean;
  skipTorch: boolean;
  skipOrt: boolean;
  skipSearch: boolean;
  skipMemory: boolean;
  memorySteps: string;
  memoryRun: boolean;
  skipPredictor: boolean;
  skipCollection: boolean;
  skipCheck: boolean;
  skipQueue: boolean;
  skipParallel: boolean;
  trainRun: boolean;
  waitGo: boolean;
  searchGenerations: string;
  predictorSchedules: string;
  checkImages?: string;
};

const TORCH_PYTHON = '/usr/bin/python3';
const ORT_THREADS = [1, 2] as const;
/** Batch of the memory-over-steps check: small, so that many steps fit in a minute or two. */
const MEMORY_BATCH = 8;

interface TorchBench { torchForwardMs: number; torchTrainMs: number; params: number; threads: number; torch: string }

/** The same UNet in PyTorch CPU on one thread (bench/torch_unet.py), or why it is unavailable. */
function torchReference(arch: unknown, batch: number, repeats: number): TorchBench | { error: string } {
  const r = spawnSync(TORCH_PYTHON, [path.join(repoRoot(), 'bench', 'torch_unet.py')], {
    input: JSON.stringify({ arch, batch, repeats, threads: 1 }),
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return { error: `${TORCH_PYTHON} bench/torch_unet.py failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}` };
  return JSON.parse(line) as TorchBench;
}

/** The node arguments of a child `oms-dpm bench` on the same experiment, before its mode flags. */
function benchCli(o: BenchOpts): string[] {
  return [path.join(repoRoot(), 'bin', 'oms-dpm.js'), 'bench', '--experiment', o.experiment, '--profile', o.profile, ...o.set.flatMap((s) => ['--set', s])];
}

/**
 * Runs one part of the bench in a child `oms-dpm bench` process (so its peak RSS and heap are its
 * own) and returns the JSON it prints last. `nodeFlags` go to node itself (e.g. --expose-gc).
 */
function benchChild<T>(o: BenchOpts, args: string[], what: string, nodeFlags: string[] = []): T {
  const r = spawnSync(process.execPath, [...nodeFlags, ...benchCli(o), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as T;
}

export function benchCommand(): Command {
  return withExperimentOptions(new Command('bench'), 'mnist')
    .description('per zoo model: forward / training-step time and peak memory at batch 128 on TF.js, PyTorch CPU and ONNX Runtime; search, predictor and collection throughput (writes results/bench.json)')
    .option('--batch <n>', 'batch size', '128')
    .option('--repeats <n>', 'timed repeats after one warm-up', '5')
    .option('--model <id>', 'bench only this model in this process and print JSON (used internally)')
    .option('--json', 'print JSON only (progress goes to stderr)', false)
    .option('--out <file>', 'where to write the JSON (default results/bench.json)')
    .option('--no-torch', 'skip the PyTorch CPU reference (Debian python3-torch)')
    .option('--skip-torch', 'same as --no-torch', false)
    .option('--skip-ort', 'skip the ONNX Runtime forward times (and the ORT collection estimate)', false)
    .option('--skip-search', 'skip the evolutionary-search timing', false)
    .option('--skip-predictor', 'skip the predictor scoring throughput', false)
    .option('--skip-collection', 'skip the collection throughput estimate and its cross-check', false)
    .option('--skip-check', 'skip the collection cross-check (a real scoreSchedule on the trained zoo)', false)
    .option('--skip-queue', 'skip collection throughput through the scoring queue (1 and 2 local workers through Redis against the local pool)', false)
    .option('--search-generations <n>', 'generations of the timed search', '1000')
    .option('--skip-memory', 'skip the memory-over-steps check', false)
    .option('--memory-steps <n>', 'training steps of the memory check (smallest zoo model, batch 8)', '1000')
    .option('--memory-run', 'run the memory check in this process and print JSON (used internally)', false)
    .option('--predictor-schedules <n>', 'random schedules per solver for the predictor throughput', '1000')
    .option('--skip-parallel', 'skip the training-parallelism section (two members at once vs one member data-parallel)', false)
    .option('--train-run', 'time training steps of --model at --batch in this process and print JSON (used internally)', false)
    .option('--wait-go', 'with --train-run: after the warm-up step print "ready" and wait for a line on stdin (used internally)', false)
    .option('--check-images <n>', 'images of the collection cross-check (default min(fid.images, sampling.batchSize))')
    .action(async (o: BenchOpts) => {
      const exp = resolveExperiment(o);
      const batch = positiveIntOption('batch', o.batch);
      const repeats = positiveIntOption('repeats', o.repeats);
      const generations = positiveIntOption('search-generations', o.searchGenerations);
      const predictorSchedules = positiveIntOption('predictor-schedules', o.predictorSchedules);
      const checkImages = o.checkImages === undefined ? Math.min(exp.config.fid.images, exp.config.sampling.batchSize) : positiveIntOption('check-images', o.checkImages);
      if (checkImages < 2) throw new KitError(`--check-images must be at least 2 (an FID needs two images), got ${checkImages}`);
      const info = await initBackend();
      if (o.memoryRun) {
        const r = await memoryOverSteps(exp, exp.config.zoo[0].id, MEMORY_BATCH, positiveIntOption('memory-steps', o.memorySteps));
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      if (o.trainRun) {
        if (!o.model) throw new KitError('--train-run needs --model <id>', { hint: `zoo ids: ${exp.config.zoo.map((m) => m.id).join(', ')}` });
        const r = await trainRun(exp, o.model, batch, repeats, o.waitGo);
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      if (o.model) {
        const r = await benchModel(exp, o.model, batch, repeats);
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      if (!o.skipParallel) dataParallelBatches(batch); // a batch of 1 cannot be split: say so before anything runs
      const log = (s: string) => (o.json ? process.stderr.write(s + '\n') : console.log(s));
      const notes: string[] = [];
      const note = (s: string) => {
        notes.push(s);
        log(`note: ${s}`);
      };
      const useTorch = o.torch && !o.skipTorch;
      const cores = os.availableParallelism();
      const tfjsTag = engineTag('tfjs', info.backend);

      let ort: OrtStatus | null = null;
      if (!o.skipOrt) {
        ort = await probeOnnxRuntime();
        if (!ort.available) note(`ONNX Runtime unavailable: ${ort.reason}`);
      }
      const useOrt = ort !== null && ort.available;
      log(`bench: experiment ${exp.config.name}, TF.js backend ${info.backend} (${info.device}), batch ${batch}, ${repeats} repeat(s), ${cores} core(s); PyTorch: ${useTorch ? '1 thread' : 'skipped'}; ONNX Runtime: ${useOrt ? `${ort?.version}, ${ORT_THREADS.join(' and ')} intra-op thread(s), random initial weights` : 'skipped'}`);

      // ---- per model
      const models: BenchModelRow[] = [];
      let torchNote: string | null = null;
      for (const m of exp.config.zoo) {
        const b = benchChild<ModelBench>(o, ['--batch', String(batch), '--repeats', String(repeats), '--model', m.id], `bench of ${m.id}`);
        const row: BenchModelRow = { ...b };
        const arch = archFor(exp.config, m.id);
        if (useTorch) {
          const t = torchReference(arch, batch, repeats);
          if ('error' in t) torchNote = t.error;
          else {
            if (t.params !== b.params) throw new Error(`PyTorch reference has ${t.params} parameters, the kit's ${m.id} has ${b.params}: architectures differ`);
            Object.assign(row, { torchForwardMs: t.torchForwardMs, torchTrainMs: t.torchTrainMs, torchThreads: t.threads, torch: t.torch, forwardRatio: b.forwardMs / t.torchForwardMs, trainRatio: b.trainMs / t.torchTrainMs });
          }
        }
        if (useOrt) {
          const ob = await benchOrtForward(arch, m.id, batch, repeats, ORT_THREADS);
          const t1 = ob.byThreads[1];
          const t2 = ob.byThreads[2];
          Object.assign(row, {
            ortForwardMs1: t1.medianMs,
            ortForwardMs2: t2.medianMs,
            ortForwardSpreadMs1: t1.spreadMs,
            ortForwardSpreadMs2: t2.spreadMs,
            ortSpeedup1: b.forwardMs / t1.medianMs,
            ortSpeedup2: b.forwardMs / t2.medianMs,
          });
          if (row.torchForwardMs !== undefined) Object.assign(row, { ortForwardRatio1: t1.medianMs / row.torchForwardMs, ortForwardRatio2: t2.medianMs / row.torchForwardMs });
        }
        models.push(row);
        log(`  ${m.id}: TF.js forward ${row.forwardMs.toFixed(1)} ms, train ${row.trainMs.toFixed(1)} ms${row.torchForwardMs !== undefined ? `; PyTorch ${row.torchForwardMs.toFixed(1)} / ${row.torchTrainMs?.toFixed(1)} ms` : ''}${row.ortForwardMs1 !== undefined ? `; ORT ${row.ortForwardMs1.toFixed(1)} ms (1t), ${row.ortForwardMs2?.toFixed(1)} ms (2t)` : ''}`);
      }
      if (torchNote) note(`PyTorch reference unavailable: ${torchNote}`);
      log('');
      log(`per model, batch ${batch} (ms; ratios: TF.js/torch > 1 = TF.js slower, TF.js/ORT > 1 = ORT faster, ORT/torch > 1 = ORT slower):`);
      log(modelTable(models));
      log('');
      log('where the TF.js time goes (one profiled pass; share of its wall time per kernel; lib/bench/kernel-profile.ts):');
      for (const m of models) {
        log(`  ${m.id} forward (${m.forwardProfile.wallMs.toFixed(0)} ms): ${describeProfile(m.forwardProfile)}`);
        log(`  ${m.id} train step (${m.trainProfile.wallMs.toFixed(0)} ms): ${describeProfile(m.trainProfile)}`);
      }
      if (useOrt && cores < 2) note(`ONNX Runtime with 2 intra-op threads was timed on ${cores} core(s)`);
      // ---- training parallelism: two members at once, or one member data-parallel over two workers
      let trainingParallelism: BenchReport['trainingParallelism'] = null;
      if (!o.skipParallel) {
        log('');
        log(`training parallelism: each member alone, two processes of it at once, and data-parallel over two workers of batch ${dataParallelBatches(batch).join(' and ')} ...`);
        const tp = await benchTrainingParallelism(exp, { command: benchCli(o), batch, repeats, log });
        trainingParallelism = { rows: tp.rows, plan: tp.plan };
        for (const n of tp.notes) note(n);
        if (cores < 2) note(`the two-process measurements ran on ${cores} core(s)`);
        const p = tp.plan;
        log('');
        log(`training step per member, batch ${batch} (ms; data-parallel = the slower of two workers of half the batch + the gradient exchange, a pipe round trip of params x 4 bytes, what an all-reduce of two workers costs at least):`);
        log(trainingParallelismTable(tp.rows));
        log(`the zoo's training at the configured iterations (${tp.rows.map((r) => `${r.id} ${r.iterations}`).join(', ')}): ${formatHours(p.coreHours, 'core-hours')}`);
        log(`  wall time one at a time:  ${formatHours(p.wallHours['one-at-a-time'])} (one core busy)`);
        log(`  wall time two at a time:  ${formatHours(p.wallHours['two-at-a-time'])} (longest first over ${p.cores} processes; the last member alone runs at its alone speed)`);
        log(`  wall time data-parallel:  ${formatHours(p.wallHours['data-parallel'])} (members in sequence, two workers each)`);
        log(`  choice: ${p.choice} (${p.reason})`);
      }

      const fwdTfjs: Record<string, number> = Object.fromEntries(models.map((r) => [r.id, r.forwardMs]));

      // ---- memory over many training steps, in its own process (its RSS is its own)
      let memory: MemoryOverSteps | null = null;
      if (!o.skipMemory) {
        const steps = positiveIntOption('memory-steps', o.memorySteps);
        memory = benchChild<MemoryOverSteps>(o, ['--memory-run', '--memory-steps', String(steps)], 'memory check', ['--expose-gc']);
        log('');
        log(
          `memory over ${memory.steps} training steps (${memory.model}, batch ${memory.batch}, after ${memory.warmupSteps} warm-up steps, ${memory.seconds.toFixed(0)} s): ` +
            `TF.js tensors ${memory.numTensors.afterWarmup} -> ${memory.numTensors.atEnd}, bytes ${memory.tfBytes.afterWarmup} -> ${memory.tfBytes.atEnd}; ` +
            `${memory.gcBeforeSamples ? 'after a full GC, ' : ''}JS heap ${memory.heapUsedMb.map((p) => p.mb.toFixed(0)).join(' -> ')} MB (${memory.heapGrowthMbPer1kSteps.toFixed(2)} MB per 1000 steps over the second half), ` +
            `RSS ${memory.rssMb.map((p) => p.mb.toFixed(0)).join(' -> ')} MB (${memory.rssGrowthMbPer1kSteps.toFixed(1)} MB per 1000 steps)`,
        );
      }

      // ---- search
      let search: SearchBench | null = null;
      if (!o.skipSearch) {
        const s = exp.config.search;
        search = await benchSearch({
          numModels: exp.config.zoo.length,
          latency: [0, ...models.map((r) => r.forwardMs)],
          latencySource: `measured TF.js forward ms at batch ${batch} (${tfjsTag}), this run`,
          generations,
          seed: s.seed,
          settings: { populationSize: s.populationSize, childrenPerGeneration: s.childrenPerGeneration, maxMutationAttempts: s.mutationAttempts },
        });
        log('');
        log(
          `search: ${search.generations} generations, ${search.solver} L=${search.length}, ${search.numModels} models, budget ${search.budget.toFixed(1)} ms (${search.budgetRule}; latency: ${search.latencySource})`,
        );
        log(`  with the predictor (paper sizes, random weights, ${search.predictor.parameters} parameters) on ${search.scorer}: ${search.withPredictor.seconds.toFixed(2)} s, ${search.withPredictor.scoreCalls} calls, ${search.withPredictor.schedulesScored} schedules scored`);
        log(`  the same predictor on TF.js:                               ${search.withPredictorTfjs.seconds.toFixed(2)} s, ${search.withPredictorTfjs.scoreCalls} calls, ${search.withPredictorTfjs.schedulesScored} schedules scored`);
        log(`  with a synthetic score (search loop alone):                ${search.syntheticScore.seconds.toFixed(2)} s, ${search.syntheticScore.scoreCalls} calls, ${search.syntheticScore.schedulesScored} schedules scored`);
      }

      // ---- predictor throughput
      let predictor: PredictorThroughput[] | null = null;
      if (!o.skipPredictor) {
        predictor = await benchPredictorThroughput(exp.config.zoo.length, predictorSchedules);
        log('');
        log(`predictor scoring (paper sizes, random weights, ${predictorSchedules} random schedules in one call): ${predictor.map((p) => `${p.solver} L=${p.length}: ${p.schedulesPerSecond.toFixed(0)} schedules/s`).join('; ')}`);
      }

      // ---- collection throughput
      let collection: BenchReport['collection'] = null;
      let collectionEngine: string | null = null;
      if (!o.skipCollection) {
        try {
          collectionEngine = (await chooseSamplingEngine({ backend: info })).tag;
        } catch (e) {
          note(`the sampling engine collect would use cannot be determined: ${(e as Error).message}`);
        }
        const images = exp.config.fid.images;
        const fidTime = await timeFidScoring(exp, images);
        let fid: FidScoringTime | null = null;
        if ('error' in fidTime) note(`feature extraction not timed (${fidTime.error}); the estimate leaves it out`);
        else fid = fidTime;
        const featureMs = fid?.totalMs ?? 0;
        const engines: EngineThroughput[] = [];
        const tfjsPlan = workersFor('tfjs', info.backend, cores);
        engines.push(estimateEngineThroughput(exp, { engine: 'tfjs', tag: tfjsTag, plan: tfjsPlan, forwardMsByModel: fwdTfjs, forwardBatch: batch, featureMs, images }));
        if (useOrt) {
          const plan = workersFor('onnx', info.backend, cores);
          const th = plan.threadsPerWorker === 2 ? 2 : 1;
          if (plan.threadsPerWorker !== th) note(`ONNX Runtime workers would run ${plan.threadsPerWorker} threads; the estimate uses the 1-thread forward times`);
          const fwdOrt = Object.fromEntries(models.map((r) => [r.id, (th === 2 ? r.ortForwardMs2 : r.ortForwardMs1) as number]));
          engines.push(estimateEngineThroughput(exp, { engine: 'onnx', tag: engineTag('onnx', info.backend), plan, forwardMsByModel: fwdOrt, forwardBatch: batch, featureMs, images }));
        }
        const checks: CollectionCheck[] = [];
        const why = o.skipCheck ? 'skipped (--skip-check)' : fid === null ? 'no feature-extraction time' : crossCheckUnavailable(exp);
        if (why !== null) note(`collection cross-check skipped: ${why}`);
        else {
          for (const e of engines) {
            log(`collection cross-check on ${e.tag}: one dpm-solver schedule, ${checkImages} images ...`);
            checks.push(
              await crossCheckCollection(exp, {
                engine: e.engine,
                tfjsBackend: info.backend,
                solver: 'dpm-solver',
                images: checkImages,
                forwardMsByModel: e.forwardMsByModel,
                forwardBatch: batch,
                fid: fid as FidScoringTime,
                onExport: (msg) => log(`  ${msg}`),
              }),
            );
          }
        }
        collection = { images, fidScoring: fid, engines, checks };
        log('');
        log(
          `collection throughput at fid.images = ${images} (batch ${batch} forward times scaled linearly; feature extraction + FID statistics ${fid ? `${(fid.totalMs / 1000).toFixed(2)} s per schedule, ${fid.network}` : 'not timed'}; perfect scaling over workers assumed):`,
        );
        log(collectionTable(engines, checks));
        for (const e of engines) log(`  ${e.tag}: ${e.workersRule}`);
      }

      await benchQueueThroughput(exp, { skip: o.skipQueue, log, note });

      const out: BenchReport = {
        backend: backendInfo(),
        experiment: exp.config.name,
        configHash: exp.hash,
        batch,
        repeats,
        cores,
        packages: packageVersions(),
        createdAt: new Date().toISOString(),
        onnxRuntime: ort,
        collectionEngine,
        models,
        memory,
        searchSeconds: search ? search.withPredictor.seconds : null,
        searchSecondsSyntheticScore: search ? search.syntheticScore.seconds : null,
        search,
        predictorSchedulesPerSecond: predictor ? Object.fromEntries(predictor.map((p) => [p.solver, p.schedulesPerSecond])) : null,
        predictor,
        schedulesPerHour: collection ? Object.fromEntries(collection.engines.map((e) => [e.tag, Object.fromEntries(e.solvers.map((s) => [s.solver, s.schedulesPerHour]))])) : null,
        collection,
        trainingParallelism,
        notes,
      };
      const file = o.out ?? path.join(repoRoot(), 'results', 'bench.json');
      writeJsonAtomic(file, out);
      if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      log(`wrote ${file}`);
    });
}
