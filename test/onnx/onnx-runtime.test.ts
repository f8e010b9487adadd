import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadOrt, probeOnnxRuntime, recommendOrtSplit } from '../../lib/onnx/onnx-runtime';

test('onnxruntime-node loads and runs a model on its CPU provider here', async () => {
  const status = await probeOnnxRuntime();
  assert.equal(status.available, true, status.reason);
  assert.match(status.version ?? '', /^1\.\d+\.\d+/);
  assert.equal(typeof loadOrt().InferenceSession.create, 'function');
});

test('cores go to single-threaded workers while there are jobs, spare cores to intra-op threads', () => {
  const many = recommendOrtSplit({ cores: 2 });
  assert.deepEqual([many.workers, many.intraOpThreads], [2, 1]);
  const one = recommendOrtSplit({ cores: 2, jobs: 1 });
  assert.equal(one.workers, 1);
  assert.equal(one.intraOpThreads, 2);
  assert.match(one.reason, /1 job/);
  const capped = recommendOrtSplit({ cores: 8, maxWorkers: 3 });
  assert.deepEqual([capped.workers, capped.intraOpThreads], [3, 2]);
  const single = recommendOrtSplit({ cores: 1, jobs: 5 });
  assert.deepEqual([single.workers, single.intraOpThreads], [1, 1]);
});
