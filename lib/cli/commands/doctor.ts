/** `oms-dpm doctor`: what this machine gives the kit, and the WASM gradient self-check. */
import { Command } from 'commander';
import { repoRoot } from '../../config/index';
import { initBackend, packageVersions } from '../../tfjs/backend';
import { checkChromium, checkJupyter } from '../../util/environment-checks';
import { CONV_GRAD_RELATIVE_TOLERANCE, runConvGradientSelfCheck } from '../../tfjs/gradient-self-check';
import { isKitError } from '../../util/errors';
import { chooseSamplingEngine, describeEngine } from '../../zoo/sampling-engine';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('print the TF.js backend and the sampling engine (OMS_DPM_ENGINE), package versions, Jupyter/tslab and Chromium status, and run the Conv2D gradient self-check (exit 0 when it passes)')
    .action(async () => {
      const info = await initBackend();
      console.log(`backend: ${info.backend} (${info.package} ${info.version}, ${info.device}) — ${info.reason}`);
      for (const t of info.tried) console.log(`  tried ${t.package}: ${t.error}`);
      try {
        console.log(`sampling ${describeEngine(await chooseSamplingEngine({ backend: info }))}`);
      } catch (e) {
        console.log(`sampling engine: ${isKitError(e) ? e.describe() : String(e)}`);
      }
      console.log('packages:');
      for (const [k, v] of Object.entries(packageVersions())) console.log(`  ${k} ${v}`);
      console.log('tools:');
      for (const c of [...checkJupyter(repoRoot()), checkChromium()]) console.log(`  ${c.ok ? 'ok  ' : 'MISSING'} ${c.name}: ${c.detail}`);
      const target = info.backend === 'tensorflow' ? 'tensorflow' : 'wasm';
      console.log(`Conv2D gradient self-check (${target} vs cpu, relative tolerance ${CONV_GRAD_RELATIVE_TOLERANCE}):`);
      const results = await runConvGradientSelfCheck(target);
      let ok = true;
      for (const r of results) {
        ok &&= r.ok;
        console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(28)} dx ${r.maxRelErrInput.toExponential(2)}  dW ${r.maxRelErrFilter.toExponential(2)}`);
      }
      console.log(ok ? 'doctor: all gradient checks passed' : 'doctor: gradient self-check FAILED');
      process.exitCode = ok ? 0 : 1;
    });
}
