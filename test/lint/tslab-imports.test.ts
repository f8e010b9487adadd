/**
 * tslab (the notebooks' kernel) resolves relative imports of compiled TypeScript by file only: an
 * import of a folder ('../config') fails in a notebook even though Node and tsx accept it. Every
 * relative import in lib/ must therefore name a file ('../config/index').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const lib = path.join(__dirname, '..', '..', 'lib');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

test('no relative import in lib/ names a folder', () => {
  const bad: string[] = [];
  const re = /(?:from\s+|import\s*\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;
  for (const file of tsFiles(lib)) {
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(re)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) bad.push(`${path.relative(lib, file)}: '${m[1]}'`);
    }
  }
  assert.deepEqual(bad, [], `folder imports break tslab notebooks; import '<folder>/index' instead:\n${bad.join('\n')}`);
});
