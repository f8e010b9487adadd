/**
 * Temporary folders for tests, removed when the test file's process ends.
 *
 * Tests that leave their folders behind fill the disk: a few `npm test` runs used to leave
 * hundreds of folders (some 25 MB each) in the OS temp folder. Every test makes its folders here
 * instead of calling fs.mkdtempSync itself, so none is forgotten.
 *
 * Removal runs on the process's 'exit' event (synchronous fs.rmSync), not in a node:test `after`
 * hook: node:test runs each test file in its own process, so 'exit' is the end of the file's
 * tests; it also covers folders made outside any test (at module level, in `before` hooks) and
 * files whose tests fail or throw. The folders stay while the file's tests run, so a test can look
 * into a folder after a child process it started has written there. A SIGINT (Ctrl-C on `npm
 * test`) or SIGTERM ends a process without 'exit', so those remove the folders too, then end the
 * process as the signal would have (a test busy in a long synchronous step finishes that step
 * first: signal listeners run on the event loop). Only SIGKILL (or a crash of Node itself) leaves
 * them behind.
 *
 * OMS_DPM_KEEP_TEST_TMP=1 keeps the folders for debugging (`OMS_DPM_KEEP_TEST_TMP=1 node
 * scripts/run-tests.js <file>`): nothing is removed, not even by removeTempDir, and each kept
 * folder is named on stderr when the process ends (the test runner shows it as a `#` line).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made = new Set<string>();
let listening = false;

/** Whether the test folders are kept for debugging (OMS_DPM_KEEP_TEST_TMP=1). */
export const keepTestTmp = (): boolean => process.env.OMS_DPM_KEEP_TEST_TMP === '1';

/** Removes every folder; at exit a folder that cannot go is named, not thrown (the tests' result stands). */
function removeAll(): void {
  for (const dir of made) {
    try {
      removeTempDir(dir);
    } catch (e) {
      process.stderr.write(`test temp folder ${dir} not removed: ${(e as Error).message}\n`);
    }
  }
}

function reportKept(): void {
  for (const dir of made) process.stderr.write(`OMS_DPM_KEEP_TEST_TMP: kept ${dir}\n`);
}

const atEnd = (): void => (keepTestTmp() ? reportKept() : removeAll());

/**
 * Cleans up, then lets the signal end the process as it would have without this listener (the
 * default action), unless someone else listens for it too and so decides what it does.
 */
function onSignal(signal: NodeJS.Signals): void {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  atEnd();
  made.clear();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** One 'exit' listener for every folder (one per folder would trip Node's max-listeners warning). */
function listenOnce(): void {
  if (listening) return;
  listening = true;
  process.on('exit', atEnd);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * A new empty folder `<os.tmpdir()>/<prefix>XXXXXX` (fs.mkdtempSync), removed when this process
 * exits (see the file comment).
 */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  listenOnce();
  return dir;
}

/**
 * Removes `dir` now (recursive, missing is fine), unless OMS_DPM_KEEP_TEST_TMP=1: for tests that
 * free a large folder as soon as they are done with it rather than at exit.
 */
export function removeTempDir(dir: string): void {
  if (keepTestTmp()) return;
  // retries: a child process the test started may still be finishing a write in the folder
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.delete(dir);
}
