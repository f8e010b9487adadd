/** `oms-dpm front`: the FID-vs-cost front (the paper's Fig. 1): search and baselines over a grid of budgets (resumable). */
import { Command } from 'commander';
import { ensureFidReference } from '../../metrics/fid-reference';
import { recommendOrtSplit } from '../../onnx/onnx-runtime';
import { makeProvenance } from '../../config/provenance';
import { parseSolver } from '../../schedule/index';
import { formatCost } from '../../search/budget';
import { engineRecord } from '../../zoo/sampling-engine';
import { formatQueueStatus, resolveQueueUrl, shownQueueUrl, type ScoringBackend } from '../../evaluation/scoring-backend';
import { startScoring } from '../../evaluation/start-scoring';
import { ProgressLine } from '../progress';
import { speedupAtEqualFid } from '../../front/speedup';
import { FRONT_SERIES, describePoint, experimentFrontInputs, experimentFrontSettings, parseBudgets, parseSeries, poolMeasurer, poolScorer, runFront, supportEventText, type FrontData, type FrontEvent, type FrontMeasurer, type FrontScorer } from '../../front/index';
import { realImageQuality } from '../../evaluation/real-quality';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';

interface FrontOpts extends ExperimentOpts, EngineOpts {
  solver: string;
  budgets?: string;
  budgetCount?: string;
  randomN?: string;
  series?: string;
  recordedTrainingFid: boolean;
  workers?: string;
  queue?: string;
}

function printEvent(e: FrontEvent): void {
  const c = (b: number) => `C = ${formatCost(b)} ms`;
  switch (e.kind) {
    case 'reset':
      console.log(`note: ${e.why}`);
      break;
    case 'resume':
      console.log(`resuming: ${e.points} points done, ${e.scores} FIDs cached`);
      break;
    case 'search':
      console.log(`  ${c(e.budget)}: search done in ${e.seconds.toFixed(1)} s (${e.population} schedules in the final population)`);
      break;
    case 'score':
      console.log(`  ${e.series}, ${c(e.budget)}: ${e.label}: FID ${e.fid.toFixed(2)}, cost ${formatCost(e.cost)} ms (${e.seconds.toFixed(1)} s)`);
      break;
    case 'held-out':
      console.log(`  ${e.series}, ${c(e.budget)}: ${e.label}: held-out FID ${e.fid.toFixed(2)} on ${e.images} images (${e.seconds.toFixed(1)} s)`);
      break;
    case 'point':
      console.log(`[${e.done}/${e.total}] ${e.series}, ${c(e.budget)}: ${e.point ? describePoint(e.point) : `no point: ${e.why}`}`);
      break;
    case 'support-training':
    case 'support-ensemble':
      console.log(supportEventText(e));
      break;
  }
}

function printSummary(data: FrontData): void {
  const names = FRONT_SERIES.filter((n) => data.series.some((s) => s.name === n));
  const h = data.heldOut;
  console.log(`\nheld-out FID at each budget (noise-bank images ${h.start}..${h.start + h.images - 1}, ${Math.round(100 * h.level)}% interval; picks chosen on images 0..${data.selectionImages - 1}; cost in ms per batch on ${data.engine}):`);
  console.log(['budget', ...names].join('\t'));
  for (const b of data.budgets) {
    const cells = names.map((n) => {
      const p = data.series.find((s) => s.name === n)?.points.find((q) => q.budget === b);
      const v = p && data.comparisons.find((x) => x.budget === b && x.baseline === n)?.verdict;
      return p ? `${p.fid.toFixed(2)} [${p.fidLow.toFixed(1)}, ${p.fidHigh.toFixed(1)}] (${formatCost(p.cost)})${v ? ` oms-dpm ${v}` : ''}` : '-';
    });
    console.log([formatCost(b), ...cells].join('\t'));
  }
  const count = (v: string) => data.comparisons.filter((x) => x.verdict === v).length;
  console.log(`oms-dpm against the baselines, paired on the held-out images: ${count('win')} wins, ${count('tie')} ties, ${count('loss')} losses`);
  const rows = speedupAtEqualFid(data);
  if (rows.length) {
    console.log('\nspeed-up of oms-dpm over the best single model at equal FID:');
    for (const r of rows) console.log(`  C = ${formatCost(r.budget)}: FID ${r.fid.toFixed(2)} at ${formatCost(r.cost)} ms; best single model ${r.baselineCost === null ? 'never reaches it' : `needs ${formatCost(r.baselineCost)} ms: ${r.speedup!.toFixed(2)}x`}`);
  }
}

export function frontCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('front')), 'ONNX Runtime intra-op threads per worker (default: the cores left over per worker, 1 on a 2-core machine with 2 workers)')
    .description("FID vs time cost (the paper's Fig. 1): OMS-DPM's search and the baselines (best single model, best of the training set, random, two-segment) at each budget of a grid; writes results/<experiment>/front-<solver>.json, resumable")
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .option('--budgets <list>', 'budgets C in ms per batch, e.g. 50,100,200 (default: a geometric grid from front.lowNfe NFEs of the cheapest model to front.highNfe of the dearest)')
    .option('--budget-count <n>', 'budgets of the default grid (default: front.budgetCount)')
    .option('--random-n <n>', 'random schedules per budget, mean and best of n (default: front.randomCount)')
    .option('--series <list>', `series to compute (default all): ${FRONT_SERIES.join(', ')}`)
    .option('--workers <n>', 'worker processes scoring FIDs in parallel (default: collection.workers)')
    .option('--queue <url>', 'send the FIDs to score to this queue (redis://HOST:PORT or unix:///path/redis.sock), scored by `oms-dpm worker` processes on any machine; local = the local pool (default: OMS_DPM_QUEUE, else collection.queue, else the local pool)')
    .option('--recorded-training-fid', "report the training set's pick with its FID as collected instead of re-scoring it on search.rerankImages images", false)
    .action(async (o: FrontOpts) => {
      const exp = resolveExperiment(o);
      const solver = parseSolver(o.solver);
      const budgets = o.budgets === undefined ? null : parseBudgets(o.budgets);
      const f = exp.config.front;
      const settings = {
        ...experimentFrontSettings(exp),
        randomCount: o.randomN === undefined ? f.randomCount : positiveIntOption('random-n', o.randomN),
        rescoreTrainingBest: !o.recordedTrainingFid,
        ...(o.series === undefined ? {} : { series: parseSeries(o.series) }),
      };
      const budgetCount = o.budgetCount === undefined ? f.budgetCount : positiveIntOption('budget-count', o.budgetCount);
      const workers = o.workers === undefined ? exp.config.collection.workers : positiveIntOption('workers', o.workers);
      const queue = resolveQueueUrl(o.queue, exp);
      const threads = threadsOption(o, recommendOrtSplit({ jobs: workers, maxWorkers: workers }).intraOpThreads);
      // after the options are checked: a mistyped option costs nothing, not even a lock file
      lockResults(exp, 'front');
      const choice = await resolveEngine(o);
      const ref = await ensureFidReference(exp);
      const real = ref.extractor.classProbabilities ? await realImageQuality(exp, ref.extractor) : null;
      ref.extractor.dispose();
      let pool: ScoringBackend | null = null;
      let scorer: FrontScorer | null = null;
      let measurer: FrontMeasurer | null = null;
      try {
        let lastGeneration = 0;
        const run = experimentFrontInputs(exp, solver, {
          engine: choice.tag,
          score: (s, e, n) => scorer!(s, e, n),
          measure: (s, e, start, n) => measurer!(s, e, start, n),
          reference: ref.stats,
          qualityRange: real?.range ?? null,
          featureNetwork: ref.description,
          provenance: { ...makeProvenance(exp), engine: engineRecord(choice) },
          budgets,
          budgetCount,
          budgetNfes: { low: f.lowNfe, high: f.highNfe },
          settings,
          onEvent: printEvent,
          onGeneration: (budget, g) => {
            if (Date.now() - lastGeneration > 10000) {
              lastGeneration = Date.now();
              console.log(`  C = ${formatCost(budget)} ms: search generation ${g.generation}, best predicted score ${g.bestScore.toFixed(4)}`);
            }
          },
          onFrontGeneration: (g) => {
            if (Date.now() - lastGeneration > 10000) {
              lastGeneration = Date.now();
              console.log(`  whole-front search generation ${g.generation}: ${g.scoredCount} schedules scored; best predicted score per budget ${g.bestScoreByBudget.map((x) => x.toFixed(3)).join(', ')}`);
            }
          },
        });
        console.log(`front of ${exp.config.name} (${solver}, length ${run.length}) on ${choice.tag}: budgets ${run.budgets.map(formatCost).join(', ')} ms; series ${run.settings.series.join(', ')}; ${run.images} images per FID; ${queue ? `scored through the queue at ${shownQueueUrl(queue)} (workers: oms-dpm worker)` : `${workers} worker(s) x ${threads} thread(s)`}`);
        const bar = new ProgressLine();
        pool = await startScoring(exp, { engine: choice.engine, workers, threads, onExport: printExport, queue, onQueueStatus: (s) => bar.update(s.done, s.done + s.inFlight + s.failed, formatQueueStatus(s)) });
        scorer = poolScorer(pool);
        measurer = poolMeasurer(pool);
        const data = await runFront(run);
        printSummary(data);
        console.log(`wrote ${run.file}`);
      } finally {
        await pool?.close();
      }
    });
}
