/**
 * Builds every figure an experiment's results allow (pure: reads result files, returns figure
 * data). Figures whose inputs do not exist yet are listed as missing with the command that makes
 * them, so a partial report says what it lacks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveModelTraining, type ResolvedExperiment } from '../config/index';
import type { ObservationData } from '../evaluation/observation-run';
import { resultsDir, zooPaths } from '../zoo/workspace';
import type { FigureData } from './figure-data';
import { frontFiguresFor } from './front-figures';
import { fidVsNfeFigure, switchFigure } from './observation-figures';
import type { SampleComparison } from '../front/sample-comparison';
import { sampleComparisonFigure } from './sample-comparison-figure';
import { dcErrorFigure, lossCurvesFigure, validationLossFigure, zooTableFigure, type ZooModelResult } from './zoo-figures';
import type { ValidationLossReport } from '../zoo/validation-loss-report';
import { sampleQualityFile, validationLossFile } from '../zoo/workspace';
import type { SampleQualityReport } from '../evaluation/sample-quality-report';
import { sampleQualityFigure } from './sample-quality-figure';
import { learningCurveFile, type LearningCurveReport } from '../evaluation/learning-curve';
import { learningCurveFigure } from './learning-curve-figure';
import { readJsonIfExists } from '../util/json-file';
import { checkCostModel, costModelShortfall } from '../collection/cost-model-check';
import { datasetFile } from '../collection/collect';
import { readDataset } from '../collection/dataset-file';
import { costModelFigure } from './cost-model-figure';
import { predictorScatterFor } from './predictor-figure';
import { studyFile, type CollectionStudy } from '../study/collection-study';
import { collectionStudyFigure } from './collection-study-figure';

export interface FigureSet { figures: FigureData[]; missing: { id: string; why: string }[] }

function readJson<T>(file: string): T | null {
  return readJsonIfExists<T>(file, 'result file');
}

function latestLatency(dir: string): { engine: string; models: Record<string, { medianMs: number }> } | null {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^latency-.+\.json$/.test(f)).sort() : [];
  return files.length ? readJson(path.join(dir, files[files.length - 1])) : null;
}

/** The EMA settings a zoo member was trained with: as its model.json recorded them, else as the config resolves them. */
function emaSettings(exp: ResolvedExperiment, id: string, recorded: { emaRate?: number; emaWarmup?: boolean } | undefined): { rate: number; warmup: boolean } {
  if (typeof recorded?.emaRate === 'number' && typeof recorded.emaWarmup === 'boolean') return { rate: recorded.emaRate, warmup: recorded.emaWarmup };
  const t = resolveModelTraining(exp.config, id);
  return { rate: t.emaRate, warmup: t.emaWarmup };
}

export function buildFigures(exp: ResolvedExperiment): FigureSet {
  const dir = resultsDir(exp);
  const name = path.basename(dir);
  const out: FigureSet = { figures: [], missing: [] };
  const observation = readJson<ObservationData>(path.join(dir, 'observation-first.json'));
  const latency = latestLatency(dir);
  const validation = readJson<ValidationLossReport>(validationLossFile(exp));
  const quality = readJson<SampleQualityReport>(sampleQualityFile(exp));
  const models: ZooModelResult[] = [];
  for (const m of exp.config.zoo) {
    const p = zooPaths(exp, m.id);
    const summary = readJson<{ params: number; steps: number; trainSeconds: number; settings?: { emaRate?: number; emaWarmup?: boolean } }>(p.summary);
    const loss = readJson<{ points: { step: number; mse: number }[] }>(p.lossCurve);
    if (!summary || !loss) continue;
    const single = observation?.points.filter((q) => !q.series.includes('-then-') && q.series.endsWith(`/${m.id}`)) ?? [];
    const best = single.length ? single.reduce((a, b) => (b.fid < a.fid ? b : a)) : null;
    models.push({
      id: m.id,
      params: summary.params,
      steps: summary.steps,
      trainSeconds: summary.trainSeconds,
      lossCurve: loss.points,
      latencyMs: latency?.models[m.id]?.medianMs ?? null,
      validationMse: validation?.models.find((v) => v.modelId === m.id)?.mse ?? null,
      bestFid: best ? { fid: best.fid, nfe: best.nfe, solver: best.solver } : null,
      ema: emaSettings(exp, m.id, summary.settings),
    });
  }
  if (models.length) {
    out.figures.push({ ...lossCurvesFigure(name, models) });
    out.figures.push(zooTableFigure(name, models, latency?.engine ?? null, quality));
  } else out.missing.push({ id: 'loss-curves, zoo-table', why: `no trained zoo model: oms-dpm train-zoo --experiment ${exp.config.name}` });
  const dc = validation && dcErrorFigure(name, validation);
  if (validation) out.figures.push(validationLossFigure(name, validation), ...(dc ? [dc] : []));
  else out.missing.push({ id: 'validation-loss', why: `no held-out loss of the zoo: oms-dpm validation-loss --experiment ${exp.config.name}` });
  if (quality && quality.rows.length) out.figures.push(sampleQualityFigure(name, quality));
  else out.missing.push({ id: 'sample-quality', why: `no sample quality of the zoo: oms-dpm sample-quality --experiment ${exp.config.name}` });
  // only members trained with training.snapshotEvery have a curve; none is not a missing figure
  const curves = exp.config.zoo
    .map((m) => readJson<LearningCurveReport>(learningCurveFile(exp, m.id)))
    .filter((r): r is LearningCurveReport => r !== null && r.points.length > 0);
  if (curves.length) out.figures.push(learningCurveFigure(name, curves));
  if (models.length < exp.config.zoo.length && models.length) {
    out.missing.push({ id: 'zoo', why: `${exp.config.zoo.length - models.length} of ${exp.config.zoo.length} zoo models not trained yet` });
  }
  if (observation) {
    out.figures.push(fidVsNfeFigure(observation, 'ddim'), fidVsNfeFigure(observation, 'dpm-solver'), switchFigure(observation));
  } else out.missing.push({ id: 'fid-vs-nfe, small-large-switch', why: `no first-observation data: oms-dpm observe --experiment ${exp.config.name}` });
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const scatter = predictorScatterFor(exp, name, solver);
    if (scatter) out.figures.push(scatter);
    else out.missing.push({ id: `predictor-scatter-${solver}`, why: `no trained predictor: oms-dpm train-predictor --experiment ${exp.config.name} --solver ${solver}` });
  }
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const file = datasetFile(exp, solver);
    if (!fs.existsSync(file)) {
      out.missing.push({ id: `cost-model-${solver}`, why: `no ${solver} schedule-FID dataset: oms-dpm collect --experiment ${exp.config.name} --solver ${solver}` });
      continue;
    }
    const records = readDataset(file).records; // a damaged dataset is an error, not a missing figure
    const shortfall = costModelShortfall(records);
    if (shortfall) out.missing.push({ id: `cost-model-${solver}`, why: shortfall.message });
    else out.figures.push(costModelFigure(name, solver, checkCostModel(records, exp.config.sampling.batchSize), `${name}/${path.basename(file)}`));
  }
  const fronts = frontFiguresFor(dir, exp.config.name);
  out.figures.push(...fronts.figures);
  out.missing.push(...fronts.missing);
  // the collection study is an optional experiment of its own (oms-dpm collection-study): none is not a missing figure
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const study = readJson<CollectionStudy>(studyFile(exp, solver));
    if (study && study.points.length) out.figures.push(collectionStudyFigure(name, study));
  }
  for (const solver of ['ddim', 'dpm-solver'] as const) {
    const comparison = readJson<SampleComparison>(path.join(dir, 'samples', `comparison-${solver}.json`));
    if (comparison && comparison.rows.length) out.figures.push(sampleComparisonFigure(comparison));
    else out.missing.push({ id: `sample-comparison-${solver}`, why: `no sample grids of the ${solver} front: oms-dpm reproduce --experiment ${exp.config.name} --from front-${solver}` });
  }
  return out;
}
