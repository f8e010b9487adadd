/**
 * A scoring worker process: loads the experiment's zoo on the sampling engine the parent chose
 * (ONNX Runtime sessions with `threads` intra-op threads; the parallelism is the worker processes),
 * the feature network and the FID reference once, then scores the schedules the parent sends (one
 * message per job: real FID on the first `images` images of the noise bank, or the measures of a
 * held-out range of it) and sends back the results. Started by scoring-pool.ts with `fork`; not a command of its own.
 */
import { loadExperimentSource, type ExperimentSource } from '../config/index';
import { initBackend } from '../tfjs/backend';
import { ensureFidReference } from '../metrics/fid-reference';
import type { SolverName } from '../schedule/index';
import { loadSamplingModels, type SamplingEngine } from '../zoo/sampling-engine';
import { engineTag } from '../zoo/workspace';
import { encodeMeasures, type EncodedMeasures } from '../metrics/image-measures';
import { measureSchedule, scoreSchedule, type FidContext } from './schedule-fid';

export type WorkerRequest =
  | { type: 'init'; source: ExperimentSource; engine: SamplingEngine; threads: number }
  /** one job at a time: the parent sends the next one after the answer */
  | { type: 'job'; solver: SolverName; schedule: number[]; images: number }
  /** the measures of noise-bank images [start, start + count) (held-out evaluation) */
  | { type: 'measure'; solver: SolverName; schedule: number[]; start: number; count: number }
  | { type: 'stop' };
export type WorkerReply =
  /** `engine`: the engine tag the worker samples on (names the latency table that prices its FIDs) */
  | { type: 'ready'; backend: string; engine: string }
  | { type: 'result'; fid: number; nfe: number; images: number; seconds: number }
  | { type: 'measures'; measures: EncodedMeasures; seconds: number }
  /** `during`: loading (the worker is unusable) or the job it was given (the worker goes on) */
  | { type: 'error'; during: 'start' | 'job'; message: string };

let ctx: FidContext | null = null;

function send(m: WorkerReply): void {
  // a parent killed while this job ran (a queue worker stopped with SIGKILL) cannot take the answer:
  // stop quietly instead of dying of EPIPE
  if (!process.connected) process.exit(0);
  process.send!(m, undefined, {}, (e) => {
    if (e) process.exit(0);
  });
}

// The parent was killed (or exited): a worker alone has nobody to send its FIDs to, so it stops
// instead of sampling on as an orphan. The parent's rerun asks for the unfinished schedules again.
process.on('disconnect', () => process.exit(0));

process.on('message', (m: WorkerRequest) => {
  void (async () => {
    if (m.type === 'init') {
      try {
        const exp = loadExperimentSource(m.source, 'the worker');
        const info = await initBackend();
        const ref = await ensureFidReference(exp);
        const models = await loadSamplingModels(exp, m.engine, { threads: m.threads });
        const engine = engineTag(m.engine, info.backend);
        ctx = { exp, models: models.map((x) => x.denoiser), extractor: ref.extractor, reference: ref.stats, engine };
        send({ type: 'ready', backend: info.backend, engine });
      } catch (e) {
        send({ type: 'error', during: 'start', message: (e as Error).message });
      }
    } else if (m.type === 'job') {
      try {
        const r = await scoreSchedule(ctx!, m.solver, m.schedule, m.images);
        send({ type: 'result', fid: r.fid, nfe: r.nfe, images: r.images, seconds: r.seconds });
      } catch (e) {
        send({ type: 'error', during: 'job', message: (e as Error).message });
      }
    } else if (m.type === 'measure') {
      try {
        const t0 = Date.now();
        const measures = await measureSchedule(ctx!, m.solver, m.schedule, m.start, m.count);
        send({ type: 'measures', measures: encodeMeasures(measures), seconds: (Date.now() - t0) / 1000 });
      } catch (e) {
        send({ type: 'error', during: 'job', message: (e as Error).message });
      }
    } else if (m.type === 'stop') {
      process.exit(0);
    }
  })();
});
