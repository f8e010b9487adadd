/** `oms-dpm sample-quality`: how recognisable each zoo model's single-model DDIM samples are, against the real validation split. */
import { Command } from 'commander';
import { writeSampleQuality, type SampleQualityReport } from '../../evaluation/sample-quality-report';
import type { SampleQuality } from '../../metrics/sample-quality';
import { printExport, resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { positiveIntOption } from '../option-values';
import { ProgressLine } from '../progress';

export function sampleQualityCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('sample-quality')))
    .description(
      "each zoo model alone with DDIM at sampleQuality.ddimSteps, on the held-out noise-bank images (search.finalImagesStart, search.finalImages): share the label classifier is confident about, class balance, brightness outside the real data's range; the real validation split as the ceiling; resumable; writes results/<experiment>/sample-quality.json and real-images.png (64 validation images, to look at beside the zoo's sample grids)",
    )
    .option('--workers <n>', 'scoring worker processes (default: collection.workers); with ONNX Runtime each uses one intra-op thread')
    .action(async (o: ExperimentOpts & EngineOpts & { workers?: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'sample-quality');
      const workers = o.workers === undefined ? undefined : positiveIntOption('workers', o.workers);
      const choice = await resolveEngine(o);
      const bar = new ProgressLine();
      const { file, realGrid, report } = await writeSampleQuality(exp, choice, {
        workers,
        onExport: printExport,
        onReady: (kept, todo, w) => console.log(`${kept} row(s) kept from the last run, ${todo} to measure${w ? ` with ${w} worker(s)` : ''}`),
        onProgress: (p) => bar.update(p.done, p.total, `images (${p.modelId} DDIM-${p.steps})`),
      });
      printReport(report);
      console.log(`wrote ${file}`);
      console.log(`wrote ${realGrid} (real validation images, to compare with the zoo's sample grids)`);
    });
}

const share = (x: number) => `${(100 * x).toFixed(1)}%`;

function line(model: string, steps: string, q: SampleQuality, fid: string): string {
  return [
    model.padEnd(8),
    steps.padStart(5),
    share(q.confident).padStart(10),
    q.meanTopProbability.toFixed(3).padStart(9),
    share(q.largestClassShare).padStart(9),
    String(q.smallestClassCount).padStart(9),
    share(q.offRange).padStart(10),
    share(q.tooBright).padStart(11),
    fid.padStart(8),
  ].join(' ');
}

export function printReport(r: SampleQualityReport): void {
  console.log(
    `${r.heldOut.images} held-out noise-bank images from ${r.heldOut.start}, ${r.engine}; confident: top probability >= ${r.confidentProbability}; ` +
      `off-range: mean intensity outside [${r.range.low.toFixed(4)}, ${r.range.high.toFixed(4)}] (percentiles ${r.intensityPercentile}..${100 - r.intensityPercentile} of ${r.range.images} real images)`,
  );
  console.log(`${'model'.padEnd(8)} ${'steps'.padStart(5)} ${'confident'.padStart(10)} ${'mean top'.padStart(9)} ${'largest'.padStart(9)} ${'smallest'.padStart(9)} ${'off-range'.padStart(10)} ${'too bright'.padStart(11)} ${'FID'.padStart(8)}`);
  console.log(`${''.padEnd(8)} ${''.padStart(5)} ${''.padStart(10)} ${'prob'.padStart(9)} ${'class'.padStart(9)} ${'class n'.padStart(9)}`);
  for (const row of r.rows) console.log(line(row.modelId, String(row.steps), row.quality, row.fid.toFixed(2)));
  console.log(line('real', '-', r.real, '-') + `   (${r.real.data}, ${r.real.images} images)`);
  if (r.rows.length < r.plannedRows) console.log(`${r.plannedRows - r.rows.length} of ${r.plannedRows} rows not measured yet: rerun to finish`);
}
