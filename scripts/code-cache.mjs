/**
 * Writes V8's code cache of the CLI bundle (dist/server/hookbin.cjs.cache),
 * which bin/load-cli.js gives V8 on every start: the last build step of the
 * server. The cache is made after a real start in a temp data dir, up to its
 * banner and through a SIGTERM stop, so that it holds the functions a start
 * compiles and not only the bundle's top level. Its first 32 bytes are the
 * bundle's SHA-256: a cache of other bytes is never used.
 *
 * V8 accepts the cache only from the same V8 version and flags, so it is made
 * by the Node that builds (the one `npm install` runs `prepare` with); any
 * other Node compiles the bundle as usual.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BUNDLE, CLI_CODE_CACHE, loadCli } from '../bin/load-cli.js';

// bin/load-cli.js runs the bundle as a script, where import() fails once V8 takes the cache
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); bundle-server.mjs turns each into a require, so one left is a build fault.
if (/\bimport\(/.test(readFileSync(CLI_BUNDLE, 'utf8'))) {
  process.stderr.write(`code-cache: ${CLI_BUNDLE} still has an import(), which fails in the CLI (see bundle-server.mjs)\n`);
  process.exit(1);
}

// Loading runs the bundle's top level; a failure there is a broken build.
const { exports, script } = loadCli({ useCache: false });
const hash = createHash('sha256').update(readFileSync(CLI_BUNDLE)).digest();
let dataDir;

/**
 * Writes the cache of what V8 has compiled so far and ends the process. A
 * build where hookbin cannot start (no loopback, no temp dir) still gets a
 * cache, of what loading compiled: the parse is saved, if not every function's
 * compilation.
 */
function finish(problem) {
  if (problem) process.stderr.write(`code-cache: ${problem}; the CLI's code cache holds only what loading it compiles\n`);
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  writeFileSync(CLI_CODE_CACHE, Buffer.concat([hash, script.createCachedData()]));
  process.exit(0);
}

setTimeout(() => finish('hookbin did not start and stop within 30 s'), 30_000).unref();
try {
  dataDir = mkdtempSync(join(tmpdir(), 'hookbin-code-cache-'));
  const io = {
    out: (line) => {
      // The banner's first line: listening. A stop like the user's Ctrl+C compiles the shutdown too.
      if (line.includes(' is listening on ')) setImmediate(() => process.kill(process.pid, 'SIGTERM'));
    },
    err: (line) => process.stderr.write(`code-cache: ${line}\n`),
  };
  const code = await exports.main(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--token', 'code-cache'], {}, io);
  finish(code === 0 ? null : `hookbin exited ${code}`);
} catch (err) {
  finish(`hookbin failed to start (${err instanceof Error ? err.message : String(err)})`);
}
