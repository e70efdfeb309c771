/**
 * How the built CLI starts: bin/ is CommonJS, so Node runs it without
 * setting up its ES module loader (about 10 ms of every start), and the
 * bundle comes from bin/load-cli.js with its code cache (code-cache.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.js';
import { startCli, stop, useCliProcesses, userEnv } from '../support/cli.js';

useCliProcesses();

describe('a start of the CLI', () => {
  it('serves and stops without loading Node\'s ES module loader', async () => {
    const dir = tempDir();
    const report = join(dir, 'modules.json');
    // Preloaded into the CLI's process: on exit, the parts of Node's module loaders it loaded.
    const preload = join(dir, 'report.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList.filter((m) => m.includes('internal/modules/')))));\n`,
    );
    const { cli, banner } = await startCli(['--port', '0', '--memory'], userEnv({ NODE_OPTIONS: `--require ${preload}` }));
    expect((await fetch(banner.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[];
    expect(loaded).toContain('NativeModule internal/modules/cjs/loader');
    expect(loaded.filter((m) => /internal\/modules\/esm\/(translators|module_job|resolve)$/.test(m))).toEqual([]);
  });
});
