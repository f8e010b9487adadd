/** `oms-dpm figures`: regenerate an experiment's figures from its recorded results, and results/index.html. */
import * as path from 'node:path';
import { Command } from 'commander';
import { buildFigures } from '../../figures/build-figures';
import { writeFigures, writeIndex } from '../../figures/report';
import { resultsDir } from '../../zoo/workspace';
import { withExperimentOptions, resolveExperiment, lockResults, type ExperimentOpts } from '../experiment-options';

export function figuresCommand(): Command {
  return withExperimentOptions(new Command('figures'))
    .description('build figure data (JSON), HTML and PNG from the recorded results of an experiment, and results/index.html')
    .option('--no-png', 'skip PNG export (no Chromium needed)')
    .action(async (o: ExperimentOpts & { png: boolean }) => {
      const exp = resolveExperiment(o);
      lockResults(exp, 'figures');
      const set = buildFigures(exp);
      const dir = resultsDir(exp);
      const root = path.dirname(dir);
      const files = await writeFigures(root, dir, set.figures, o.png);
      for (const f of files) console.log(`wrote ${path.relative(root, f)}`);
      for (const m of set.missing) console.log(`missing ${m.id}: ${m.why}`);
      console.log(`wrote ${writeIndex(root)}`);
    });
}
