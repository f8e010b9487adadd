/**
 * `oms-dpm sample`: images from any model schedule (`--schedule`, the encoding `schedule` and
 * `search` print) or from one zoo member (`--model ID --steps N`), with DDIM or DPM-Solver, from
 * the fixed noise bank, written as a folder (PNGs + images.npz + samples.json) and/or a grid.
 * Parsing and printing only: the work is lib/evaluation/sample-run.ts.
 */
import { Command } from 'commander';
import { planSampling } from '../../evaluation/sample-plan';
import { prepareSampleOutputs, runSampling } from '../../evaluation/sample-run';
import { recommendOrtSplit } from '../../onnx/onnx-runtime';
import { SOLVERS, parseSolver } from '../../schedule/index';
import { KitError } from '../../util/errors';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { nonNegativeIntOption, positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

interface SampleOpts extends ExperimentOpts, EngineOpts {
  solver: string;
  schedule?: string;
  length?: string;
  model?: string;
  steps?: string;
  count: string;
  start: string;
  seed?: string;
  outDir?: string;
  grid?: string;
  out?: string;
  skip?: string;
  eta?: string;
}

export function sampleCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('sample')), 'ONNX Runtime intra-op threads (default: every core, one sampling job)')
    .description('sample images with a model schedule or one zoo model (DDIM or DPM-Solver) from the fixed noise bank; write a folder of PNGs + images.npz and/or a grid')
    .option('--solver <name>', `sampler: ${SOLVERS.join(' | ')}`, 'ddim')
    .option('--schedule <list>', 'model schedule in the official encoding, e.g. 0,1,0,2 (0 = null model, i = zoo[i-1]); its length is collection.ddimLength / dpmSolverLength')
    .option('--length <L>', 'with --schedule: accept this schedule length instead of the configured one (e.g. a front baseline of length = NFE)')
    .option('--model <id>', 'one zoo member alone (with --steps)')
    .option(
      '--steps <n>',
      'with --model: DDIM steps or DPM-Solver NFEs (= NFE, exactly). DDIM uniform skip: timesteps i * floor(T / n), i < n, the official DDIM range(0, T, T // n) when n divides T; ' +
        'otherwise its first n entries. DPM-Solver: single-step, the DPM-Solver code order mix (10 NFE -> orders 3,3,3,1), logSNR-uniform times',
    )
    .option('--count <n>', 'number of images', '64')
    .option('--start <i>', 'first noise-bank image (images start .. start + count - 1)', '0')
    .option('--seed <s>', 'draw from the noise bank of this seed instead of the experiment\'s (sampling.noiseBankSeed)')
    .option('--out-dir <dir>', 'write one PNG per image (000000.png = noise-bank image 0, ...), images.npz (uint8 [count, H, W, C] as `images`) and samples.json')
    .option('--grid <file.png>', 'write a grid of the images (default with --model and no --out-dir: results/<experiment>/zoo/<id>/samples-<solver><N>.png)')
    .option('--out <file.png>', 'same as --grid (kept for older scripts)')
    .option('--skip <type>', 'with --model and DDIM: timestep spacing, uniform | quadratic (default uniform)')
    .option('--eta <x>', 'with --model and DDIM: eta (default 0 = deterministic)')
    .action(async (o: SampleOpts) => {
      const exp = resolveExperiment(o);
      if (o.out !== undefined && o.grid !== undefined) throw new KitError('give --grid or --out, not both', { hint: '--out is the older name of --grid' });
      const plan = planSampling(exp, {
        solver: parseSolver(o.solver),
        schedule: o.schedule,
        length: o.length === undefined ? undefined : positiveIntOption('length', o.length),
        model: o.model,
        steps: o.steps === undefined ? undefined : positiveIntOption('steps', o.steps),
        skip: o.skip,
        eta: o.eta === undefined ? undefined : Number(o.eta),
      });
      const range = {
        start: nonNegativeIntOption('start', o.start),
        count: positiveIntOption('count', o.count),
        seed: o.seed === undefined ? undefined : nonNegativeIntOption('seed', o.seed),
      };
      const outputs = prepareSampleOutputs(exp, plan, range, { outDir: o.outDir, grid: o.grid ?? o.out });
      const choice = await resolveEngine(o);
      const threads = threadsOption(o, recommendOrtSplit({ jobs: 1 }).intraOpThreads);
      const r = await runSampling(exp, choice, plan, range, outputs, { threads, onExport: printExport });
      const bank = `noise bank ${r.record.noiseBank.seed}${r.record.noiseBank.experimentBank ? ' (the experiment\'s)' : ''}, images ${range.start}..${range.start + range.count - 1}`;
      console.log(`sampled ${range.count} images: ${plan.label}; ${bank}; ${choice.tag}, ${r.record.seconds.sampling.toFixed(1)} s`);
      if (r.outDir) console.log(`wrote ${r.outDir}: ${r.record.files.length} PNGs, images.npz, samples.json`);
      if (r.grid) console.log(`wrote ${r.grid}`);
    });
}
