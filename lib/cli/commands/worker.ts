/**
 * `oms-dpm worker`: scores the jobs of an experiment's scoring queue (BullMQ on Redis) until stopped,
 * on any machine with the kit and the same experiment (config, trained zoo). It loads the zoo once
 * per scoring process and refuses jobs made under another config hash, zoo or engine. It writes no
 * results (the submitting collect / front / reproduce does), so it takes no results lock.
 * SIGINT / SIGTERM: finish the jobs in hand and stop; a second signal puts them back in the queue
 * and stops at once.
 */
import { Command } from 'commander';
import { resolveQueueUrl, shownQueueUrl } from '../../evaluation/scoring-backend';
import { KitError } from '../../util/errors';
import { printExport, resolveEngine, threadsOption, withEngineOption, type EngineOpts } from '../engine-options';
import { positiveIntOption } from '../option-values';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

export function workerCommand(): Command {
  return withEngineOption(withExperimentOptions(new Command('worker')), 'ONNX Runtime intra-op threads per scoring process (default 1)')
    .description('score the jobs of the experiment\'s scoring queue (what collect / front / reproduce --queue submit) until stopped; start one per machine, with the submitter\'s --experiment, --profile and --set')
    .option('--queue <url>', 'the queue: redis://HOST:PORT or unix:///path/redis.sock (default: OMS_DPM_QUEUE, else collection.queue)')
    .option('--concurrency <n>', 'jobs scored at once, one scoring process each (default: collection.workers)')
    .action(async (o: ExperimentOpts & EngineOpts & { queue?: string; concurrency?: string }) => {
      const exp = resolveExperiment(o);
      const url = resolveQueueUrl(o.queue, exp);
      if (!url) throw new KitError('a worker needs a queue to take jobs from', { hint: 'give --queue redis://HOST:PORT (or set OMS_DPM_QUEUE or collection.queue)' });
      const concurrency = o.concurrency === undefined ? exp.config.collection.workers : positiveIntOption('concurrency', o.concurrency);
      const threads = threadsOption(o, 1);
      const choice = await resolveEngine(o);
      const { startQueueWorker } = require('../../evaluation/queue/queue-worker') as typeof import('../../evaluation/queue/queue-worker');
      const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
      const w = await startQueueWorker(exp, { engine: choice.engine, url, concurrency, threads, onExport: printExport, log });
      log(
        `worker ${w.name} ready: queue ${w.queue} at ${shownQueueUrl(url)}; experiment ${exp.config.name} (profile ${exp.profile}, config ${exp.hash}); ` +
          `zoo ${w.identity.weights.map((m) => `${m.id} ${m.sha256.slice(0, 12)}`).join(', ')}; ${w.identity.engine}; ${w.processes} scoring process(es)`,
      );
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          log(`${sig}: finishing the jobs in hand, taking no new ones (send it again to put them back in the queue and stop now)`);
          void w.stop('finish', sig);
        } else if (signals === 2) {
          log(`${sig} again: putting the jobs in hand back in the queue`);
          void w.stop('release', sig);
        } else {
          log(`${sig} a third time: exiting now`);
          process.exit(130);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const s = await w.stopped;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log(`worker ${w.name} stopped (${s.reason}): ${s.scored} job(s) scored, ${s.refused} refused, ${s.failed} failed, ${s.released} released`);
      if (!/^SIG/.test(s.reason)) process.exitCode = 1;
      // a Redis client cut off mid-reconnect can keep the event loop alive: do not outlive the stop
      setTimeout(() => process.exit(), 2000).unref();
    });
}
