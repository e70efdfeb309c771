/**
 * The CLI bundle runs with V8's code cache that the build wrote beside it
 * (bin/load-cli.js, scripts/code-cache.mjs), and never with a cache made
 * from other bytes. Each case loads the bundle in a Node process of its own,
 * as bin/hookbin.js does.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.js';

const LOADER = new URL('../../bin/load-cli.js', import.meta.url).href;
const BUNDLE = fileURLToPath(new URL('../../dist/server/hookbin.cjs', import.meta.url));
const PKG_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/**
 * Loads `file` (the built bundle by default) in a fresh Node and reports
 * whether V8 took its cache, the exports, and the first line of the banner
 * its `banner` prints for a small running hookbin.
 */
function load(file?: string): { cacheUsed: boolean; exports: string[]; firstLine: string } {
  const script = `
    import { loadCli } from ${JSON.stringify(LOADER)};
    const { exports, cacheUsed } = loadCli(${file === undefined ? '' : JSON.stringify({ file })});
    const running = { origin: 'http://127.0.0.1:1', inspectorUrl: 'i', binUrl: 'b', ingressBinUrl: null, dbFile: null, resumed: 0 };
    const config = { host: '127.0.0.1', publicUrl: null, trustProxy: false, secrets: [], forward: null };
    console.log(JSON.stringify({ cacheUsed, exports: Object.keys(exports).sort(), firstLine: exports.banner(running, config)[0] }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as ReturnType<typeof load>;
}

describe('the CLI bundle and its code cache', () => {
  it('the built bundle starts with its code cache, and gives the CLI', () => {
    expect(load()).toEqual({ cacheUsed: true, exports: ['banner', 'main'], firstLine: `hookbin ${PKG_VERSION} is listening on http://127.0.0.1:1` });
  });

  it('a bundle whose bytes changed after the build (same length) runs its own code, not the cached one', () => {
    const dir = tempDir();
    // The bundle requires better-sqlite3 from beside it.
    symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
    const file = join(dir, 'hookbin.cjs');
    const changed = readFileSync(BUNDLE, 'utf8').replace('is listening on ', 'is listening at ');
    expect(changed.length).toBe(readFileSync(BUNDLE, 'utf8').length);
    writeFileSync(file, changed);
    copyFileSync(`${BUNDLE}.cache`, `${file}.cache`);
    // V8 checks a cache against the source's length only: the bundle's hash at the head of the cache is what refuses it.
    const loaded = load(file);
    expect(loaded.cacheUsed).toBe(false);
    // The version is read from the package.json above the bundle, which this copy lacks.
    expect(loaded.firstLine).toMatch(/^hookbin \S+ is listening at http:\/\/127\.0\.0\.1:1$/);
  });
});
