/**
 * The package's TypeScript declarations: tsc writes a .d.ts beside every
 * compiled module of dist/server; the package ships only the Node API's
 * (dist/server/main/library.d.ts, package.json `exports`) and the ones it
 * imports (the API's JSON types in common/), so no internal module's shape
 * reads as part of the API. Every other .d.ts is removed.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../dist/server/', import.meta.url));
const ENTRY = join(root, 'main', 'library.d.ts');

if (!existsSync(ENTRY)) {
  console.error(`prune-types: ${ENTRY} is missing; build the server first`);
  process.exit(1);
}

const keep = new Set();
const todo = [ENTRY];
while (todo.length > 0) {
  const file = todo.pop();
  if (keep.has(file)) continue;
  keep.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.d.ts'));
    if (!existsSync(target)) throw new Error(`prune-types: ${file} imports ${spec}, which has no declaration`);
    todo.push(target);
  }
}

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.d.ts') && !keep.has(path)) rmSync(path);
    // Declaration maps are not made (tsconfig.build.json), so nothing else points at the removed files.
  }
}
walk(root);
