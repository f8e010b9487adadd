import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendJsonLine, cutPartialLine, readJsonLines } from '../../lib/util/jsonl-file';
import { tempDir } from '../helpers/temp-dir';

const fresh = () => path.join(tempDir('omsdpm-jsonl-'), 'f.jsonl');

test('lines appended whole read back; a line cut short is reported, then cut before the next append', () => {
  const f = fresh();
  fs.writeFileSync(f, '');
  assert.deepEqual(readJsonLines(f), { lines: [], partial: false });
  appendJsonLine(f, { a: 1 });
  appendJsonLine(f, [2, 3]);
  assert.deepEqual(readJsonLines(f), { lines: ['{"a":1}', '[2,3]'], partial: false });
  fs.appendFileSync(f, '{"a": 4, "b"'); // a kill in the middle of a write
  assert.deepEqual(readJsonLines(f), { lines: ['{"a":1}', '[2,3]'], partial: true });
  cutPartialLine(f);
  appendJsonLine(f, 'x');
  assert.equal(fs.readFileSync(f, 'utf8'), '{"a":1}\n[2,3]\n"x"\n');
  fs.writeFileSync(f, '{"only": "partial"');
  cutPartialLine(f);
  assert.equal(fs.readFileSync(f, 'utf8'), '');
});
