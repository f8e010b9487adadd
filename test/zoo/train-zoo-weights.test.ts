/**
 * What train-zoo does with a weights file already on disk (test/fixtures/tiny-mnist.yaml, in a
 * temporary workspace, WASM backend):
 *
 *   - finished weights of the same identity and step count: skipped (tested elsewhere: reruns);
 *   - a valid weights file of another identity or an earlier step: stale, retrained (as before);
 *   - a corrupt, truncated or foreign file: an error naming the file, the defect and the fixes,
 *     raised before any model trains, the file left as it is; with `retrainUnreadable` (CLI
 *     `--retrain-unreadable`) the model is retrained over it and the caller is told.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../lib/config/index';
import { initBackend } from '../../lib/tfjs/backend';
import { readTensorFile, writeTensorFile } from '../../lib/diffusion/tensor-file';
import { isTrained, trainZoo, weightsState } from '../../lib/zoo/train-zoo';
import { zooPaths } from '../../lib/zoo/workspace';
import { trainingIdentity, type ZooWeightsMeta } from '../../lib/zoo/zoo-model';
import { isKitError, type KitError } from '../../lib/util/errors';
import { removeTempDir, tempDir } from '../helpers/temp-dir';

test('an unreadable weights file is an error naming it unless retrainUnreadable; stale valid weights are retrained', async () => {
  const dir = tempDir('omsdpm-weights-');
  process.env.OMS_DPM_RESULTS = path.join(dir, 'results');
  process.env.OMS_DPM_RUNS = path.join(dir, 'runs');
  try {
    await initBackend('wasm');
    const exp = loadExperiment(path.join(__dirname, '..', 'fixtures', 'tiny-mnist.yaml'));
    const fileA = zooPaths(exp, 'a').weights;
    const fileB = zooPaths(exp, 'b').weights;
    assert.deepEqual(weightsState(exp, 'a'), { state: 'missing' });
    assert.equal(isTrained(exp, 'a'), false);

    // garbage where a's weights belong
    fs.mkdirSync(path.dirname(fileA), { recursive: true });
    const garbage = Buffer.from('not a weights file at all, just bytes');
    fs.writeFileSync(fileA, garbage);
    const st = weightsState(exp, 'a');
    assert.equal(st.state, 'unreadable');
    const isUnreadableError = (e: unknown): boolean => {
      assert.ok(isKitError(e), `a KitError, got ${String(e)}`);
      const k = e as KitError;
      assert.ok(k.message.includes(fileA), `names the file: ${k.message}`);
      assert.match(k.message, /zoo model 'a'.*corrupt or truncated.*does not start with the OMSDPMT1 header/);
      assert.match(k.hint ?? '', /--retrain-unreadable/);
      assert.match(k.hint ?? '', /delete the file/);
      return true;
    };
    assert.throws(() => isTrained(exp, 'a'), isUnreadableError);
    assert.equal(isTrained(exp, 'a', { retrainUnreadable: true }), false);

    // b has a valid file of an earlier step (stale): not an error, retrained as before
    const identityB = trainingIdentity(exp.config, 'b');
    const staleMeta: ZooWeightsMeta = { kind: 'oms-dpm-zoo-weights', modelId: 'b', step: 1, identity: identityB, params: 0, provenance: null };
    fs.mkdirSync(path.dirname(fileB), { recursive: true });
    writeTensorFile(fileB, staleMeta, []);
    assert.deepEqual(weightsState(exp, 'b'), { state: 'stale' });
    assert.equal(isTrained(exp, 'b'), false);
    writeTensorFile(fileB, { ...staleMeta, step: 2, identity: { other: 'identity' } }, []);
    assert.deepEqual(weightsState(exp, 'b'), { state: 'stale' });
    writeTensorFile(fileB, { ...staleMeta, step: 2 }, []);
    assert.deepEqual(weightsState(exp, 'b'), { state: 'trained' });
    // a verified tensor file that is not zoo weights (e.g. a checkpoint copied there) is unreadable too
    writeTensorFile(fileB, { kind: 'something-else', step: 2 }, []);
    assert.match((weightsState(exp, 'b') as { why: string }).why, /not zoo weights/);
    writeTensorFile(fileB, staleMeta, []);

    // trainZoo checks every file before training anything: b (listed first, stale) is not trained
    await assert.rejects(trainZoo(exp, { models: ['b', 'a'], resume: false }), isUnreadableError);
    assert.deepEqual(fs.readFileSync(fileA), garbage, 'the unreadable file is left as it is');
    assert.equal(readTensorFile<ZooWeightsMeta>(fileB).meta.step, 1, 'no model trained before the error');

    // with retrainUnreadable: told, then both retrained (a over the garbage, b over the stale file)
    const told: string[] = [];
    const summaries = await trainZoo(exp, { models: ['b', 'a'], resume: false, retrainUnreadable: true, onUnreadable: (id, file, why) => told.push(`${id}|${file}|${why}`) });
    assert.equal(told.length, 1);
    assert.ok(told[0].startsWith(`a|${fileA}|`) && told[0].includes('corrupt or truncated'), told[0]);
    assert.deepEqual(summaries.map((s) => [s.modelId, s.steps, s.skipped]), [['b', 2, false], ['a', 3, false]]);
    assert.deepEqual(weightsState(exp, 'a'), { state: 'trained' });
    assert.deepEqual(weightsState(exp, 'b'), { state: 'trained' });
    // and a rerun skips both
    const again = await trainZoo(exp, { models: ['a', 'b'], resume: false });
    assert.deepEqual(again.map((s) => s.skipped), [true, true]);
  } finally {
    removeTempDir(dir);
  }
});
