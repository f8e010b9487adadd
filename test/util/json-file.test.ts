import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isKitError } from '../../lib/util/errors';
import { readJsonFile, readJsonIfExists } from '../../lib/util/json-file';
import { tempDir } from '../helpers/temp-dir';

test('result JSON: a truncated file is a clear error naming it and the fix; a missing one is null or an error', () => {
  const dir = tempDir('omsdpm-json-');
  const good = path.join(dir, 'good.json');
  fs.writeFileSync(good, JSON.stringify({ a: [1, 2] }));
  assert.deepEqual(readJsonFile(good, 'front'), { a: [1, 2] });
  const cut = path.join(dir, 'cut.json');
  fs.writeFileSync(cut, '{"a": [1, 2');
  assert.throws(() => readJsonFile(cut, 'front'), (e: unknown) => isKitError(e) && /front .*cut\.json is not valid JSON.*damaged or truncated/.test((e as Error).message) && /git checkout/.test(e.hint ?? ''));
  assert.equal(readJsonIfExists(path.join(dir, 'none.json'), 'front'), null);
  assert.throws(() => readJsonFile(path.join(dir, 'none.json'), 'front'), (e: unknown) => isKitError(e) && /cannot read front/.test((e as Error).message));
});
