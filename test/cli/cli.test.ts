/**
 * The built CLI, spawned the way a user runs it (`node bin/hookbin.js …`),
 * with HOME pointing at a temp dir so nothing touches the real ~/.hookbin.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.js';
import { expectOneLineError, listeners, runCli, startCli, stop, useCliProcesses, userEnv } from '../support/cli.js';

const PKG_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const HAS_CURL = spawnSync('curl', ['--version']).status === 0;
useCliProcesses();

describe.concurrent('--help and --version', () => {
  it('--help exits 0 and lists every flag with its HOOKBIN_* variable', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const flags: Array<[string, string | null]> = [
      ['--port', 'HOOKBIN_PORT'],
      ['--ingress-port', 'HOOKBIN_INGRESS_PORT'],
      ['--host', 'HOOKBIN_HOST'],
      ['--data-dir', 'HOOKBIN_DATA_DIR'],
      ['--memory', 'HOOKBIN_MEMORY'],
      ['--token', 'HOOKBIN_TOKEN'],
      ['--secret', 'HOOKBIN_SECRET_'],
      ['--max-body', 'HOOKBIN_MAX_BODY'],
      ['--max-captures', 'HOOKBIN_MAX_CAPTURES'],
      ['--open', 'HOOKBIN_OPEN'],
      ['--public-url', 'HOOKBIN_PUBLIC_URL'],
      ['--trust-proxy', 'HOOKBIN_TRUST_PROXY'],
      ['--help', null],
      ['--version', null],
    ];
    const lines = r.stdout.split('\n');
    for (const [flag, env] of flags) {
      const line = lines.find((l) => new RegExp(`^\\s+${flag}(\\s|$)`).test(l));
      expect(line, `no help line for ${flag}`).toBeDefined();
      if (env) expect(line, `${flag} does not name ${env}`).toContain(env);
    }
    expect(r.stdout).toContain(PKG_VERSION);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(PKG_VERSION);
    expect(r.stderr).toBe('');
  });
});

describe.concurrent('bad input exits 2 with one line on stderr', () => {
  // [label, args, env, what the message must name]
  it.each<[string, string[], Record<string, string>, string[]]>([
    ['an unknown flag', ['--nope'], {}, ['--nope']],
    ['an unknown short flag', ['-p', '3'], {}, ['-p']],
    ['a positional argument', ['extra'], {}, ['extra']],
    ['--port 70000', ['--port', '70000'], {}, ['--port', '70000']],
    ['--port -1', ['--port', '-1'], {}, ['--port']],
    ['--port without a value', ['--port'], {}, ['--port']],
    ['--port 1.5', ['--port', '1.5'], {}, ['--port', '1.5']],
    ['--ingress-port 70000', ['--ingress-port', '70000'], {}, ['--ingress-port', '70000']],
    ['--ingress-port equal to --port', ['--port', '7788', '--ingress-port', '7788'], {}, ['--ingress-port', '7788']],
    ['HOOKBIN_INGRESS_PORT=x', [], { HOOKBIN_INGRESS_PORT: 'x' }, ['--ingress-port', '"x"']],
    ['--max-body lots', ['--max-body', 'lots'], {}, ['--max-body', 'lots']],
    ['--max-body 0', ['--max-body', '0'], {}, ['--max-body']],
    // A unit named after an Object.prototype member is no unit (it once made the limit NaN).
    ['--max-body 5constructor', ['--max-body', '5constructor'], {}, ['--max-body', '5constructor']],
    ['--max-db-size 1__proto__', ['--max-db-size', '1__proto__'], {}, ['--max-db-size', '1__proto__']],
    ['--max-captures 0', ['--max-captures', '0'], {}, ['--max-captures']],
    ['--host with a space', ['--host', 'bad host'], {}, ['--host', 'bad host']],
    ['--memory=yes', ['--memory=yes'], {}, ['--memory']],
    ['HOOKBIN_PORT=abc', [], { HOOKBIN_PORT: 'abc' }, ['abc']],
    ['HOOKBIN_MAX_BODY=lots', [], { HOOKBIN_MAX_BODY: 'lots' }, ['lots']],
    ['HOOKBIN_MEMORY=maybe', [], { HOOKBIN_MEMORY: 'maybe' }, ['HOOKBIN_MEMORY', 'maybe']],
    ['--public-url without a scheme', ['--public-url', 'abc.tunnel.example'], {}, ['--public-url', 'abc.tunnel.example']],
    ['--public-url ftp://', ['--public-url', 'ftp://abc.tunnel.example'], {}, ['--public-url', 'ftp://abc.tunnel.example']],
    ['--public-url with a query', ['--public-url', 'https://abc.tunnel.example/?a=1'], {}, ['--public-url', 'no query or fragment']],
    ['HOOKBIN_PUBLIC_URL with a fragment', [], { HOOKBIN_PUBLIC_URL: 'https://abc.tunnel.example/#x' }, ['--public-url', 'no query or fragment']],
    ['HOOKBIN_TRUST_PROXY=maybe', [], { HOOKBIN_TRUST_PROXY: 'maybe' }, ['HOOKBIN_TRUST_PROXY', 'maybe']],
  ])('%s', async (_label, args, env, mentions) => {
    const dataDir = join(tempDir(), 'data');
    const r = await runCli(['--data-dir', dataDir, ...args], userEnv(env));
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 2, signal: null });
    expectOneLineError(r);
    for (const m of mentions) expect(r.stderr).toContain(m);
    // Nothing was started or written.
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each<[string, string[], Record<string, string>, string]>([
    ['--secret without =', ['--secret', 's3cr3t-value-no-equals'], {}, 's3cr3t-value-no-equals'],
    ['--secret with a bad name', ['--secret', 'bad name=s3cr3t-value-bad-name'], {}, 's3cr3t-value-bad-name'],
    ['an empty HOOKBIN_SECRET_X', [], { HOOKBIN_SECRET_X: '' }, '\u0000never'],
    ['HOOKBIN_SECRET_ with no name', [], { HOOKBIN_SECRET_: 's3cr3t-env-value' }, 's3cr3t-env-value'],
    ['--public-url with a password and a query', ['--public-url', 'https://u:s3cr3t-pw@abc.tunnel.example/?a=1'], {}, 's3cr3t-pw'],
    ['HOOKBIN_PUBLIC_URL with a password, not http', [], { HOOKBIN_PUBLIC_URL: 'ftp://u:s3cr3t-pw@abc.tunnel.example' }, 's3cr3t-pw'],
  ])('a bad secret (%s) exits 2 and does not echo the value', async (_label, args, env, value) => {
    const r = await runCli(args, userEnv(env));
    expect(r.code).toBe(2);
    expectOneLineError(r);
    expect(r.stderr).not.toContain(value);
    expect(r.stderr).not.toContain('s3cr3t');
  });
});

describe('running', () => {
  it('--port 0 --data-dir D --token T prints a working banner', async () => {
    const dataDir = tempDir();
    const { cli, banner } = await startCli(['--port', '0', '--data-dir', dataDir, '--token', 'cli-token-1']);
    expect(banner.port).toBeGreaterThan(0);
    expect(banner.origin).toBe(`http://127.0.0.1:${banner.port}`);
    expect(banner.inspectorUrl).toBe(`${banner.origin}/?token=cli-token-1`);
    expect(banner.binUrl).toMatch(new RegExp(`^${banner.origin}/b/[a-z0-9_-]{1,64}$`));
    expect(banner.curlLine).toContain(banner.binUrl);
    expect(banner.curlLine).toMatch(/^curl /);
    expect(banner.text).toContain(join(dataDir, 'hookbin.db'));
    expect(banner.text).not.toMatch(/warning/i);
    expect(cli.stderr()).toBe('');

    const hook = await fetch(banner.binUrl, { method: 'POST', body: '{"from":"test"}', headers: { 'content-type': 'application/json' } });
    expect(hook.status).toBe(200);
    const captureId = hook.headers.get('x-hookbin-capture-id');
    expect(captureId).toBeTruthy();

    // The banner URL is the inspector page itself; its script keeps the token and sends it as a bearer.
    const inspector = await fetch(banner.inspectorUrl, { redirect: 'manual' });
    expect(inspector.status).toBe(200);
    expect(inspector.headers.get('content-type')).toMatch(/^text\/html/);
    expect(inspector.headers.get('set-cookie') ?? '').not.toContain('cli-token-1');
    const api = await fetch(`${banner.origin}/api/captures/${captureId}`, { headers: { authorization: `Bearer ${banner.token}` } });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ id: captureId, body: '{"from":"test"}' });

    expect(await stop(cli)).toEqual({ code: 0, signal: null });
  });

  it.skipIf(!HAS_CURL)('the printed curl line works as printed', async () => {
    const { cli, banner } = await startCli(['--port', '0', '--memory', '--token', 'curl-token']);
    const run = spawnSync('sh', ['-c', `${banner.curlLine} -s -o /dev/null -w '%{http_code}'`], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stdout).toBe('200');
    const list = await fetch(`${banner.binUrl.replace('/b/', '/api/bins/')}/captures`, { headers: { authorization: 'Bearer curl-token' } });
    const page = (await list.json()) as { captures: Array<{ id: string }> };
    expect(page.captures).toHaveLength(1);
    const capture = await fetch(`${banner.origin}/api/captures/${page.captures[0]!.id}`, { headers: { authorization: 'Bearer curl-token' } });
    expect(await capture.json()).toMatchObject({ method: 'POST', body: '{"hello":"world"}', contentType: 'application/json' });
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
  });

  it('takes HOOKBIN_PORT, HOOKBIN_DATA_DIR and HOOKBIN_TOKEN from the environment', async () => {
    const dataDir = tempDir();
    const { cli, banner } = await startCli([], userEnv({ HOOKBIN_PORT: '0', HOOKBIN_DATA_DIR: dataDir, HOOKBIN_TOKEN: 'env-token-2' }));
    expect(banner.port).toBeGreaterThan(0);
    expect(banner.token).toBe('env-token-2');
    expect(banner.text).toContain(join(dataDir, 'hookbin.db'));
    const res = await fetch(`${banner.origin}/api/bins`, { headers: { authorization: 'Bearer env-token-2' } });
    expect(res.status).toBe(200);
    expect((await fetch(banner.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'hookbin.db'))).toBe(true);
  });

  it('--public-url (or HOOKBIN_PUBLIC_URL) names the bin URL and the curl line; the local one is printed beside it', async () => {
    for (const [args, env] of [
      [['--public-url', 'https://abc.tunnel.example/'], {}],
      [[], { HOOKBIN_PUBLIC_URL: 'https://abc.tunnel.example', HOOKBIN_TRUST_PROXY: '1' }],
    ] as [string[], Record<string, string>][]) {
      const { cli, banner } = await startCli(['--port', '0', '--memory', ...args], userEnv(env));
      expect(banner.binUrl).toMatch(/^https:\/\/abc\.tunnel\.example\/b\/[a-z0-9_-]{1,64}$/);
      expect(banner.curlLine).toContain(banner.binUrl);
      const local = /Local URL\s+(\S+)/.exec(banner.text)?.[1];
      expect(local).toBe(`${banner.origin}/b/${banner.binUrl.split('/b/')[1]}`);
      expect((await fetch(local!, { method: 'POST', body: 'x' })).status).toBe(200);
      expect(await stop(cli)).toEqual({ code: 0, signal: null });
    }
  });

  it('a flag wins over its environment variable', async () => {
    const { cli, banner } = await startCli(['--token', 'flag-token', '--port', '0'], userEnv({ HOOKBIN_TOKEN: 'env-token', HOOKBIN_PORT: 'abc', HOOKBIN_MEMORY: '1' }));
    expect(banner.token).toBe('flag-token');
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
  });

  it('--memory writes no hookbin.db (neither in --data-dir nor in ~/.hookbin)', async () => {
    const home = tempDir('hookbin-home-');
    const { cli, banner } = await startCli(['--port', '0', '--memory'], userEnv({}, home));
    expect(banner.text).toMatch(/in memory/i);
    const hook = await fetch(banner.binUrl, { method: 'POST', body: 'kept in memory' });
    expect(hook.status).toBe(200);
    const token = banner.token;
    expect(token.length).toBeGreaterThanOrEqual(16);
    const read = await fetch(`${banner.origin}/api/captures/${hook.headers.get('x-hookbin-capture-id')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(home, '.hookbin', 'hookbin.db'))).toBe(false);
    expect(existsSync(join(home, '.hookbin', 'token'))).toBe(false);

    const dataDir = tempDir();
    const second = await startCli(['--port', '0', '--memory', '--data-dir', dataDir]);
    expect((await fetch(second.banner.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);
    expect(await stop(second.cli)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'hookbin.db'))).toBe(false);
  });

  it('without --token makes a token once in the data dir and reuses it', async () => {
    const dataDir = tempDir();
    const first = await startCli(['--port', '0', '--data-dir', dataDir]);
    const token = first.banner.token;
    expect(token).toMatch(/^[\x21-\x7e]{16,}$/);
    const file = join(dataDir, 'token');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect((await fetch(`${first.banner.origin}/api/bins`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(first.cli)).toEqual({ code: 0, signal: null });

    const second = await startCli(['--port', '0', '--data-dir', dataDir]);
    expect(second.banner.token).toBe(token);
    expect(second.banner.inspectorUrl).toBe(`${second.banner.origin}/?token=${encodeURIComponent(token)}`);
    // The same bin too: the bin URL a provider was given keeps working.
    expect(new URL(second.banner.binUrl).pathname).toBe(new URL(first.banner.binUrl).pathname);
    expect(await stop(second.cli)).toEqual({ code: 0, signal: null });
  });

  it('uses ~/.hookbin by default', async () => {
    const home = tempDir('hookbin-home-');
    const { cli, banner } = await startCli(['--port', '0'], userEnv({}, home));
    expect(banner.text).toContain(join(home, '.hookbin', 'hookbin.db'));
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(home, '.hookbin', 'hookbin.db'))).toBe(true);
    expect(readFileSync(join(home, '.hookbin', 'token'), 'utf8').trim()).toBe(banner.token);
  });

  it('--host 0.0.0.0 warns that other machines can reach it', async () => {
    const { cli, banner } = await startCli(['--port', '0', '--host', '0.0.0.0', '--memory', '--token', 'wide']);
    const warning = banner.text.split('\n').find((l) => /warning/i.test(l));
    expect(warning, banner.text).toBeDefined();
    expect(warning).toContain('0.0.0.0');
    expect(banner.text).toMatch(/other machines|your network/i);
    // The URLs printed are still usable from this machine.
    expect((await fetch(banner.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);
    // Exposed, but the control plane still needs the token.
    const origin = new URL(banner.binUrl).origin;
    expect((await fetch(`${origin}/api/bins`)).status).toBe(401);
    expect((await fetch(`${origin}/api/bins`, { headers: { authorization: 'Bearer wide' } })).status).toBe(200);
    cli.proc.kill('SIGKILL');
    await cli.exited;
  });
});

describe('start failures exit 1 with a sentence', () => {
  it('a port in use', async () => {
    const blocker = createServer();
    listeners.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const r = await runCli(['--port', String(port), '--memory']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
    expectOneLineError(r);
    expect(r.stderr).toContain(`port ${port}`);
    expect(r.stderr).toMatch(/in use/);
  });

  it('an unwritable data dir (a path under a regular file)', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    const dataDir = join(file, 'sub');
    const r = await runCli(['--port', '0', '--data-dir', dataDir]);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
    expectOneLineError(r);
    expect(r.stderr).toMatch(/data dir/);
    expect(r.stderr).toContain(dataDir);
  });
});

