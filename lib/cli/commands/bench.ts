/**
 * `oms-dpm bench` (`npm run bench`): what the kit's stages cost on this machine (lib/bench/run-bench.ts
 * lists the sections). Writes results/bench.json (or --out); --json prints the JSON only (progress
 * goes to stderr). --model, --train-run and --memory-run are the bench's own child processes.
 */
import { Command } from 'commander';
import { isBenchChildMode, runBenchChildMode } from '../../bench/child-modes';
import { runBench } from '../../bench/run-bench';
import { collectionCheckImages } from '../../bench/section-collection';
import { initBackend } from '../../tfjs/backend';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

type Flag = 'json' | 'torch' | 'skipTorch' | 'skipOrt' | 'skipSearch' | 'skipMemory' | 'memoryRun' | 'skipPredictor' | 'skipCollection' | 'skipCheck' | 'skipQueue' | 'skipParallel' | 'trainRun' | 'waitGo';
type BenchOpts = ExperimentOpts & Record<Flag, boolean> & { batch: string; repeats: string; memorySteps: string; searchGenerations: string; predictorSchedules: string; model?: string; out?: string; checkImages?: string };

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
      const memorySteps = positiveIntOption('memory-steps', o.memorySteps);
      const checkImages = collectionCheckImages(exp, o.checkImages === undefined ? undefined : positiveIntOption('check-images', o.checkImages));
      const info = await initBackend();
      if (isBenchChildMode(o)) {
        const r = await runBenchChildMode(exp, { ...o, memorySteps, batch, repeats });
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      const log = (s: string) => (o.json ? process.stderr.write(s + '\n') : console.log(s));
      const experimentArgs = ['--experiment', o.experiment, '--profile', o.profile, ...o.set.flatMap((s) => ['--set', s])];
      const { report, file } = await runBench(exp, info, { ...o, experimentArgs, batch, repeats, generations, predictorSchedules, memorySteps, checkImages, useTorch: o.torch && !o.skipTorch }, log);
      if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      log(`wrote ${file}`);
    });
}
