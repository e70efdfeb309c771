/**
 * `hookbin export` and `hookbin import`, spawned as a user runs them, against
 * a real hookbin started in this process: a round trip through a file
 * byte-exact, HAR to stdout, the token from the data dir, and one sentence
 * with exit 1 or 2 for each way it can go wrong.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../../server/common/types.js';
import { rawExchange, tempDir, useServer, type TestServer } from '../support/helpers.js';
import { runCli, userEnv, useCliProcesses } from '../support/cli.js';
import { closedPort } from '../support/target.js';

useCliProcesses();
const server = useServer();

function env(s: TestServer, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return userEnv({ HOOKBIN_URL: s.origin, HOOKBIN_TOKEN: s.token, ...extra });
}

async function captures(s: TestServer, binId: string): Promise<CaptureSummary[]> {
  return ((await (await s.api(`/api/bins/${binId}/captures`)).json()) as { captures: CaptureSummary[] }).captures;
}

async function body(s: TestServer, id: string): Promise<Buffer> {
  return Buffer.from(await (await s.api(`/api/captures/${id}/body`)).arrayBuffer());
}

const binary = randomBytes(2048);

async function source(s: TestServer, id: string): Promise<void> {
  await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
  const head = `POST /b/${id}/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Dup: a\r\nx-dup: b\r\nContent-Length: ${binary.length}\r\nConnection: close\r\n\r\n`;
  await rawExchange(s.port, Buffer.concat([Buffer.from(head), binary]));
}

describe('hookbin export and import', () => {
  it('round trip through a file: same bytes, same header pairs', async () => {
    const s = server();
    await source(s, 'cli-src');
    await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'cli-dst' }) });
    const file = join(tempDir(), 'out.ndjson');
    const out = await runCli(['export', 'cli-src', '--out', file], env(s));
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^hookbin export: wrote \d+ bytes to .*out\.ndjson\n$/);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^\{"hookbin":"export","version":1,/);
    const imp = await runCli(['import', 'cli-dst', file], env(s));
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toBe('imported 1 capture (ndjson) into bin cli-dst\n');
    const [a] = await captures(s, 'cli-src');
    const [b] = await captures(s, 'cli-dst');
    expect((await body(s, b!.id)).equals(await body(s, a!.id))).toBe(true);
    const headers = async (id: string) => ((await (await s.api(`/api/captures/${id}`)).json()) as { headers: string[][] }).headers;
    expect(await headers(b!.id)).toEqual(await headers(a!.id));
  });

  it('writes HAR to stdout, and finds the token in --data-dir', async () => {
    const s = server();
    await source(s, 'cli-har');
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), `${s.token}\n`);
    const r = await runCli(['export', 'cli-har', '--format', 'har', '--url', s.origin, '--data-dir', dir], userEnv());
    expect(r.code, r.stderr).toBe(0);
    const har = JSON.parse(r.stdout) as { log: { version: string; entries: { request: { url: string } }[] } };
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.map((e) => e.request.url)).toEqual([`${s.origin}/b/cli-har/x`]);
  });

  it('a bad line: exit 1 with the line number, nothing imported', async () => {
    const s = server();
    await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'cli-bad' }) });
    const file = join(tempDir(), 'bad.ndjson');
    writeFileSync(file, '{"hookbin":"export","version":1}\n{"method":"POST"}\n');
    const r = await runCli(['import', 'cli-bad', file], env(s));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('hookbin import: line 2: receivedAt is missing\n');
    expect(await captures(s, 'cli-bad')).toEqual([]);
  });

  it('exit 1 with one sentence for a missing bin, a wrong token, no hookbin; exit 2 for bad usage', async () => {
    const s = server();
    const missing = await runCli(['export', 'no-such-bin'], env(s));
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'hookbin export: there is no bin "no-such-bin"\n' });
    const file = join(tempDir(), 'x.ndjson');
    const wrongToken = await runCli(['export', 'cli-src', '--out', file], env(s, { HOOKBIN_TOKEN: 'wrong' }));
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/^hookbin export: hookbin at .* refused the token .*\n$/);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.part`)).toBe(false);
    const port = await closedPort();
    const down = await runCli(['export', 'cli-src'], env(s, { HOOKBIN_URL: `http://127.0.0.1:${port}` }));
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`hookbin export: cannot reach hookbin at http://127.0.0.1:${port} (ECONNREFUSED); is it running? (--url)\n`);
    for (const args of [['export'], ['export', 'Bad Bin'], ['export', 'b', '--format', 'csv'], ['import', 'b'], ['import', 'b', '/nonexistent/file'], ['export', 'b', '--bogus']]) {
      const r = await runCli(args, env(s));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^hookbin (export|import): \S/);
    }
    const noToken = await runCli(['export', 'b', '--data-dir', tempDir()], userEnv({ HOOKBIN_URL: s.origin }));
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^hookbin export: no token: pass --token/);
    // A token file that is not one (two lines, say) is told as such, not as hookbin being unreachable.
    const strayDir = tempDir();
    writeFileSync(join(strayDir, 'token'), 'first line\nsecond line\n');
    const stray = await runCli(['export', 'b', '--data-dir', strayDir], userEnv({ HOOKBIN_URL: s.origin }));
    expect(stray).toMatchObject({ code: 2, stdout: '' });
    expect(stray.stderr).toBe(`hookbin export: ${join(strayDir, 'token')} does not hold a hookbin token; pass --token, or --data-dir of the hookbin that keeps it\n`);
    const badFlag = await runCli(['export', 'b', '--token', 'has space'], userEnv({ HOOKBIN_URL: s.origin }));
    expect(badFlag).toMatchObject({ code: 2, stderr: 'hookbin export: --token (or HOOKBIN_TOKEN) must be 1 to 512 visible ASCII characters without spaces\n' });
  });

  it('--help documents each command, and hookbin --help names them', async () => {
    const main = await runCli(['--help']);
    expect(main.stdout).toMatch(/hookbin export BIN/);
    expect(main.stdout).toMatch(/hookbin import BIN FILE/);
    const exp = await runCli(['export', '--help']);
    expect(exp.code).toBe(0);
    for (const flag of ['--format F', '--out FILE', '--url URL', '--token T', '--data-dir D']) expect(exp.stdout).toContain(flag);
    const imp = await runCli(['import', '--help']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/Usage: hookbin import BIN FILE/);
  });
});
