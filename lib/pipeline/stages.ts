/**
 * The stages of `npm run reproduce`, in order, each with the inputs its key is made of and the
 * work it does. Every stage's work is itself resumable (checkpointed training, appended records,
 * atomically written points), so an interrupted run continues where it stopped; the key decides
 * whether a finished stage must run again.
 */
import * as fs from 'node:fs';
import { hashOf, resolveModelTraining, storedWeightsKey, type ResolvedExperiment } from '../config/index';
import { datasetFile, recordKey, type CollectProgress } from '../collection/collect';
import { collectByStrategy } from '../active/collect-by-strategy';
import { readDataset } from '../collection/dataset-file';
import { observeExperiment } from '../evaluation/experiment-observation';
import { observationPlan } from '../evaluation/observation-run';
import { buildFigures } from '../figures/build-figures';
import { writeFigures, writeIndex } from '../figures/report';
import { ensureFidReference, referenceKey } from '../metrics/fid-reference';
import { ensembleMemberEpochs } from '../predictor/member-training';
import { trainExperimentPredictorInChild } from '../predictor/predictor-process';
import { SOLVERS } from '../schedule/index';
import { LATENCY_ORT_THREADS, writeLatencyTable } from '../zoo/latency-table';
import { disposeSamplingModels, engineRecord, loadSamplingModels, type EngineChoice, type SamplingModel } from '../zoo/sampling-engine';
import { describePoint, experimentFrontInputs, experimentFrontSettings, poolMeasurer, poolScorer, runFront, supportEventText, type FrontMeasurer, type FrontScorer } from '../front/index';
import { realImageQuality } from '../evaluation/real-quality';
import { formatQueueStatus, type ScoringBackend } from '../evaluation/scoring-backend';
import { startScoring } from '../evaluation/start-scoring';
import { writeSampleComparison } from '../front/sample-comparison';
import { speedupAtEqualFid } from '../front/speedup';
import { makeProvenance } from '../config/provenance';
import { trainZoo } from '../zoo/train-zoo';
import { resultsDir } from '../zoo/workspace';
import { trainingIdentity } from '../zoo/zoo-model';
import { VALIDATION_LOSS_SEED, VALIDATION_LOSS_TIMESTEPS } from '../zoo/validation-loss';
import { writeValidationLoss } from '../zoo/validation-loss-report';
import { sampleQualityHeldOut, sampleQualitySteps, writeSampleQuality } from '../evaluation/sample-quality-report';
import { samplingIdentity } from '../evaluation/sampling-identity';
import * as path from 'node:path';

export interface StageContext {
  exp: ResolvedExperiment;
  /** the sampling engine (latency tables are per engine) */
  engine: EngineChoice;
  log: (line: string) => void;
  progress: (what: string, done: number, total: number) => void;
  /** the queue the collection and front stages send their scoring jobs to (null or absent: the local pool); not part of any stage key */
  queue?: string | null;
}

export interface Stage {
  name: string;
  /**
   * Stages next to each other with the same tag run at the same time: they must not depend on each
   * other, and each must do its heavy work in its own process (one JS thread cannot run two).
   */
  concurrent?: string;
  /**
   * The earlier stages whose results this one reads (default: every earlier stage). Only their keys
   * go into this stage's key, and only their re-running invalidates it: the sample-quality report
   * reads the zoo and the FID reference, so a change of collection strategy leaves it standing.
   */
  dependsOn?: string[];
  /** what the stage's result depends on (upstream keys are added by the runner) */
  inputs(ctx: StageContext): unknown;
  run(ctx: StageContext): Promise<unknown>;
}

const zoo: Stage = {
  name: 'zoo',
  // storage.weights came later: left out at float32, so zoos trained before it stay current
  inputs: ({ exp }) => exp.config.zoo.map((m) => ({ id: m.id, identity: trainingIdentity(exp.config, m.id), iterations: resolveModelTraining(exp.config, m.id).iterations, ...storedWeightsKey(exp.config) })),
  async run({ exp, engine, log, progress }) {
    const s = await trainZoo(exp, {
      resume: true,
      grid: { count: 64, steps: 50, engine: engine.engine, threads: 2 },
      onExport: (id, file, reason) => log(`  ${id}: exported ${file} (${reason})`),
      onModelStart: (id, n) => log(`  training ${id}: ${n} steps`),
      onProgress: (id, p) => progress(`${id} loss ${p.loss.toFixed(4)}`, p.step, p.iterations),
    });
    return s.map((m) => ({ id: m.modelId, params: m.params, steps: m.steps, skipped: m.skipped }));
  },
};

const latency: Stage = {
  name: 'latency',
  inputs: ({ exp, engine }) => ({ engine: engine.tag, batch: exp.config.sampling.batchSize }),
  async run({ exp, engine, log }) {
    const { table } = await writeLatencyTable(exp, engine, { rounds: 15, warmup: 2, threads: LATENCY_ORT_THREADS, onExport: (e) => log(`  exported ${e.file} (${e.reason})`) });
    return Object.fromEntries(Object.entries(table.models).map(([id, l]) => [id, l.medianMs]));
  },
};

const fidReference: Stage = {
  name: 'fid-reference',
  inputs: ({ exp }) => referenceKey(exp),
  async run({ exp, progress }) {
    const ref = await ensureFidReference(exp, (what, d, t) => progress(what, d, t));
    ref.extractor.dispose();
    return { images: ref.images, featureNetwork: ref.description };
  },
};

const observation: Stage = {
  name: 'observation',
  inputs: ({ exp, engine }) => ({ plan: exp.config.observation, images: exp.config.fid.images, sampling: exp.config.sampling, engine: engine.tag }),
  async run({ exp, engine, log, progress }) {
    const { data } = await observeExperiment(exp, engine, observationPlan(exp), {
      threads: 2,
      onExport: (e) => log(`  exported ${e.file} (${e.reason})`),
      onPoint: (done, total, p) => progress(`${p.series} x=${p.x} FID ${p.fid.toFixed(1)}`, done, total),
    });
    return { points: data.points.length };
  },
};

function collection(solver: (typeof SOLVERS)[number]): Stage {
  return {
    name: `collection-${solver}`,
    // where the jobs are scored (collection.queue) is not an input: the records are the same
    inputs: ({ exp }) => {
      // the active-collection keys came later: left out at the random strategy, so datasets made before them stay current
      const { queue: _queue, strategy, active, ...collection } = exp.config.collection;
      return { recordKey: recordKey(exp, solver), count: exp.config.collection.count, collection: strategy === 'random' ? collection : { ...collection, strategy, active } };
    },
    async run({ exp, engine, log, progress, queue }) {
      let queueText = '';
      const c = exp.config.collection;
      const opts = {
        engine: engine.engine,
        supersede: true,
        queue,
        onQueueStatus: (s: Parameters<typeof formatQueueStatus>[0]) => (queueText = ` | ${formatQueueStatus(s)}`),
        onSuperseded: (aside: string) => log(`  the ${solver} dataset was made with other zoo, sampler or FID settings: kept as ${aside}, collecting a new one`),
        onRecord: (p: CollectProgress) => progress(`${solver} FID ${p.record.fid.toFixed(1)} (${p.ratePerHour.toFixed(0)}/h)${queueText}`, p.done, p.total),
      };
      // collection.strategy says which dataset the later stages read; the manifest records it
      const recs = await collectByStrategy(exp, solver, c.count, {
        ...opts,
        onCopied: (n, from) => log(`  took over ${n} records of ${from} (validation records and random start)`),
        onTraining: (round, n) => log(`  active round ${round}: training the ensemble on ${n} training records`),
      });
      return { records: recs.length, strategy: c.strategy };
    },
  };
}

function predictor(solver: (typeof SOLVERS)[number]): Stage {
  return {
    name: `predictor-${solver}`,
    // the two solvers' predictors train side by side, one child process (one core) each
    concurrent: 'predictors',
    // storage.weights came later: left out at float32, so predictors trained before it stay current
    inputs: ({ exp }) => ({
      predictor: exp.config.predictor,
      dataset: fs.existsSync(datasetFile(exp, solver)) ? readDataset(datasetFile(exp, solver)).records.length : 0,
      ...storedWeightsKey(exp.config),
    }),
    async run({ exp, log }) {
      const r = await trainExperimentPredictorInChild(exp, solver, (e) => log(`  ${solver} epoch ${e.epoch}: tau train ${e.trainTau.toFixed(3)}, selection ${e.selectionTau.toFixed(3)}`));
      // the checkpoint is chosen on the selection part; validation is measured once, on the chosen weights
      log(`  ${solver} predictor: epoch ${r.chosenEpoch ?? 'last'} kept; tau train ${r.tauTrain.toFixed(3)}, selection ${r.tauSelection.toFixed(3)}, validation ${r.tauValidation.toFixed(3)}`);
      return { kendallTau: { train: r.tauTrain, selection: r.tauSelection, validation: r.tauValidation }, chosenEpoch: r.chosenEpoch, records: r.records };
    },
  };
}

function front(solver: (typeof SOLVERS)[number]): Stage {
  return {
    name: `front-${solver}`,
    // the support ensemble's members train like active collection's (collection.active.epochs), which no earlier stage keys under random collection
    inputs: ({ exp, engine }) => ({
      front: exp.config.front, search: exp.config.search, engine: engine.tag, version: 2,
      ...(exp.config.front.supportEnsemble > 0 ? { supportMemberEpochs: ensembleMemberEpochs(exp) } : {}),
    }),
    async run({ exp, engine, log, progress, queue }) {
      const ref = await ensureFidReference(exp);
      const real = ref.extractor.classProbabilities ? await realImageQuality(exp, ref.extractor) : null;
      ref.extractor.dispose();
      let pool: ScoringBackend | null = null;
      let models: SamplingModel[] = [];
      try {
        let scorer: FrontScorer | null = null;
        let measurer: FrontMeasurer | null = null;
        const f = exp.config.front;
        const inputs = experimentFrontInputs(exp, solver, {
          engine: engine.tag,
          score: (s, e, n) => scorer!(s, e, n),
          measure: (s, e, start, n) => measurer!(s, e, start, n),
          reference: ref.stats,
          qualityRange: real?.range ?? null,
          featureNetwork: ref.description,
          provenance: { ...makeProvenance(exp), engine: engineRecord(engine) },
          budgets: null,
          budgetCount: f.budgetCount,
          budgetNfes: { low: f.lowNfe, high: f.highNfe },
          settings: experimentFrontSettings(exp),
          onEvent: (e) => {
            if (e.kind === 'point') log(`  [${e.done}/${e.total}] ${e.series}: ${e.point ? describePoint(e.point) : `no point: ${e.why}`}`);
            const support = supportEventText(e);
            if (support) log(`  ${solver} ${support}`);
          },
        });
        // the FIDs on a worker per core or through the queue (like the collection); the sample grids afterwards on this process
        pool = await startScoring(exp, {
          engine: engine.engine,
          workers: exp.config.collection.workers,
          onExport: (e) => log(`  exported ${e.file} (${e.reason})`),
          queue,
          onQueueStatus: (s) => progress(`${solver} front ${formatQueueStatus(s)}`, s.done, s.done + s.inFlight + s.failed),
        });
        scorer = poolScorer(pool);
        measurer = poolMeasurer(pool);
        const data = await runFront(inputs);
        await pool.close();
        models = await loadSamplingModels(exp, engine.engine, { threads: 2 });
        const grids = await writeSampleComparison(exp, data, models.map((m) => m.denoiser), { onGrid: (file, reused) => log(`  ${reused ? 'kept' : 'sampled'} ${file}`) });
        return { budgets: data.budgets, speedups: speedupAtEqualFid(data), sampleGrids: grids.rows.length };
      } finally {
        await pool?.close();
        await disposeSamplingModels(models);
      }
    },
  };
}

// Nothing but the figures reads it, and it reads only the zoo (and the data split the zoo's key holds).
const validationLoss: Stage = {
  name: 'validation-loss',
  dependsOn: ['zoo'],
  // version 2: the image-mean (DC) gain and error beside the MSE
  inputs: ({ exp, engine }) => ({ engine: engine.tag, images: exp.config.validationLoss.images, timesteps: VALIDATION_LOSS_TIMESTEPS, seed: VALIDATION_LOSS_SEED, version: 2 }),
  async run({ exp, engine, log, progress }) {
    const { report } = await writeValidationLoss(exp, engine, { threads: 2, onExport: (e) => log(`  exported ${e.file} (${e.reason})`), onProgress: (d, t) => progress('validation batches', d, t) });
    return Object.fromEntries(report.models.map((m) => [m.modelId, m.mse]));
  },
};

// Like the held-out loss, only the figures read it; it reads the zoo and the FID reference's classifier.
const sampleQuality: Stage = {
  name: 'sample-quality',
  dependsOn: ['zoo', 'fid-reference'],
  inputs: ({ exp, engine }) => {
    // the zoo weights (sha256), noise bank, clipping, noise schedule and FID reference key; not the selection image count
    const { images: _selectionImages, ...identity } = samplingIdentity(exp);
    return { ...identity, heldOut: sampleQualityHeldOut(exp), ddimSteps: sampleQualitySteps(exp), sampling: exp.config.sampling, engine: engine.tag };
  },
  async run({ exp, engine, log, progress }) {
    const { report } = await writeSampleQuality(exp, engine, {
      onExport: (e) => log(`  exported ${e.file} (${e.reason})`),
      onReady: (kept, todo) => log(`  sample quality: ${kept} row(s) kept, ${todo} to measure`),
      onProgress: (p) => progress(`sample quality ${p.modelId} DDIM-${p.steps}`, p.done, p.total),
      onRow: (r) => log(`  ${r.modelId} DDIM-${r.steps}: confident ${r.quality.confident.toFixed(3)}, off-range ${r.quality.offRange.toFixed(3)}`),
    });
    return {
      real: { confident: report.real.confident, offRange: report.real.offRange },
      rows: Object.fromEntries(report.rows.map((r) => [`${r.modelId} ddim-${r.steps}`, { confident: r.quality.confident, offRange: r.quality.offRange }])),
    };
  },
};

const figures: Stage = {
  name: 'figures',
  inputs: () => ({ version: 1 }),
  async run({ exp }) {
    const set = buildFigures(exp);
    const dir = resultsDir(exp);
    await writeFigures(path.dirname(dir), dir, set.figures, true);
    writeIndex(path.dirname(dir));
    return { figures: set.figures.map((f) => f.id), missing: set.missing };
  },
};

/** The pipeline in order. */
export function pipelineStages(): Stage[] {
  return [zoo, latency, fidReference, observation, ...SOLVERS.map(collection), ...SOLVERS.map(predictor), ...SOLVERS.map(front), validationLoss, sampleQuality, figures];
}

export function stageKey(inputs: unknown, upstream: string[]): string {
  return hashOf({ inputs, upstream });
}
