/**
 * The collection study's figure (results/<experiment>/collection-study-<solver>.json, `oms-dpm
 * collection-study`): against the number of training records, left the predictor's validation
 * Kendall tau, right the front's held-out quality (mean over the budgets of FID(OMS-DPM's pick) -
 * FID(best record-free baseline), with its 95% interval), one line per collection strategy. Where
 * the active line reaches the random line's last point tells how many FID evaluations it saves.
 */
import type { CollectionStudy, StudyPoint } from '../study/collection-study';
import type { FigureData } from './figure-data';

const COLOURS: Record<string, string> = { random: '#7f7f7f', active: '#d62728' };

export function collectionStudyFigure(experiment: string, study: CollectionStudy): FigureData {
  const strategies = [...new Set(study.points.map((p) => p.strategy))];
  const line = (points: StudyPoint[]) => points.sort((a, b) => a.trainingRecords - b.trainingRecords);
  const traces: Record<string, unknown>[] = [];
  for (const s of strategies) {
    const pts = line(study.points.filter((p) => p.strategy === s));
    const x = pts.map((p) => p.trainingRecords);
    const common = { type: 'scatter', mode: 'lines+markers', legendgroup: s, line: { color: COLOURS[s] }, hoverinfo: 'text' };
    traces.push({
      ...common, name: `${s}: validation tau`, x, y: pts.map((p) => p.kendallTau.validation), xaxis: 'x', yaxis: 'y',
      text: pts.map((p) => `${s}, ${p.trainingRecords} training records: tau validation ${p.kendallTau.validation.toFixed(3)} (train ${p.kendallTau.train.toFixed(3)}, selection ${p.kendallTau.selection.toFixed(3)})`),
    });
    traces.push({
      ...common, name: `${s}: mean dFID`, showlegend: false, x, y: pts.map((p) => p.meanDifference.value), xaxis: 'x2', yaxis: 'y2',
      error_y: { type: 'data', symmetric: false, array: pts.map((p) => p.meanDifference.high - p.meanDifference.value), arrayminus: pts.map((p) => p.meanDifference.value - p.meanDifference.low) },
      text: pts.map((p) => `${s}, ${p.trainingRecords} training records: mean FID difference ${p.meanDifference.value.toFixed(2)} [${p.meanDifference.low.toFixed(2)}, ${p.meanDifference.high.toFixed(2)}]; ${p.verdicts.win}/${p.verdicts.tie}/${p.verdicts.loss} win/tie/loss`),
    });
  }
  const maxX = Math.max(...study.points.map((p) => p.trainingRecords));
  traces.push({ type: 'scatter', mode: 'lines', name: 'no difference', x: [0, maxX], y: [0, 0], xaxis: 'x2', yaxis: 'y2', line: { dash: 'dash', color: '#444' }, hoverinfo: 'skip' });
  const h = study.heldOut;
  return {
    id: `collection-study-${study.solver}`,
    title: `${experiment} (${study.solver}): active against random collection`,
    caption:
      `Per collection strategy and number of training records n: a predictor trained on the first n training records of that strategy's dataset ` +
      `(${study.datasetRecords} records each; the same ${study.validationRecords} validation records for every point), and the front computed with it at the experiment front's ${study.budgets.length} budgets. ` +
      `Left: Kendall tau on the validation records. Right: mean over the budgets of FID(OMS-DPM's pick) - FID(best of best-single-model, random, two-segment), ` +
      `on ${h.images} held-out images (from image ${h.start}), with its ${Math.round(h.level * 100)}% paired bootstrap interval (${h.resamples} resamples); below 0 = OMS-DPM better.`,
    data: traces,
    layout: {
      title: { text: `${experiment} (${study.solver}): active vs random collection` },
      grid: { rows: 1, columns: 2, pattern: 'independent' },
      xaxis: { title: { text: 'training records' } },
      yaxis: { title: { text: 'validation Kendall tau' } },
      xaxis2: { title: { text: 'training records' } },
      yaxis2: { title: { text: 'mean FID difference to the best baseline' } },
      width: 980,
      height: 440,
      margin: { l: 70, r: 20, t: 50, b: 60 },
    },
    sources: [`${experiment}/collection-study-${study.solver}.json`],
  };
}
