/**
 * What travels through the scoring queue. A job carries everything its result depends on: the
 * schedule, the solver, the noise-bank image range, and the identity it must be scored under (the
 * experiment's config hash, the sha256 of every zoo member's weights, the sampling engine, the FID
 * feature network and reference statistics). A
 * worker refuses a job whose identity is not its own, so a FID is never computed on another zoo
 * or config. The job id is a hash of all of it: the same job submitted twice is one job.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { canonicalJson, type ResolvedExperiment } from '../../config/index';
import { readTensorFile } from '../../diffusion/tensor-file';
import { fidPaths } from '../../metrics/fid-reference';
import type { EncodedMeasures } from '../../metrics/image-measures';
import { SOLVERS, type SolverName } from '../../schedule/index';
import { zooPaths } from '../../zoo/workspace';

/** Under what a job must be scored. */
export interface ScoringIdentity {
  experiment: string;
  profile: string;
  /** the experiment's config hash (collection.queue is not part of it) */
  configHash: string;
  /** zoo member id -> sha256 of its weights, in zoo order */
  weights: { id: string; sha256: string }[];
  /** engine tag of the sampling (onnxruntime-cpu, tfjs-wasm, ...) */
  engine: string;
  /** the FID's feature network (its description names its weights' sha256) and the sha256 of the reference statistics file */
  fid: { featureNetwork: string; statsSha256: string };
}

export type QueueJobData =
  | { kind: 'score'; solver: SolverName; schedule: number[]; images: number; identity: ScoringIdentity }
  | { kind: 'measure'; solver: SolverName; schedule: number[]; start: number; count: number; identity: ScoringIdentity };

export type QueueJobResult =
  | { kind: 'score'; fid: number; nfe: number; images: number; seconds: number; engine: string; worker: string }
  | { kind: 'measure'; measures: EncodedMeasures; seconds: number; engine: string; worker: string };

/**
 * The identity of this process's experiment on `engineTag` with the FID reference `featureNetwork`
 * (ensureFidReference's description): reads every member's weights and the reference statistics.
 */
export function scoringIdentity(exp: ResolvedExperiment, engineTag: string, featureNetwork: string): ScoringIdentity {
  return {
    experiment: exp.config.name,
    profile: exp.profile,
    configHash: exp.hash,
    weights: exp.config.zoo.map((m) => ({ id: m.id, sha256: readTensorFile(zooPaths(exp, m.id).weights, `weights of zoo model '${m.id}'`).sha256 })),
    engine: engineTag,
    fid: { featureNetwork, statsSha256: createHash('sha256').update(fs.readFileSync(fidPaths(exp).stats)).digest('hex') },
  };
}

/** The BullMQ queue of an experiment and profile (no ':' allowed in BullMQ queue names). */
export function queueName(exp: ResolvedExperiment): string {
  return `oms-dpm-${exp.config.name}-${exp.profile}`.replace(/[^A-Za-z0-9._@-]/g, '_');
}

/** The job's id: a hash of its whole content (kind, schedule, solver, image range, identity). */
export function jobIdOf(data: QueueJobData): string {
  return `${data.kind}-${createHash('sha256').update(canonicalJson(data)).digest('hex').slice(0, 40)}`;
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * Why a worker with identity `mine` must not score a job made under `job`, or null when it may.
 * Every difference is named, with what to do about it.
 */
export function refusalReason(job: ScoringIdentity | undefined, mine: ScoringIdentity): string | null {
  if (!job || typeof job !== 'object') return 'the job carries no scoring identity (submitted by another version of the kit?)';
  const why: string[] = [];
  if (job.experiment !== mine.experiment || job.profile !== mine.profile) {
    why.push(`the job is for experiment ${job.experiment} (profile ${job.profile}), this worker serves ${mine.experiment} (profile ${mine.profile})`);
  }
  if (job.configHash !== mine.configHash) {
    why.push(`experiment config hash ${job.configHash} in the job, ${mine.configHash} here (start the worker with the submitter's --experiment, --profile and --set)`);
  }
  const theirs = new Map((job.weights ?? []).map((w) => [w.id, w.sha256]));
  const ours = new Map(mine.weights.map((w) => [w.id, w.sha256]));
  const diff: string[] = [];
  for (const id of new Set([...theirs.keys(), ...ours.keys()])) {
    const a = theirs.get(id);
    const b = ours.get(id);
    if (a !== b) diff.push(`${id}: ${a ? short(a) : 'absent'} in the job, ${b ? short(b) : 'absent'} here`);
  }
  if (diff.length) why.push(`zoo weight hashes differ (${diff.join('; ')}; copy the submitter's results/<experiment>/zoo to this machine)`);
  const f = job.fid ?? { featureNetwork: '?', statsSha256: '?' };
  if (f.featureNetwork !== mine.fid.featureNetwork || f.statsSha256 !== mine.fid.statsSha256) {
    why.push(`the FID reference differs (${f.featureNetwork}, statistics ${short(f.statsSha256)} in the job; ${mine.fid.featureNetwork}, statistics ${short(mine.fid.statsSha256)} here; copy the submitter's results/<experiment>/fid to this machine)`);
  }
  if (job.engine !== mine.engine) why.push(`the job is sampled on ${job.engine}, this worker samples on ${mine.engine} (start it with --engine ${job.engine.startsWith('onnx') ? 'onnx' : 'tfjs'} and the same OMS_DPM_BACKEND)`);
  return why.length ? why.join('; ') : null;
}

/** Checks a job's data before it is scored: a malformed job fails with a message, never a wrong result. */
export function checkJobData(d: QueueJobData): string | null {
  if (!d || (d.kind !== 'score' && d.kind !== 'measure')) return `unknown job kind ${JSON.stringify((d as { kind?: unknown })?.kind)}`;
  if (!(SOLVERS as readonly string[]).includes(d.solver)) return `unknown solver ${JSON.stringify(d.solver)}`;
  if (!Array.isArray(d.schedule) || !d.schedule.every((x) => Number.isInteger(x) && x >= 0)) return 'the schedule is not a list of model indices';
  const count = d.kind === 'score' ? d.images : d.count;
  if (!Number.isInteger(count) || count < 2) return `an image count of ${count}`;
  if (d.kind === 'measure' && (!Number.isInteger(d.start) || d.start < 0)) return `an image range starting at ${d.start}`;
  return null;
}

/** Checks a result read back from the queue (a completed job of any origin). */
export function checkJobResult(kind: QueueJobData['kind'], r: unknown): QueueJobResult {
  const v = r as QueueJobResult | null;
  if (!v || v.kind !== kind) throw new Error(`the queue answered a '${kind}' job with ${JSON.stringify(r)?.slice(0, 120)}`);
  if (v.kind === 'score' && !(typeof v.fid === 'number' && Number.isFinite(v.fid) && Number.isInteger(v.images))) throw new Error(`a '${kind}' job's result has no finite FID`);
  if (v.kind === 'measure' && !(v.measures && typeof v.measures.features === 'string')) throw new Error(`a '${kind}' job's result has no measures`);
  return v;
}
