/**
 * `oms-dpm collection-study`: active against random collection at equal record counts (issue 19,
 * item 4; lib/study/collection-study.ts). Completes both datasets to collection.count first
 * (resumable: random with `collect`, active with its rounds), then trains a predictor per
 * (strategy, record count) two at a time in child processes, then computes their fronts on the
 * scoring backend. Writes results/<experiment>/collection-study-<solver>.json.
 */
import { Command } from 'commander';
import { collectActive } from '../../active/active-collect';
import { collect } from '../../collection/collect';
import { printCopied } from './collect';
import { makeProvenance } from '../../config/provenance';
import { realImageQuality } from '../../evaluation/real-quality';
import { formatQueueStatus, resolveQueueUrl, type ScoringBackend } from '../../evaluation/scoring-backend';
import { startScoring } from '../../evaluation/start-scoring';
import { poolMeasurer, poolScorer, supportEventText } from '../../front/index';
import { ensureFidReference } from '../../metrics/fid-reference';
import { trainExperimentPredictorInChild } from '../../predictor/predictor-process';
import { SOLVERS, parseSolver, type SolverName } from '../../schedule/index';
import { runCollectionStudy, studyFile, studyRecordCounts, type CollectionStudy } from '../../study/collection-study';
import { engineRecord } from '../../zoo/sampling-engine';
import { printExport, resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { positiveIntOption } from '../option-values';
import { ProgressLine } from '../progress';

type StudyOpts = ExperimentOpts & EngineOpts & { solver?: string; records?: string; workers?: string; queue?: string };

function printStudy(s: CollectionStudy): void {
  console.log(`\n${s.solver}: ${s.datasetRecords} records per dataset (${s.validationRecords} validation); held-out ${s.heldOut.images} images`);
  console.log('strategy  train  tau val  mean dFID to best baseline [95%]   win/tie/loss');
  for (const p of s.points) {
    const m = p.meanDifference;
    console.log(`${p.strategy.padEnd(8)} ${String(p.trainingRecords).padStart(6)}  ${p.kendallTau.validation.toFixed(3).padStart(7)}  ${m.value.toFixed(2).padStart(8)} [${m.low.toFixed(2)}, ${m.high.toFixed(2)}]`.padEnd(66) + `${p.verdicts.win}/${p.verdicts.tie}/${p.verdicts.loss}`);
  }
  const v = s.verdict;
  if (v) {
    const match = v.activeRecordsToMatch === null ? `no active point matches random with all ${v.allRecords} records` : `active matches random's ${v.allRecords} records with ${v.activeRecordsToMatch} (ratio ${v.ratio!.toFixed(2)})`;
    console.log(`with ${v.allRecords} training records ${v.better} is better (mean dFID ${v.randomAtAll.toFixed(2)} random, ${v.activeAtAll.toFixed(2)} active); ${match}`);
  }
}

export function collectionStudyCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('collection-study')))
    .description("active vs random collection at equal record counts: per strategy and count, a predictor trained on the dataset's first n training records and its front on held-out images (tau, mean FID difference to the best record-free baseline, win/tie/loss); completes both datasets first; resumable; writes results/<experiment>/collection-study-<solver>.json")
    .option('--solver <name>', 'ddim | dpm-solver (default: both)')
    .option('--records <list>', 'training-record counts, e.g. 25,50,100,225 (default: collection.active.initialRecords x 1, 2, 4, 6, a third of all, then all)')
    .option('--workers <n>', 'worker processes scoring FIDs (default: collection.workers)')
    .option('--queue <url>', 'score through this queue (redis://HOST:PORT or unix:///path/redis.sock) instead of the local pool (default: OMS_DPM_QUEUE, else collection.queue)')
    .action(async (o: StudyOpts) => {
      const exp = resolveExperiment(o);
      const active = resolveExperiment({ ...o, set: ['collection.strategy=active', ...o.set] });
      const random = resolveExperiment({ ...o, set: ['collection.strategy=random', ...o.set] });
      const solvers: SolverName[] = o.solver === undefined ? [...SOLVERS] : [parseSolver(o.solver)];
      const records = o.records === undefined ? undefined : o.records.split(',').map((x) => positiveIntOption('records', x.trim()));
      studyRecordCounts(exp, records); // a bad --records is an error before any collection
      const workers = o.workers === undefined ? exp.config.collection.workers : positiveIntOption('workers', o.workers);
      const queue = resolveQueueUrl(o.queue, exp);
      lockResults(exp, 'collection-study');
      const choice = await resolveEngine(o);
      const count = exp.config.collection.count;
      for (const solver of solvers) {
        const bar = new ProgressLine();
        const onRecord = (p: { done: number; total: number; record: { fid: number } }) => bar.update(p.done, p.total, `${solver} FID ${p.record.fid.toFixed(1)}`);
        console.log(`${solver}: the random and the active dataset, ${count} records each`);
        await collect(random, solver, count, { engine: choice.engine, workers, queue, onExport: printExport, onRecord });
        await collectActive(active, solver, count, {
          engine: choice.engine, workers, queue, onExport: printExport, onRecord,
          onTraining: (round, n) => console.log(`  active round ${round}: training the ensemble on ${n} training records`),
          onCopied: printCopied,
        });
      }
      const ref = await ensureFidReference(exp);
      const real = ref.extractor.classProbabilities ? await realImageQuality(exp, ref.extractor) : null;
      ref.extractor.dispose();
      for (const solver of solvers) {
        let pool: ScoringBackend | null = null;
        try {
          const bar = new ProgressLine();
          // the pool's workers wait idle while the predictors train, then score the fronts
          pool = await startScoring(exp, { engine: choice.engine, workers, onExport: printExport, queue, onQueueStatus: (s) => bar.update(s.done, s.done + s.inFlight + s.failed, formatQueueStatus(s)) });
          const study = await runCollectionStudy(exp, solver, {
            front: {
              engine: choice.tag,
              score: poolScorer(pool),
              measure: poolMeasurer(pool),
              reference: ref.stats,
              qualityRange: real?.range ?? null,
              featureNetwork: ref.description,
              provenance: { ...makeProvenance(exp), engine: engineRecord(choice) },
              onEvent: (e) => {
                const text = supportEventText(e);
                if (text) console.log(`  ${solver}: ${text}`);
              },
            },
            trainingRecords: records,
            train: (place) => trainExperimentPredictorInChild(exp, solver, undefined, place),
            trainingProcesses: 2,
            onEvent: (e) => console.log(`  ${solver} ${e.strategy} ${e.trainingRecords}: ${e.text}`),
          });
          printStudy(study);
          console.log(`wrote ${studyFile(exp, solver)}`);
        } finally {
          await pool?.close();
        }
      }
    });
}
