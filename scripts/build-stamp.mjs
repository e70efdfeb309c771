/**
 * `prepare` runs on every `npm install` and again when `npx hookbin` links
 * the project into npm's exec cache; rebuilding there costs ~8 s before the
 * first banner. This script fingerprints everything the build reads and
 * skips the build when dist/ was built from exactly those bytes.
 *
 *   node scripts/build-stamp.mjs write   record the fingerprint (after a build)
 *   node scripts/build-stamp.mjs check   exit 0 when dist/ is current, 1 when not
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(root, 'dist', '.build-stamp');
const INPUTS = ['bin', 'server', 'web', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'vite.config.ts'];
const OUTPUTS = ['dist/server/main/cli.js', 'dist/server/hookbin.cjs', 'dist/server/hookbin.cjs.cache', 'dist/server/library.mjs', 'dist/server/main/library.d.ts', 'dist/web/index.html'];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name === 'node_modules' ? [] : files(join(path, name))));
}

function fingerprint() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => files(join(root, p)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const mode = process.argv[2];
if (mode === 'write') {
  writeFileSync(STAMP, `${fingerprint()}\n`);
} else if (mode === 'check') {
  const current = OUTPUTS.every((p) => existsSync(join(root, p))) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === fingerprint();
  process.exit(current ? 0 : 1);
} else {
  console.error('usage: node scripts/build-stamp.mjs write|check');
  process.exit(2);
}
