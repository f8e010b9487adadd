/**
 * Runs the pipeline stages in order; stages next to each other with the same `concurrent` tag run
 * at the same time (they do not depend on each other, and each does its work in its own process).
 * A stage runs when it has no manifest, its key changed (its
 * settings or a stage it depends on changed), `force` is set for it, or `from` names it or an earlier
 * stage; otherwise it is reported as up to date. A stage that starts running first removes its own
 * manifest and those of the later stages that depend on it: if the run is killed there, the next run
 * cannot mistake the half-done stage, or a later stage made from its old output, for up to date
 * (each stage's own work resumes from what it wrote). Each finished stage writes its manifest
 * (resolved config and hash, git commit and dirty flag, backend and engine, package versions,
 * seeds, timings, command line) so the results say how they were made.
 */
import { makeProvenance } from '../config/provenance';
import { readManifest, removeManifest, writeManifest } from './manifest';
import { stageKey, type Stage, type StageContext } from './stages';
import { KitError } from '../util/errors';

export interface PipelineOptions {
  /** re-run this stage and every later one */
  from?: string;
  /** re-run every stage selected (with `from`: from there on) even when up to date */
  force?: boolean;
  onStage?: (name: string, status: 'up to date' | 'running' | 'done', seconds?: number, summary?: unknown) => void;
}

/** What became of one stage in a run, and the key later stages build on. */
interface StageOutcome { name: string; status: 'up to date' | 'ran'; seconds: number; key: string }

export interface PipelineReport { stages: { name: string; status: 'up to date' | 'ran'; seconds: number }[]; seconds: number }

export async function runPipeline(ctx: StageContext, stages: Stage[], opts: PipelineOptions = {}): Promise<PipelineReport> {
  const names = stages.map((s) => s.name);
  if (opts.from !== undefined && !names.includes(opts.from)) {
    throw new KitError(`unknown stage '${opts.from}'`, { hint: `stages: ${names.join(', ')}` });
  }
  const fromIndex = opts.from === undefined ? (opts.force ? 0 : names.length) : names.indexOf(opts.from);
  const t0 = Date.now();
  const report: PipelineReport = { stages: [], seconds: 0 };
  const keys = new Map<string, string>();
  for (let i = 0; i < stages.length; ) {
    // a group: this stage and the ones right after it with the same `concurrent` tag
    let j = i + 1;
    const tag = stages[i].concurrent;
    if (tag !== undefined) while (j < stages.length && stages[j].concurrent === tag) j++;
    // members of a group do not depend on each other: each one's key has the keys from before the group
    const plans = stages.slice(i, j).map((stage, k) => {
      const before = upstreamKeys(stage, keys);
      const key = stageKey(stage.inputs(ctx), before);
      const old = readManifest(ctx.exp, stage.name);
      // the keys of the stages that read this one contain its key, so a change here re-runs exactly what depends on it
      return { stage, before, key, mustRun: i + k >= fromIndex || !old || old.key !== key };
    });
    const running = plans.filter((p) => p.mustRun).map((p) => p.stage.name);
    for (const name of running) removeManifest(ctx.exp, name);
    const affected = dependents(stages, running);
    for (const later of stages.slice(j)) if (affected.has(later.name)) removeManifest(ctx.exp, later.name);
    const outcomes = await Promise.allSettled(
      plans.map(async ({ stage, before, key, mustRun }): Promise<StageOutcome> => {
        if (!mustRun) {
          opts.onStage?.(stage.name, 'up to date');
          return { name: stage.name, status: 'up to date', seconds: 0, key };
        }
        opts.onStage?.(stage.name, 'running');
        const started = new Date();
        const summary = await stage.run(ctx);
        const seconds = (Date.now() - started.getTime()) / 1000;
        // inputs can change by running (e.g. a dataset grows): the key is what the stage produced from
        const finalInputs = stage.inputs(ctx);
        const finalKey = stageKey(finalInputs, before);
        writeManifest(ctx.exp, { stage: stage.name, key: finalKey, inputs: finalInputs, config: ctx.exp.config, provenance: { ...makeProvenance(ctx.exp) }, startedAt: started.toISOString(), seconds, summary });
        opts.onStage?.(stage.name, 'done', seconds, summary);
        return { name: stage.name, status: 'ran', seconds, key: finalKey };
      }),
    );
    // a failed member fails the run, after the others of its group have finished and kept their work
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    for (const o of outcomes as PromiseFulfilledResult<StageOutcome>[]) {
      report.stages.push({ name: o.value.name, status: o.value.status, seconds: o.value.seconds });
      keys.set(o.value.name, o.value.key);
    }
    i = j;
  }
  report.seconds = (Date.now() - t0) / 1000;
  return report;
}

/** The keys a stage's key is made from: those of the stages it names in `dependsOn`, or of every earlier stage, in order. */
function upstreamKeys(stage: Stage, keys: Map<string, string>): string[] {
  if (stage.dependsOn === undefined) return [...keys.values()];
  return stage.dependsOn.map((name) => {
    const key = keys.get(name);
    if (key === undefined) throw new KitError(`stage '${stage.name}' depends on '${name}', which does not run before it`, { hint: `earlier stages: ${[...keys.keys()].join(', ') || 'none'}` });
    return key;
  });
}

/** The names of `names` and of every stage that reads their output, directly or through other stages. */
function dependents(stages: Stage[], names: string[]): Set<string> {
  const affected = new Set(names);
  stages.forEach((stage, i) => {
    const reads = stage.dependsOn ?? stages.slice(0, i).map((s) => s.name);
    if (reads.some((name) => affected.has(name))) affected.add(stage.name);
  });
  return affected;
}
