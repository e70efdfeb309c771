/** `--schemes FILE`: users' own signature schemes for every bin, read and checked once at start. */
import { readFileSync } from 'node:fs';
import { checkCustomSchemes, type CustomSchemeDef } from '../common/custom-scheme.js';

/** The largest `--schemes` file read: far past 20 definitions of 500-character templates. */
const MAX_FILE_BYTES = 256 * 1024;

/**
 * Reads and checks a JSON array of scheme definitions. Throws `make(message)`
 * with one sentence naming the file and its first problem.
 */
export function loadSchemesFile(path: string, make: (message: string) => Error, read: (p: string) => Buffer = readFileSync): CustomSchemeDef[] {
  let text: Buffer;
  try {
    text = read(path);
  } catch (err) {
    throw make(`--schemes cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (text.length > MAX_FILE_BYTES) throw make(`--schemes ${path} is over ${MAX_FILE_BYTES / 1024} KiB`);
  let list: unknown;
  try {
    list = JSON.parse(text.toString('utf8'));
  } catch {
    throw make(`--schemes ${path} is not valid JSON`);
  }
  const problem = checkCustomSchemes(list);
  if (problem !== null) throw make(`--schemes ${path}: ${problem}`);
  return list as CustomSchemeDef[];
}
