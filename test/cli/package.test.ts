/**
 * The install path from a package: `npm pack` in this clone, the tarball
 * unpacked somewhere else, and its `bin/hookbin.js` run as `npx --package
 * ./hookbin-x.tgz hookbin` would run it. Proves the package carries what a
 * user's run needs (the bundled server, its migrations, the built inspector)
 * and nothing of the repository's tests or sources. Dependencies come from
 * this clone's node_modules, linked in, so the test needs no registry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.js';
import { spawnCli, stop, useCliProcesses, userEnv, waitForBanner } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
useCliProcesses();

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/** `npm pack` of this clone into `dir` (scripts off: the build is already there); the tarball's name and file list. */
function pack(dir: string): PackResult {
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as PackResult[])[0]!;
}

describe('the package', () => {
  it('carries the built server, migrations and inspector, and no tests or sources', () => {
    const paths = pack(tempDir('hookbin-pack-')).files.map((f) => f.path);
    expect(paths).toContain('bin/hookbin.js');
    expect(paths).toContain('dist/server/hookbin.mjs');
    expect(paths).toContain('dist/web/index.html');
    expect(paths.some((p) => /^dist\/server\/store\/migrations\/\d+.*\.sql$/.test(p))).toBe(true);
    expect(paths.filter((p) => /^(test|web|server|scripts|docs|\.ci)\//.test(p))).toEqual([]);
  });

  it('runs from the unpacked tarball: banner, inspector page, a capture read back through the API', async () => {
    const dir = tempDir('hookbin-pack-');
    const { filename } = pack(dir);
    const untar = spawnSync('tar', ['-xzf', join(dir, filename), '-C', dir], { encoding: 'utf8' });
    expect(untar.status, untar.stderr).toBe(0);
    const pkg = join(dir, 'package');
    expect(existsSync(join(pkg, 'node_modules'))).toBe(false);
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    const data = join(dir, 'data');
    mkdirSync(data);

    const cli = spawnCli(['--port', '0', '--data-dir', data], userEnv(), true, join(pkg, 'bin', 'hookbin.js'));
    const banner = await waitForBanner(cli);
    const page = await fetch(new URL('/', banner.origin));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script[^>]+src="\/assets\//);

    const sent = await fetch(banner.binUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"the package"}' });
    expect(sent.status).toBe(200);
    const binId = new URL(banner.binUrl).pathname.split('/')[2]!;
    const list = await fetch(new URL(`/api/bins/${binId}/captures`, banner.origin), { headers: { authorization: `Bearer ${banner.token}` } });
    const body = (await list.json()) as { captures: Array<{ id: string }> };
    expect(body.captures).toHaveLength(1);
    expect((await stop(cli)).code).toBe(0);
  });
});
