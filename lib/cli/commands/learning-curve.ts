/** `oms-dpm learning-curve`: sample quality of a zoo member's training snapshots against steps (lib/evaluation/learning-curve.ts). */
import { Command } from 'commander';
import { initBackend } from '../../tfjs/backend';
import { learningCurve, snapshotSteps } from '../../evaluation/learning-curve';
import { KitError } from '../../util/errors';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';
import { positiveIntOption } from '../option-values';

interface LearningCurveOpts extends ExperimentOpts {
  model: string[];
  images: string;
  ddimSteps: string;
  threads: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function learningCurveCommand(): Command {
  return withExperimentOptions(new Command('learning-curve'))
    .description(
      "measure every training snapshot of a zoo member (kept by training.snapshotEvery): DDIM samples of held-out noise, judged by the label classifier " +
        '(confident share, class balance, off-range share, FID) against training steps; writes results/<experiment>/zoo/<model>/learning-curve.json and keeps points already measured',
    )
    .option('--model <id>', 'zoo member (repeatable; default: every member with snapshots)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--images <n>', 'held-out images per snapshot', '500')
    .option('--ddim-steps <n>', 'DDIM steps', '50')
    .option('--threads <n>', 'ONNX Runtime intra-op threads', '1')
    .action(async (o: LearningCurveOpts) => {
      const exp = resolveExperiment(o);
      // no results lock: it runs while the zoo trains (train-zoo holds the lock) and writes only its
      // own file per member, atomically
      // the label classifier that judges the samples runs on TF.js (WASM unless a native backend loads)
      await initBackend();
      const ids = o.model.length > 0 ? o.model : exp.config.zoo.map((m) => m.id).filter((id) => snapshotSteps(exp, id).length > 0);
      if (ids.length === 0) {
        throw new KitError(`no zoo member of '${exp.config.name}' has training snapshots`, {
          hint: `train with training.snapshotEvery set, e.g. oms-dpm train-zoo --experiment ${exp.config.name} --set training.snapshotEvery=1000 --resume`,
        });
      }
      for (const id of ids) {
        const { file, report } = await learningCurve(exp, id, {
          images: positiveIntOption('images', o.images),
          ddimSteps: positiveIntOption('ddim-steps', o.ddimSteps),
          threads: positiveIntOption('threads', o.threads),
          onReady: (kept, todo) => console.log(`${id}: ${kept} point(s) kept, ${todo} snapshot(s) to measure`),
          onPoint: (p) =>
            console.log(
              `${id} step ${p.step}: confident ${pct(p.quality.confident)}, largest class ${pct(p.quality.largestClassShare)}, ` +
                `off-range ${pct(p.quality.offRange)}, FID ${p.fid.toFixed(1)} (${p.seconds.toFixed(0)} s)`,
            ),
        });
        console.log(`${id}: real validation images confident ${pct(report.real.confident)}; wrote ${file}`);
      }
    });
}
