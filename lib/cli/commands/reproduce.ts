/**
 * `oms-dpm reproduce` (`npm run reproduce`): the experiment's stages in order. Stages that exist
 * run (each reuses work already done for the same resolved config); stages not built yet are named
 * so nobody mistakes a partial report for a full one.
 */
import * as fs from 'node:fs';
import { Command } from 'commander';
import { ensureFidReference } from '../../metrics/fid-reference';
import { recommendOrtSplit } from '../../onnx/engine-choice';
import { trainZoo } from '../../zoo/train-zoo';
import { latencyFile } from '../../zoo/workspace';
import { resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { LATENCY_ORT_THREADS, writeLatencyTable } from './profile-latency';
import { ProgressLine, formatDuration } from '../progress';

export const PIPELINE_STAGES = ['zoo', 'latency', 'fid-reference', 'collection', 'predictor', 'search-front', 'figures'] as const;
/** Stages this version of the kit implements. */
export const IMPLEMENTED_STAGES: readonly string[] = ['zoo', 'latency', 'fid-reference'];

export function reproduceCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('reproduce'), 'mnist'))
    .description(`run the pipeline (${PIPELINE_STAGES.join(' -> ')}) for an experiment; resumes interrupted work`)
    .action(async (o: ExperimentOpts & EngineOpts) => {
      const exp = resolveExperiment(o);
      const choice = await resolveEngine(o);
      const t0 = Date.now();
      const stageTimes: Record<string, number> = {};
      console.log(`reproduce: experiment ${exp.config.name}, profile ${exp.profile}, config ${exp.hash}, backend ${choice.backend}, sampling engine ${choice.tag}`);

      let ts = Date.now();
      console.log('stage zoo: training the model zoo');
      let bar = new ProgressLine();
      const summaries = await trainZoo(exp, {
        resume: true,
        grid: { count: 64, steps: 50, engine: choice.engine, threads: recommendOrtSplit({ jobs: 1 }).intraOpThreads },
        onExport: (id, file, reason) => console.log(`  ${id}: exported ${file} (${reason})`),
        onModelStart: (id, iters) => {
          console.log(`  ${id}: ${iters} steps`);
          bar = new ProgressLine();
        },
        onProgress: (id, p) => bar.update(p.step, p.iterations, `${id} loss ${p.loss.toFixed(4)} ETA ${formatDuration(p.etaSeconds)}`),
      });
      for (const s of summaries) console.log(`  ${s.modelId}: ${s.params} params, ${s.steps} steps${s.skipped ? ' (done earlier)' : ''}`);
      stageTimes.zoo = (Date.now() - ts) / 1000;

      ts = Date.now();
      const latFile = latencyFile(exp, choice.tag);
      const fresh = fs.existsSync(latFile) && (JSON.parse(fs.readFileSync(latFile, 'utf8')) as { configHash?: string }).configHash === exp.hash;
      if (fresh && summaries.every((s) => s.skipped)) console.log(`stage latency: ${latFile} is current`);
      else {
        console.log(`stage latency: profiling each model at batch ${exp.config.sampling.batchSize} on ${choice.tag} (the engine that samples)`);
        const { table } = await writeLatencyTable(exp, choice, { rounds: 15, warmup: 2, threads: LATENCY_ORT_THREADS });
        for (const [id, l] of Object.entries(table.models)) console.log(`  ${id}: ${l.medianMs.toFixed(1)} ms (IQR ${l.iqrMs.toFixed(1)})`);
      }
      stageTimes.latency = (Date.now() - ts) / 1000;

      ts = Date.now();
      console.log('stage fid-reference: feature network and training-split statistics');
      bar = new ProgressLine();
      const ref = await ensureFidReference(exp, (what, done, total) => bar.update(done, total, what));
      console.log(`  ${ref.images} images; features: ${ref.description}`);
      stageTimes['fid-reference'] = (Date.now() - ts) / 1000;

      const missing = PIPELINE_STAGES.filter((s) => !IMPLEMENTED_STAGES.includes(s));
      console.log(`reproduce: finished the implemented stages in ${formatDuration((Date.now() - t0) / 1000)} (${Object.entries(stageTimes).map(([k, v]) => `${k} ${formatDuration(v)}`).join(', ')}).`);
      if (missing.length) console.log(`reproduce: not implemented yet in this version of the kit: ${missing.join(', ')}`);
    });
}
