/**
 * No function in lib/ is longer than 80 lines (issue 22): a long function is a sequence of steps
 * that deserve names. Every function declaration, method, constructor, accessor, function
 * expression and arrow function is measured from its first line to its last (a function nested in
 * another counts in both), with the TypeScript compiler's own parser, so comments and template
 * strings cannot fool it. A failure names each offender as `file:line name (length lines)`.
 *
 * The one exception is a single switch over kinds, where each case is a few lines and splitting
 * would only scatter the cases: listed in ALLOWED with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const MAX_LINES = 80;
const lib = path.join(__dirname, '..', '..', 'lib');

/** `file name` (file relative to lib/) -> why it may be longer than MAX_LINES. */
const ALLOWED: Record<string, string> = {
  'config/schema-kit.ts check': 'one switch over the schema node kinds; each case a few lines',
};

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

type FunctionNode = ts.FunctionLikeDeclaration;

function isFunctionWithBody(n: ts.Node): n is FunctionNode {
  return (
    (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n)) &&
    n.body !== undefined
  );
}

/** The name a reader would search for: the declared name, or the variable / property it is assigned to, or the call it is passed to. */
function nameOf(n: FunctionNode, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(n)) return 'constructor';
  if (n.name) return n.name.getText(sf);
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  if (ts.isCallExpression(p)) {
    const callee = ts.isPropertyAccessExpression(p.expression) ? `.${p.expression.name.text}` : p.expression.getText(sf).slice(0, 40);
    return `<callback of ${callee}()>`;
  }
  return '<anonymous>';
}

interface Long { file: string; line: number; name: string; lines: number }

function longFunctions(file: string): Long[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Long[] = [];
  const visit = (n: ts.Node) => {
    if (isFunctionWithBody(n)) {
      const first = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES) out.push({ file: path.relative(lib, file).split(path.sep).join('/'), line: first + 1, name: nameOf(n, sf), lines });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test(`no function in lib/ is longer than ${MAX_LINES} lines (but the allowed single switches)`, () => {
  const all = tsFiles(lib).flatMap(longFunctions);
  const bad = all.filter((f) => !(`${f.file} ${f.name}` in ALLOWED));
  assert.deepEqual(
    bad.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`),
    [],
    `split these along their natural steps (small named functions), or, for a single switch over kinds, add them to ALLOWED with the reason`,
  );
});

test('every allowed exception still exists and is still long (no stale entries)', () => {
  const long = new Set(tsFiles(lib).flatMap(longFunctions).map((f) => `${f.file} ${f.name}`));
  const stale = Object.keys(ALLOWED).filter((k) => !long.has(k));
  assert.deepEqual(stale, [], 'these allowed functions are no longer over the limit (or were renamed): remove them from ALLOWED');
});
