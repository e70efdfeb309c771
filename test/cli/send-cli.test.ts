/**
 * `hookbin send`, spawned the way a user runs it (`node bin/hookbin.js send …`),
 * against a real hookbin started in this process and a local node:http app.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Capture, CaptureSummary, EventPage } from '../../server/common/types.js';
import { BIN_JS, cleanupTempDirs, startServer, tempDir, type TestServer } from '../support/helpers.js';
import { closedPort, startTarget, type TestTarget } from '../support/target.js';

let server: TestServer;
const targets: TestTarget[] = [];

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/server/main/cli.js', import.meta.url))) {
    throw new Error('dist/server/main/cli.js is missing: run `npm run build` before the CLI tests');
  }
  server = await startServer();
});

afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hookbin …` to completion with a clean environment (no HOOKBIN_* of ours) plus `env`. */
function hookbin(args: string[], env: Record<string, string> = {}, stdin?: Buffer): Promise<Run> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOOKBIN_')) clean[k] = v;
  const proc = spawn(process.execPath, [BIN_JS, ...args], { env: { ...clean, HOME: tempDir('hookbin-home-'), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  proc.stdin.end(stdin ?? '');
  const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    proc.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function bin(settings: Record<string, unknown>): Promise<{ id: string; url: string }> {
  const id = `cli-${randomBytes(4).toString('hex')}`;
  await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
  const res = await server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) });
  expect(res.status).toBe(200);
  return { id, url: `${server.origin}/b/${id}` };
}

async function captures(binId: string): Promise<CaptureSummary[]> {
  return ((await (await server.api(`/api/bins/${binId}/captures`)).json()) as { captures: CaptureSummary[] }).captures;
}

describe('help', () => {
  it('hookbin --help points to hookbin send, and hookbin send --help documents every flag', async () => {
    const main = await hookbin(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('hookbin send --to URL');
    expect(main.stdout).toMatch(/--forward URL\s.*HOOKBIN_FORWARD/);
    expect(main.stdout).toMatch(/--forward-relay\s.*HOOKBIN_FORWARD_RELAY/);
    const help = await hookbin(['send', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--to URL', '--template NAME', '--data TEXT|@FILE', '--method M', '--header', '--scheme S', '--secret X', '--retry PRESET', '--schedule', '--time-scale N', '--timeout MS']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('makeplans');
    expect(help.stdout).toMatch(/Exit status: 0 .*1 .*2/);
  });
});

describe('hookbin send', () => {
  it('sends a signed Makeplans booking.created with the Makeplans retries at 60000×, prints each attempt, exits 0', async () => {
    const secret = `mp-${randomBytes(8).toString('hex')}`;
    const b = await bin({ secrets: [{ name: 'mp', value: secret }], respond: { failFirst: { count: 2, status: 500 } } });
    const run = await hookbin(['send', '--to', b.url, '--template', 'makeplans', '--secret', secret, '--retry', 'makeplans', '--time-scale', '60000']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/POST .* \(Makeplans booking\.created, signed makeplans, up to 6 attempts \(makeplans\) at 60000×\)/);
    expect(run.stdout).toMatch(/attempt 1\/6 {2}500 Internal Server Error/);
    expect(run.stdout).toMatch(/next attempt in \d+ ms \(1 min at 60000×\)/);
    expect(run.stdout).toMatch(/attempt 2\/6 {2}500/);
    expect(run.stdout).toMatch(/attempt 3\/6 {2}200 OK/);
    expect(run.stdout).toContain('delivered on attempt 3 of 6');
    expect(run.stdout + run.stderr).not.toContain(secret);
    const list = await captures(b.id);
    expect(list).toHaveLength(3);
    for (const c of list) {
      expect(c.verdict).toBe('valid');
      expect(c.event.type).toBe('booking.created');
    }
    expect(new Set(list.map((c) => c.event.key)).size).toBe(1);
  });

  it('a makeplans run at 60× into a bin failing the first 2: the bin\'s events compare it with makeplans at 60×, every gap within tolerance', async () => {
    const b = await bin({ respond: { failFirst: { count: 2, status: 500 } } });
    const run = await hookbin(['send', '--to', b.url, '--template', 'makeplans', '--retry', 'makeplans', '--time-scale', '60']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('delivered on attempt 3 of 6');
    const { events } = (await (await server.api(`/api/bins/${b.id}/events`)).json()) as EventPage;
    expect(events).toHaveLength(1);
    const [ev] = events;
    expect(ev!.basis).toMatchObject({ basis: 'outbox', presetFrom: 'outbox', timeScale: 60, timeScaleFrom: 'outbox', deliveryId: null });
    expect(ev!.comparison!.presetId).toBe('makeplans');
    expect(ev!.comparison!.attempts.map((a) => [a.expectedGapMs, a.withinTolerance])).toEqual([
      [null, null],
      [1000, true],
      [2000, true],
    ]);
  });

  it('a run with a reset in the middle is still judged at its own preset and pace: the retry after the reset names the capture before it', async () => {
    const b = await bin({ respond: { sequence: [500, 'reset', 500, 200] } });
    const run = await hookbin(['send', '--to', b.url, '--template', 'makeplans', '--retry', 'makeplans', '--time-scale', '600']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('delivered on attempt 4 of 6');
    const { events } = (await (await server.api(`/api/bins/${b.id}/events`)).json()) as EventPage;
    expect(events.map((e) => e.attempts.length)).toEqual([4]);
    expect(events[0]!.basis).toMatchObject({ basis: 'outbox', presetFrom: 'outbox', timeScale: 600, timeScaleFrom: 'outbox', deliveryId: null });
    expect(events[0]!.comparison!.presetId).toBe('makeplans');
  });

  it('exits non-zero with one clear sentence when every attempt fails', async () => {
    const port = await closedPort();
    const run = await hookbin(['send', '--to', `http://127.0.0.1:${port}/webhook`, '--data', '{"id":"evt_1"}', '--retry', 'generic-api', '--time-scale', '100000']);
    expect(run.code).toBe(1);
    expect(run.stdout.match(/attempt \d\/5 {2}refused/g)).toHaveLength(5);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^hookbin send: all 5 attempts to http://127\\.0\\.0\\.1:${port}/webhook failed; the last one: refused \\(connect ECONNREFUSED`));

    const app = await startTarget(() => ({ status: 422, body: '{"error":"bad payload"}' }));
    targets.push(app);
    const once = await hookbin(['send', '--to', app.origin, '--data', 'x']);
    expect(once.code).toBe(1);
    expect(once.stdout).toContain('← {"error":"bad payload"}');
    expect(once.stderr).toMatch(/^hookbin send: the only attempt to .* failed; the last one: 422 Unprocessable Entity/);
  });

  it('--insecure reaches an https app with a self-signed certificate; without it the attempt fails as tls', async () => {
    const app = await startTarget(() => ({ status: 200, body: 'ok' }), { tls: true });
    targets.push(app);
    const strict = await hookbin(['send', '--to', app.origin, '--data', '{}']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/attempt 1\/1 {2}tls/);
    const loose = await hookbin(['send', '--to', app.origin, '--data', '{}', '--insecure']);
    expect(loose.code).toBe(0);
    expect(app.requests).toHaveLength(1);
  });

  it('sends --data @file byte for byte with --header and --method, and finds --secret by name in HOOKBIN_SECRET_<NAME>', async () => {
    const app = await startTarget();
    targets.push(app);
    const file = join(tempDir(), 'payload.bin');
    const bytes = Buffer.concat([randomBytes(100), Buffer.from('\r\n\0end')]);
    writeFileSync(file, bytes);
    const run = await hookbin(['send', '--to', `${app.origin}/in?x=1`, '--method', 'PUT', '--header', 'X-Order: 42', '--header', 'content-type: application/octet-stream', '--data', `@${file}`, '--scheme', 'shopify', '--secret', 'shop'], {
      HOOKBIN_SECRET_shop: 'shopify-secret-value',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('signed shopify with shop');
    const [got] = app.requests;
    expect(got).toMatchObject({ method: 'PUT', url: '/in?x=1' });
    expect(got!.body).toEqual(bytes);
    expect(got!.headers.slice(0, 3)).toEqual([
      ['Host', `127.0.0.1:${app.port}`],
      ['X-Order', '42'],
      ['content-type', 'application/octet-stream'],
    ]);
    const { createHmac } = await import('node:crypto');
    expect(got!.headers.find(([n]) => n === 'X-Shopify-Hmac-Sha256')?.[1]).toBe(createHmac('sha256', 'shopify-secret-value').update(bytes).digest('base64'));

    const stdin = await hookbin(['send', '--to', app.origin, '--data', '@-'], {}, Buffer.from('{"from":"stdin"}'));
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(app.requests[1]!.body.toString()).toBe('{"from":"stdin"}');
    expect(app.requests[1]!.headers).toContainEqual(['Content-Type', 'application/json']);
  });

  it.each([
    [[], /--to URL is required/],
    [['--to', 'ftp://example.com'], /--to must be an absolute http/],
    [['--to', 'http://x.test', '--template', 'acme'], /--template must be one of movemint, /],
    [['--to', 'http://x.test', '--scheme', 'github'], /--scheme needs --secret/],
    [['--to', 'http://x.test', '--secret', 'abc'], /--secret needs --scheme/],
    [['--to', 'http://x.test', '--scheme', 'rot13', '--secret', 'x'], /--scheme must be a scheme id/],
    [['--to', 'http://x.test', '--retry', 'pigeon'], /--retry must be one of generic-api, /],
    [['--to', 'http://x.test', '--retry', 'slack', '--schedule', '0,1'], /--retry or --schedule, not both/],
    [['--to', 'http://x.test', '--time-scale', '0'], /--time-scale must be a number from 0\.01/],
    [['--to', 'http://x.test', '--schedule', '0,-5'], /--schedule entries must be a whole number/],
    [['--to', 'http://x.test', '--header', 'no colon'], /--header must be 'Name: value'/],
    [['--to', 'http://x.test', '--data', '@/no/such/file'], /--data cannot read \/no\/such\/file \(ENOENT\)/],
    [['--to', 'http://x.test', '--bogus'], /Unknown option '--bogus'; see hookbin send --help/],
  ])('bad usage %j exits 2 with one sentence', { concurrent: true }, async (args, message) => {
    const run = await hookbin(['send', ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hookbin send: /);
    expect(run.stderr).toMatch(message);
  });

  it('never prints a secret, even when it cannot key the scheme', async () => {
    const run = await hookbin(['send', '--to', 'http://127.0.0.1:9/', '--scheme', 'standard-webhooks', '--secret', 'whsec_not-base64!!']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/base64/);
    expect(run.stderr + run.stdout).not.toContain('not-base64!!');
  });
});

describe('hookbin --forward', () => {
  it('rejects a --forward that is not an http(s) URL with exit 2', async () => {
    const run = await hookbin(['--forward', 'localhost:3000', '--memory', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hookbin: --forward must be an absolute http:\/\/ or https:\/\/ URL/);
  });

  it('a capture of the real CLI is forwarded to the app', async () => {
    const app = await startTarget(() => ({ status: 200, body: 'from app' }));
    targets.push(app);
    const proc = spawn(process.execPath, [BIN_JS, '--memory', '--port', '0', '--token', 'tok', '--forward', `${app.origin}/hook`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const end = Date.now() + 10_000;
      while (!/Bin URL\s+\S+/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(out).toContain(`Forward    ${app.origin}/hook`);
      const binUrl = /Bin URL\s+(\S+)/.exec(out)![1]!;
      await fetch(`${binUrl}/x`, { method: 'POST', body: 'hello' });
      const origin = new URL(binUrl).origin;
      const binId = binUrl.split('/b/')[1]!;
      let c: Capture | undefined;
      while (Date.now() < end) {
        const list = (await (await fetch(`${origin}/api/bins/${binId}/captures`, { headers: { authorization: 'Bearer tok' } })).json()) as { captures: CaptureSummary[] };
        if (list.captures[0]) {
          c = (await (await fetch(`${origin}/api/captures/${list.captures[0].id}`, { headers: { authorization: 'Bearer tok' } })).json()) as Capture;
          if (c.forward) break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(c?.forward).toMatchObject({ status: 200, response: { body: 'from app' } });
      expect(app.requests[0]!.url).toBe('/hook/x');
    } finally {
      proc.kill('SIGTERM');
    }
  });
});
