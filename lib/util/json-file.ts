/**
 * Reading the kit's JSON result files with errors a user can act on: a truncated or hand-edited
 * file names itself, what it is, and how to get a good one back, instead of a bare SyntaxError.
 */
import * as fs from 'node:fs';
import { KitError } from './errors';

/** The parsed contents of `file` (`what` it is, for the message); KitError when unreadable. */
export function readJsonFile<T>(file: string, what: string, hint = 'restore it (git checkout -- <file> for committed results) or delete it and rerun the stage that writes it'): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new KitError(`cannot read ${what} ${file}: ${(e as Error).message}`, { hint });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new KitError(`${what} ${file} is not valid JSON (${(e as Error).message}): the file is damaged or truncated`, { hint });
  }
}

/** As `readJsonFile`, or null when the file does not exist. */
export function readJsonIfExists<T>(file: string, what: string, hint?: string): T | null {
  return fs.existsSync(file) ? readJsonFile<T>(file, what, hint) : null;
}
