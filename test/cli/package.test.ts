/**
 * The install path from a package: `npm pack` in this clone, the tarball
 * unpacked somewhere else, and its `bin/hookbin.js` run as `npx --package
 * ./hookbin-x.tgz hookbin` would run it. Proves the package carries what a
 * user's run needs (the bundled server, its migrations, the built inspector)
 * and nothing of the repository's tests or sources. Then a user's project
 * with the package installed imports the Node API by name: a plain .mjs
 * script, tsc against the shipped declarations, and the README's vitest
 * example, run as it is. Dependencies come from this clone's node_modules,
 * linked in, so the test needs no registry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
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

/**
 * A user's project with the tarball unpacked as node_modules/hookbin (its own
 * dependencies linked to this clone's), and vitest, typescript and the
 * types it needs linked from this clone, as `npm install -D` would leave them.
 */
function userProject(): string {
  const dir = tempDir('hookbin-user-');
  const { filename } = pack(dir);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  const untar = spawnSync('tar', ['-xzf', join(dir, filename), '-C', modules], { encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  renameSync(join(modules, 'package'), join(modules, 'hookbin'));
  symlinkSync(join(ROOT, 'node_modules'), join(modules, 'hookbin', 'node_modules'), 'dir');
  for (const name of ['vitest', 'typescript', '@types']) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-sender', private: true, type: 'module', devDependencies: { hookbin: `file:${filename}` } }));
  return dir;
}

/** The README's vitest example: the block after the `vitest-example` marker of "Use hookbin in your tests". */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- vitest-example[^>]*-->\n```ts\n([\s\S]*?)\n```\n/.exec(readme);
  if (!block) throw new Error('README.md has no vitest-example block');
  return `${block[1]}\n`;
}

/** The environment of a user's shell: none of this test run's vitest or hookbin variables. */
function projectEnv(): NodeJS.ProcessEnv {
  const env = userEnv();
  for (const key of Object.keys(env)) if (/^(VITEST|TEST|NODE_OPTIONS$|NODE_PATH$|FORCE_COLOR$)/.test(key)) delete env[key];
  return { ...env, NO_COLOR: '1' };
}

describe('the package', () => {
  it('carries the built server, migrations and inspector, and no tests or sources', () => {
    const paths = pack(tempDir('hookbin-pack-')).files.map((f) => f.path);
    expect(paths).toContain('bin/hookbin.js');
    expect(paths).toContain('bin/load-cli.js');
    // bin/ is CommonJS (a start without Node's ES module loader): without its package.json, hookbin.js would not run.
    expect(paths).toContain('bin/package.json');
    // The CLI's bundle and V8's code cache of it (bin/load-cli.js): without the cache a start compiles the bundle anew.
    expect(paths).toContain('dist/server/hookbin.cjs');
    expect(paths).toContain('dist/server/hookbin.cjs.cache');
    expect(paths).toContain('dist/web/index.html');
    // The Node API (package.json `exports`) and its declarations: the API's own and the JSON types it shows, no internal module's.
    expect(paths).toContain('dist/server/library.mjs');
    expect(paths.filter((p) => p.endsWith('.d.ts')).sort()).toEqual([
      'dist/server/common/custom-scheme.d.ts',
      'dist/server/common/http-syntax.d.ts',
      'dist/server/common/timeline-types.d.ts',
      'dist/server/common/types.d.ts',
      'dist/server/main/library-bin.d.ts',
      'dist/server/main/library-client.d.ts',
      'dist/server/main/library.d.ts',
    ]);
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

  it("is imported by name in a user's project: a plain script, tsc against its declarations, and the README's vitest example", () => {
    const dir = userProject();
    const env = projectEnv();
    writeFileSync(
      join(dir, 'check.mjs'),
      `import { startHookbin } from 'hookbin';
const began = performance.now();
const hookbin = await startHookbin();
const bin = await hookbin.createBin({ id: 'from-a-script' });
await fetch(bin.url + '/hi', { method: 'POST', body: Buffer.from([0, 255]) });
const capture = await bin.waitForCapture((c) => c.path === '/hi');
await hookbin.close();
console.log(JSON.stringify({ url: bin.url, path: capture.path, body: [...capture.body], ms: Math.round(performance.now() - began) }));
`,
    );
    const script = spawnSync(process.execPath, ['check.mjs'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
    expect(script.status, script.stderr).toBe(0);
    const result = JSON.parse(script.stdout) as { url: string; path: string; body: number[]; ms: number };
    expect(result).toMatchObject({ path: '/hi', body: [0, 255] });
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/b\/from-a-script$/);
    console.log(`a script started hookbin, awaited a capture and closed it in ${result.ms} ms`);

    writeFileSync(join(dir, 'webhooks.test.ts'), readmeExample());
    writeFileSync(
      join(dir, 'types.ts'),
      `import { startHookbin, HookbinError, type Capture, type CapturedRequest, type HookbinBin, type HookbinOptions } from 'hookbin';
const options: HookbinOptions = { port: 0, secrets: [{ name: 'a', value: 'b' }] };
const hookbin = await startHookbin(options);
const bin: HookbinBin = await hookbin.createBin({ respond: { sequence: [500, 'reset', 200] } });
const got: CapturedRequest = await bin.waitForCapture((c) => c.headers.some(([name]) => name === 'x'), { timeoutMs: 10 });
const shown: Omit<Capture, 'body'> = got;
const bytes: Buffer = got.body;
export const used = [shown, bytes, HookbinError];
// @ts-expect-error: an option hookbin does not have
await startHookbin({ prot: 1 });
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true, noEmit: true, types: ['node'], skipLibCheck: true },
        files: ['types.ts', 'webhooks.test.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    // The shipped declarations alone, checked too (skipLibCheck spares them in the project above).
    const lib = spawnSync(
      process.execPath,
      [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', join(dir, 'node_modules', 'hookbin', 'dist', 'server', 'main', 'library.d.ts')],
      { cwd: dir, env, encoding: 'utf8', timeout: 120_000 },
    );
    expect(lib.status, lib.stdout + lib.stderr).toBe(0);

    const vitest = spawnSync(process.execPath, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toContain('webhooks.test.ts');
    expect(vitest.stdout).toMatch(/Tests +1 passed/);
  }, 240_000);
});
