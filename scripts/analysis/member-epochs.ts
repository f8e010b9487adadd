/**
 * How many epochs does an active-collection ensemble member need (collection.active.epochs)? For
 * predictors trained on the first n = 25, 50, 100 training records of the committed mnist random
 * dataset (what a member of round 1, 2, 4 trains on), the validation tau every 25 epochs up to 300.
 * An analysis, not a result: the validation records are passed as the evaluation set so their tau
 * can be seen per epoch, which the kit's own training never does (it chooses on a selection part).
 *
 *   node --import tsx scripts/analysis/member-epochs.ts [ddim|dpm-solver]   (about 10 minutes per solver on one core)
 *
 * Output committed in results/mnist/member-epochs-<solver>.txt.
 */
import { loadExperiment } from '../../lib/config/index';
import { readDataset } from '../../lib/collection/dataset-file';
import { datasetFile } from '../../lib/collection/collect';
import { SchedulePredictor } from '../../lib/predictor/predictor';
import { trainPredictor } from '../../lib/predictor/train';
import { initBackend } from '../../lib/tfjs/backend';

async function main() {
  await initBackend('wasm');
  const exp = loadExperiment('experiments/mnist.yaml');
  const solver = (process.argv[2] ?? 'ddim') as 'ddim' | 'dpm-solver';
  const { header, records } = readDataset(datasetFile(exp, solver, 'random'));
  const train = records.filter((r) => r.split === 'train');
  const valid = records.filter((r) => r.split === 'validation');
  const pc = exp.config.predictor;
  for (const n of [25, 50, 100]) {
    const fit = train.slice(0, n);
    const p = SchedulePredictor.create({ solver, numModels: header.numModels, length: header.length, timesteps: 1000 }, pc.seed);
    const t0 = Date.now();
    const rows: string[] = [];
    trainPredictor(p, { schedules: fit.map((r) => r.schedule), fids: fit.map((r) => r.fid) }, { schedules: valid.map((r) => r.schedule), fids: valid.map((r) => r.fid) }, {
      epochs: 300, seed: pc.seed, batchSize: pc.batchSize, lr: pc.learningRate, loss: pc.loss, evalEvery: 25,
      onEvaluate: (e) => rows.push(`${e.epoch}:${e.selectionTau.toFixed(3)}`),
    });
    console.log(`${solver} n=${n} (${((Date.now() - t0) / 1000).toFixed(0)} s): validation tau by epoch ${rows.join(' ')}`);
    p.dispose();
  }
}
main();
