/**
 * Runs the pipeline stages in order. A stage runs when it has no manifest, its key changed (its
 * settings or an upstream stage changed), `force` is set for it, or `from` names it or an earlier
 * stage; otherwise it is reported as up to date. A stage that starts running first removes its own
 * manifest and every later stage's: if the run is killed there, the next run cannot mistake the
 * half-done stage, or a later stage made from its old output, for up to date (each stage's own
 * work resumes from what it wrote). Each finished stage writes its manifest
 * (resolved config and hash, git commit and dirty flag, backend and engine, package versions,
 * seeds, timings, command line) so the results say how they were made.
 */
import { makeProvenance } from './provenance';
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

export interface PipelineReport { stages: { name: string; status: 'up to date' | 'ran'; seconds: number }[]; seconds: number }

export async function runPipeline(ctx: StageContext, stages: Stage[], opts: PipelineOptions = {}): Promise<PipelineReport> {
  const names = stages.map((s) => s.name);
  if (opts.from !== undefined && !names.includes(opts.from)) {
    throw new KitError(`unknown stage '${opts.from}'`, { hint: `stages: ${names.join(', ')}` });
  }
  const fromIndex = opts.from === undefined ? (opts.force ? 0 : names.length) : names.indexOf(opts.from);
  const t0 = Date.now();
  const report: PipelineReport = { stages: [], seconds: 0 };
  const upstream: string[] = [];
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i];
    const inputs = stage.inputs(ctx);
    const key = stageKey(inputs, upstream);
    const old = readManifest(ctx.exp, stage.name);
    // later stages' keys contain this one's, so a change here re-runs exactly what depends on it
    const mustRun = i >= fromIndex || !old || old.key !== key;
    if (!mustRun) {
      opts.onStage?.(stage.name, 'up to date');
      report.stages.push({ name: stage.name, status: 'up to date', seconds: 0 });
      upstream.push(key);
      continue;
    }
    for (const later of stages.slice(i)) removeManifest(ctx.exp, later.name);
    opts.onStage?.(stage.name, 'running');
    const started = new Date();
    const summary = await stage.run(ctx);
    const seconds = (Date.now() - started.getTime()) / 1000;
    // inputs can change by running (e.g. a dataset grows): the key is what the stage produced from
    const finalInputs = stage.inputs(ctx);
    const finalKey = stageKey(finalInputs, upstream);
    writeManifest(ctx.exp, { stage: stage.name, key: finalKey, inputs: finalInputs, config: ctx.exp.config, provenance: { ...makeProvenance(ctx.exp) }, startedAt: started.toISOString(), seconds, summary });
    opts.onStage?.(stage.name, 'done', seconds, summary);
    report.stages.push({ name: stage.name, status: 'ran', seconds });
    upstream.push(finalKey);
  }
  report.seconds = (Date.now() - t0) / 1000;
  return report;
}
