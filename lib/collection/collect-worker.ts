/**
 * A collection worker process: loads the experiment's zoo on the sampling engine the parent chose
 * (ONNX Runtime sessions with one intra-op thread each: the parallelism is the worker processes),
 * the feature network and reference once, then scores the schedules the parent sends (one message
 * per job) and sends back the results. Started by collect.ts with `fork`; not a command of its own.
 */
import { loadExperiment } from '../config/index';
import { initBackend } from '../engine/backend';
import { scoreSchedule, type FidContext } from '../evaluation/schedule-fid';
import { ensureFidReference } from '../metrics/fid-reference';
import { loadSamplingModels, type SamplingEngine } from '../zoo/sampling-engine';
import { engineTag } from '../zoo/workspace';
import type { ScheduleJob } from './schedule-job';

export type WorkerRequest =
  | { type: 'init'; experiment: string; profile: string; set: string[]; engine: SamplingEngine; threads: number }
  | { type: 'job'; job: ScheduleJob }
  | { type: 'stop' };
export type WorkerReply =
  /** `engine`: the engine tag the worker samples on (names the latency table that prices its records) */
  | { type: 'ready'; backend: string; engine: string }
  | { type: 'result'; id: number; fid: number; nfe: number; images: number; seconds: number }
  | { type: 'error'; id: number | null; message: string };

let ctx: FidContext | null = null;

function send(m: WorkerReply): void {
  process.send!(m);
}

// The parent was killed (or exited): a worker alone has nobody to send its FIDs to, so it stops
// instead of sampling on as an orphan. The parent's rerun gives the unfinished ids out again.
process.on('disconnect', () => process.exit(0));

process.on('message', (m: WorkerRequest) => {
  void (async () => {
    if (m.type === 'init') {
      try {
        const exp = loadExperiment(m.experiment, { profile: m.profile, set: m.set });
        const info = await initBackend();
        const ref = await ensureFidReference(exp);
        const models = await loadSamplingModels(exp, m.engine, { threads: m.threads });
        const engine = engineTag(m.engine, info.backend);
        ctx = { exp, models: models.map((x) => x.denoiser), extractor: ref.extractor, reference: ref.stats, engine };
        send({ type: 'ready', backend: info.backend, engine });
      } catch (e) {
        send({ type: 'error', id: null, message: (e as Error).message });
      }
    } else if (m.type === 'job') {
      try {
        const r = await scoreSchedule(ctx!, m.job.solver, m.job.schedule);
        send({ type: 'result', id: m.job.id, fid: r.fid, nfe: r.nfe, images: r.images, seconds: r.seconds });
      } catch (e) {
        send({ type: 'error', id: m.job.id, message: (e as Error).message });
      }
    } else if (m.type === 'stop') {
      process.exit(0);
    }
  })();
});
