/**
 * `oms-dpm collect`: the schedule-FID dataset, resumable, on worker processes: random schedules
 * (method §4), or with --strategy active (collection.strategy) a random start and then rounds
 * chosen by a predictor ensemble (lib/active/).
 */
import { Command } from 'commander';
import { datasetFile, type CollectOptions } from '../../collection/collect';
import { readDataset } from '../../collection/dataset-file';
import { summariseSplits } from '../../collection/summary';
import { activePlanFile, type ActiveCollectOptions } from '../../active/active-collect';
import { collectByStrategy } from '../../active/collect-by-strategy';
import { formatCost } from '../../search/budget';
import { parseSolver } from '../../schedule/index';
import { KitError } from '../../util/errors';
import { printExport, resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { ProgressLine, formatDuration } from '../progress';
import { formatQueueStatus, resolveQueueUrl, shownQueueUrl } from '../../evaluation/scoring-backend';

type CollectOpts = ExperimentOpts & EngineOpts & { solver: string; count: string; workers?: string; queue?: string; strategy?: string };

const STRATEGIES = ['random', 'active'];

/** --strategy as a `--set collection.strategy=...` ahead of the user's own --set (which win). */
function withStrategy<O extends ExperimentOpts & { strategy?: string }>(o: O): O {
  if (o.strategy === undefined) return o;
  if (!STRATEGIES.includes(o.strategy)) throw new KitError(`--strategy must be one of ${STRATEGIES.join(', ')}, got '${o.strategy}'`, { hint: 'random (the official dataset) or active (predictor-guided rounds)' });
  return { ...o, set: [`collection.strategy=${o.strategy}`, ...o.set] };
}

/** The progress line and the messages of a collection: one line for the last record, and the queue's job counts when there is a queue. */
function reporting(datasetPath: string, count: number, queue: string | null): Omit<CollectOptions, 'engine' | 'workers' | 'queue'> {
  const bar = new ProgressLine();
  let line = { done: 0, total: count, text: '' };
  let queueText = '';
  const show = () => bar.update(line.done, line.total, line.text + queueText);
  return {
    onExport: printExport,
    onEngine: (tag, table) => console.log(`workers sample on ${tag}; record costs ${table ? `priced from ${table}` : 'not priced (no latency table for this engine yet: run oms-dpm profile-latency)'}`),
    onReady: (have, todo, w) => {
      line = { ...line, done: have };
      console.log(`dataset ${datasetPath}: ${have} records, ${todo} to collect${queue ? (todo ? ` through the queue at ${shownQueueUrl(queue)} (workers: oms-dpm worker)` : '') : w ? ` with ${w} worker(s)` : ''}`);
    },
    onQueueStatus: (s) => {
      queueText = `${line.text ? ' | ' : ''}${formatQueueStatus(s)}`;
      show();
    },
    onRecord: (p) => {
      line = { done: p.done, total: p.total, text: `FID ${p.record.fid.toFixed(2)} NFE ${p.record.nfe}${p.record.round !== undefined ? ` (round ${p.record.round})` : ''} | ${p.ratePerHour.toFixed(0)}/h ETA ${formatDuration(p.etaSeconds)}` };
      if (queueText) queueText = ` | ${queueText.replace(/^ \| /, '')}`;
      show();
    },
  };
}

/** What active collection says about its rounds. */
function roundMessages(planFile: string): Pick<ActiveCollectOptions, 'onTraining' | 'onRound'> {
  return {
    onTraining: (round, records) => console.log(`round ${round}: training the ensemble on ${records} training records`),
    onRound: (r) => {
      const budgets = [...new Set(r.chosen.map((c) => c.budget).filter((b): b is number => b !== null))].sort((a, b) => a - b);
      console.log(
        `round ${r.round}: ${r.chosen.length} schedules chosen (${r.acquisition}) at budgets ${budgets.map(formatCost).join(', ')} ms` +
          `${r.randomDraws ? `, ${r.randomDraws} drawn at random (the searches had nothing unscored left)` : ''}; ` +
          `training ${formatDuration(r.seconds.training)}, search ${formatDuration(r.seconds.search)}; plan ${planFile}`,
      );
    },
  };
}

/** What active collection took over from the random dataset. */
export function printCopied(records: number, from: string): void {
  console.log(`took over ${records} records of ${from} (its validation records and random start: the same draws, scored on the same images)`);
}

export function collectCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('collect')))
    .description('grow the schedule-FID dataset to --count records scored by FID on the fixed noise bank: random schedules (method §4), or --strategy active (a random start, then rounds chosen by a predictor ensemble); resumable')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .requiredOption('--count <n>', 'records the dataset should have')
    .option('--strategy <name>', 'random | active (default: collection.strategy); active writes schedule-fid-<solver>.active.jsonl and its plan, and later stages read it when collection.strategy is active')
    .option('--workers <n>', 'worker processes (default: collection.workers); with ONNX Runtime each uses one intra-op thread')
    .option('--queue <url>', 'send the scoring jobs to this queue (redis://HOST:PORT or unix:///path/redis.sock), scored by `oms-dpm worker` processes on any machine; local = the local pool (default: OMS_DPM_QUEUE, else collection.queue, else the local pool)')
    .action(async (given: CollectOpts) => {
      const o = withStrategy(given);
      const exp = resolveExperiment(o);
      lockResults(exp, 'collect');
      const solver = parseSolver(o.solver);
      const count = positiveIntOption('count', o.count);
      const workers = o.workers === undefined ? undefined : positiveIntOption('workers', o.workers);
      const queue = resolveQueueUrl(o.queue, exp);
      const choice = await resolveEngine(o);
      const common = { engine: choice.engine, workers, queue, ...reporting(datasetFile(exp, solver), count, queue) };
      const records = await collectByStrategy(exp, solver, count, { ...common, ...roundMessages(activePlanFile(exp, solver)), onCopied: printCopied });
      printSummary(records);
    });
}

export function collectSummaryCommand(): Command {
  return withExperimentOptions(new Command('collect-summary'))
    .description('per-split summary (count, FID and NFE statistics) of the schedule-FID dataset')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .option('--strategy <name>', 'random | active: which dataset (default: collection.strategy)')
    .action((given: ExperimentOpts & { solver: string; strategy?: string }) => {
      const o = withStrategy(given);
      const exp = resolveExperiment(o);
      const solver = parseSolver(o.solver);
      printSummary(readDataset(datasetFile(exp, solver), { experiment: exp.config.name, solver }).records);
    });
}

function printSummary(records: Parameters<typeof summariseSplits>[0]): void {
  const { rows } = summariseSplits(records);
  console.log('split        count   FID mean    std      min      max    NFE mean  min  max');
  for (const r of rows) {
    console.log(`${r.split.padEnd(11)} ${String(r.count).padStart(6)} ${r.fidMean.toFixed(2).padStart(9)} ${r.fidStd.toFixed(2).padStart(7)} ${r.fidMin.toFixed(2).padStart(8)} ${r.fidMax.toFixed(2).padStart(8)} ${r.nfeMean.toFixed(1).padStart(9)} ${String(r.nfeMin).padStart(4)} ${String(r.nfeMax).padStart(4)}`);
  }
}
