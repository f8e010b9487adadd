/**
 * `oms-dpm export-onnx`: writes results/<exp>/zoo/<id>/model.onnx (and model.onnx.json, its
 * provenance) from each trained member's EMA weights, then checks the file: ONNX Runtime loads it
 * and its eps agrees with the TF.js forward pass on noise-bank images. Sampling on the ONNX engine
 * exports automatically when a file is missing or stale; this command is the explicit way (the
 * error hints of lib/onnx name it).
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { zooMember, type ResolvedExperiment } from '../../config/index';
import { initBackend } from '../../tfjs/backend';
import { probeOnnxRuntime } from '../../onnx/onnx-runtime';
import { onnxDenoiser } from '../../onnx/onnx-denoiser';
import { exportZooModelToOnnx, loadOnnxZooModel } from '../../zoo/zoo-onnx';
import { noiseBank } from '../../samplers/noise-bank';
import { KitError } from '../../util/errors';
import { loadZooModel } from '../../zoo/zoo-model';
import { withExperimentOptions, resolveExperiment, type ExperimentOpts } from '../experiment-options';

/** Agreement required by the check: max |eps_onnx - eps_tfjs| <= 1e-3 max |eps_tfjs| + 1e-4 (float32, different summation orders). */
const CHECK_REL = 1e-3;
const CHECK_ABS = 1e-4;

/** eps of both engines for 2 noise-bank images at t = 500; the largest difference and scale. */
async function compareEngines(exp: ResolvedExperiment, id: string): Promise<{ diff: number; scale: number }> {
  const d = exp.config.dataset;
  const x = tf.tensor4d(noiseBank(exp.config.sampling.noiseBankSeed, 0, 2, { height: d.imageSize, width: d.imageSize, channels: d.channels }), [2, d.imageSize, d.imageSize, d.channels]);
  const tfModel = loadZooModel(exp, id);
  const ortModel = await loadOnnxZooModel(exp, id, { intraOpNumThreads: 1 });
  try {
    const viaTf = await tfModel.denoiser(x, 500, 0);
    const viaOrt = await onnxDenoiser(ortModel)(x, 500, 0);
    const a = (await viaOrt.data()) as Float32Array;
    const b = (await viaTf.data()) as Float32Array;
    tf.dispose([viaTf, viaOrt]);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      diff = Math.max(diff, Number.isFinite(a[i]) ? Math.abs(a[i] - b[i]) : Infinity);
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return { diff, scale };
  } finally {
    x.dispose();
    tfModel.dispose();
    await ortModel.release();
  }
}

export function exportOnnxCommand(): Command {
  return withExperimentOptions(new Command('export-onnx'))
    .description("export trained zoo models to results/<experiment>/zoo/<id>/model.onnx for the ONNX Runtime sampling engine (with model.onnx.json: weights sha256, provenance), then check them against TF.js")
    .option('--model <id>', 'export only this zoo member (repeatable; default: the whole zoo)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-check', 'skip loading each export in ONNX Runtime and comparing its eps with TF.js')
    .action(async (o: ExperimentOpts & { model: string[]; check: boolean }) => {
      const exp = resolveExperiment(o);
      const ids = o.model.length ? o.model : exp.config.zoo.map((m) => m.id);
      for (const id of ids) zooMember(exp.config, id); // unknown id -> clear error before any work
      let canCheck = o.check;
      if (canCheck) {
        await initBackend();
        const ort = await probeOnnxRuntime();
        if (!ort.available) {
          console.warn(`warning: not checking the exports: ${ort.reason}`);
          canCheck = false;
        }
      }
      for (const id of ids) {
        const out = exportZooModelToOnnx(exp, id);
        let line = `${id}: wrote ${out.file} (${(out.bytes / 1024).toFixed(0)} KiB, weights sha256 ${out.weightsSha256.slice(0, 12)}…)`;
        if (canCheck) {
          const { diff, scale } = await compareEngines(exp, id);
          if (!(diff <= CHECK_REL * scale + CHECK_ABS)) {
            throw new KitError(`the ONNX export of ${id} disagrees with TF.js: max |eps difference| ${diff.toExponential(2)} for max |eps| ${scale.toFixed(3)}`, {
              hint: 'this is an exporter bug, not a file problem: report it, and sample with --engine tfjs meanwhile',
            });
          }
          line += `; ONNX Runtime eps matches TF.js (max |diff| ${diff.toExponential(1)}, max |eps| ${scale.toFixed(2)})`;
        }
        console.log(line);
      }
    });
}
