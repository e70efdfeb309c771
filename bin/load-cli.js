// Loads the CLI's bundle (dist/server/hookbin.cjs, built by scripts/bundle-server.mjs)
// with V8's code cache beside it (dist/server/hookbin.cjs.cache, written by
// scripts/code-cache.mjs after running a start), so that a start skips parsing
// and compiling ~600 KB of JavaScript: the larger part of what it spends above
// Node's own start-up. Node 20 keeps no compile cache of its own for modules
// (module.enableCompileCache() came in 22.1), hence a script run with vm.
//
// The cache is used only when it was made from exactly these bytes (its first
// 32 bytes are the SHA-256 of the bundle) and V8 accepts it (same V8 version and
// flags); otherwise the bundle is compiled as usual, which only takes longer.
//
// This file and hookbin.js are CommonJS (bin/package.json): Node then starts the
// CLI without setting up its ES module loader and a module for each builtin.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

/** The CLI bundle this loads. */
const CLI_BUNDLE = join(__dirname, '..', 'dist', 'server', 'hookbin.cjs');
/** Its code cache: the bundle's SHA-256 (32 bytes), then V8's cached data. */
const CLI_CODE_CACHE = `${CLI_BUNDLE}.cache`;
const HASH_BYTES = 32;

/** The cached data made from `bytes`, or undefined when there is none for them. */
function cachedDataFor(bytes, cacheFile) {
  let cache;
  try {
    cache = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const hash = createHash('sha256').update(bytes).digest();
  return cache.length > HASH_BYTES && hash.equals(cache.subarray(0, HASH_BYTES)) ? cache.subarray(HASH_BYTES) : undefined;
}

/**
 * Runs the CLI bundle as Node runs a CommonJS module (strict, as the ES
 * modules it was built from) and returns its exports (`main`, `banner`) with
 * the compiled script, whose `createCachedData()` scripts/code-cache.mjs
 * writes. `useCache: false` compiles from the source alone.
 */
function loadCli({ file = CLI_BUNDLE, cacheFile = `${file}.cache`, useCache = true } = {}) {
  const bytes = readFileSync(file);
  const cachedData = useCache ? cachedDataFor(bytes, cacheFile) : undefined;
  // The wrapper on a line of its own (lineOffset -1): stack traces give the bundle's own lines.
  const source = `(function (exports, require, module, __filename, __dirname) {'use strict';\n${bytes.toString('utf8')}\n})`;
  // No importModuleDynamically: the bundle has no import() (scripts/code-cache.mjs refuses one), as in
  // Node 20 a script from a code cache cannot import(), and without the cache import() warns that it is experimental.
  const script = new vm.Script(source, { filename: file, lineOffset: -1, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

exports.CLI_BUNDLE = CLI_BUNDLE;
exports.CLI_CODE_CACHE = CLI_CODE_CACHE;
exports.loadCli = loadCli;
