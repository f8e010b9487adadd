/** `oms-dpm collect`: the schedule-FID dataset (random schedules scored by FID), resumable, on worker processes. */
import { Command } from 'commander';
import { collect, datasetFile } from '../../collection/collect';
import { readDataset } from '../../collection/dataset-file';
import { summariseSplits } from '../../collection/summary';
import { parseSolver } from '../../schedule/index';
import { printExport, resolveEngine, withEngineOption, type EngineOpts } from '../engine-options';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';
import { ProgressLine, formatDuration } from '../progress';
import { formatQueueStatus, resolveQueueUrl, shownQueueUrl } from '../../evaluation/scoring-backend';

export function collectCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('collect')))
    .description('grow the schedule-FID dataset to --count records: random schedules (method §4) scored by FID on the fixed noise bank; resumable')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .requiredOption('--count <n>', 'records the dataset should have')
    .option('--workers <n>', 'worker processes (default: collection.workers); with ONNX Runtime each uses one intra-op thread')
    .option('--queue <url>', 'send the scoring jobs to this queue (redis://HOST:PORT or unix:///path/redis.sock), scored by `oms-dpm worker` processes on any machine; local = the local pool (default: OMS_DPM_QUEUE, else collection.queue, else the local pool)')
    .action(async (o: ExperimentOpts & EngineOpts & { solver: string; count: string; workers?: string; queue?: string }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'collect');
      const solver = parseSolver(o.solver);
      const count = positiveIntOption('count', o.count);
      const workers = o.workers === undefined ? undefined : positiveIntOption('workers', o.workers);
      const queue = resolveQueueUrl(o.queue, exp);
      const choice = await resolveEngine(o);
      const bar = new ProgressLine();
      // one progress line: the last record, and the queue's job counts when there is a queue
      let line = { done: 0, total: count, text: '' };
      let queueText = '';
      const show = () => bar.update(line.done, line.total, line.text + queueText);
      const records = await collect(exp, solver, count, {
        engine: choice.engine,
        workers,
        queue,
        onExport: printExport,
        onEngine: (tag, table) => console.log(`workers sample on ${tag}; record costs ${table ? `priced from ${table}` : 'not priced (no latency table for this engine yet: run oms-dpm profile-latency)'}`),
        onReady: (have, todo, w) => {
          line = { ...line, done: have };
          console.log(`dataset ${datasetFile(exp, solver)}: ${have} records, ${todo} to collect${queue ? (todo ? ` through the queue at ${shownQueueUrl(queue)} (workers: oms-dpm worker)` : '') : w ? ` with ${w} worker(s)` : ''}`);
        },
        onQueueStatus: (s) => {
          queueText = `${line.text ? ' | ' : ''}${formatQueueStatus(s)}`;
          show();
        },
        onRecord: (p) => {
          line = { done: p.done, total: p.total, text: `FID ${p.record.fid.toFixed(2)} NFE ${p.record.nfe} | ${p.ratePerHour.toFixed(0)}/h ETA ${formatDuration(p.etaSeconds)}` };
          if (queueText) queueText = ` | ${queueText.replace(/^ \| /, '')}`;
          show();
        },
      });
      printSummary(records);
    });
}

export function collectSummaryCommand(): Command {
  return withExperimentOptions(new Command('collect-summary'))
    .description('per-split summary (count, FID and NFE statistics) of the schedule-FID dataset')
    .requiredOption('--solver <name>', 'ddim | dpm-solver')
    .action((o: ExperimentOpts & { solver: string }) => {
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
