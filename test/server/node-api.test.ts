/**
 * The Node API (`startHookbin`, server/main/library.ts) as a test suite uses
 * it: real servers on port 0, real HTTP posted to bins, captures awaited
 * through the live feed, answers and secrets changed through the control API.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HookbinError, startHookbin, type Hookbin, type HookbinOptions } from '../../server/main/library.js';
import { createBinHandle } from '../../server/main/library-bin.js';
import { createApiClient, createLiveWaker } from '../../server/main/library-client.js';
import { cleanupTempDirs, startServer, waitFor } from '../support/helpers.js';

const dirs: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  cleanupTempDirs();
});

const running: Hookbin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()));
});

async function hookbin(options?: HookbinOptions): Promise<Hookbin> {
  const h = await startHookbin(options);
  running.push(h);
  return h;
}

const post = (url: string, body: string | Uint8Array = '{}', headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as BodyInit });

/** Resolves when `port` can be listened on again. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('startHookbin', () => {
  it('starts several in parallel on port 0, each with its own bins, and closes them', async () => {
    const began = performance.now();
    const all = await Promise.all([1, 2, 3, 4].map(() => startHookbin()));
    const started = performance.now();
    try {
      expect(new Set(all.map((h) => h.url)).size).toBe(4);
      expect(new Set(all.map((h) => h.token)).size).toBe(4);
      for (const h of all) expect(h.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const bins = await Promise.all(all.map((h, i) => h.createBin({ id: `parallel-${i}` })));
      await Promise.all(bins.map((bin, i) => post(`${bin.url}/from/${i}`)));
      const got = await Promise.all(bins.map((bin) => bin.waitForCapture()));
      expect(got.map((c) => c.path)).toEqual(['/from/0', '/from/1', '/from/2', '/from/3']);
      // Each sees its own capture only.
      for (const bin of bins) expect(await bin.captures()).toHaveLength(1);
    } finally {
      const closing = performance.now();
      await Promise.all(all.map((h) => h.close()));
      console.log(`4 hookbins: started in ${(started - began).toFixed(0)} ms, closed in ${(performance.now() - closing).toFixed(0)} ms`);
    }
    for (const h of all) expect(await portIsFree(Number(new URL(h.url).port))).toBe(true);
  });

  it('resolves with the capture as the API shows it and its exact body bytes, old and new captures alike, in arrival order', async () => {
    const h = await hookbin();
    const bin = await h.createBin({ name: 'orders' });
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
    expect((await post(`${bin.url}/first`, binary, { 'content-type': 'application/octet-stream', 'X-Dup': 'a' })).status).toBe(200);
    await post(`${bin.url}/second?x=1`, '{"n":2}');
    const first = await bin.waitForCapture();
    expect(first.path).toBe('/first');
    expect(Buffer.compare(first.body, binary)).toBe(0);
    expect(first.headers).toContainEqual(['X-Dup', 'a']);
    expect(first.bodyBase64).toBe(binary.toString('base64'));
    const second = await bin.waitForCapture();
    expect([second.path, second.query, second.body.toString()]).toEqual(['/second', 'x=1', '{"n":2}']);
    // A third is awaited before it is sent.
    const third = bin.waitForCapture((c) => c.method === 'PUT');
    await post(`${bin.url}/not-this-one`);
    await fetch(`${bin.url}/third`, { method: 'PUT', body: 'three' });
    expect((await third).path).toBe('/third');
    // The one skipped by the predicate is still there for the next wait.
    expect((await bin.waitForCapture()).path).toBe('/not-this-one');
    const api = await fetch(`${h.url}/api/captures/${first.id}`, { headers: { authorization: `Bearer ${h.token}` } });
    const { body: _text, ...shown } = (await api.json()) as Record<string, unknown>;
    const { body: _bytes, ...mine } = first;
    expect(mine).toEqual(shown);
  });

  it('gives two waiters at once two different captures', async () => {
    const h = await hookbin();
    const bin = await h.createBin();
    const both = Promise.all([bin.waitForCapture(), bin.waitForCapture()]);
    await post(`${bin.url}/a`);
    await post(`${bin.url}/b`);
    expect((await both).map((c) => c.path).sort()).toEqual(['/a', '/b']);
  });

  it('passes over a capture deleted between the list and its fetch', async () => {
    const h = await hookbin();
    const bin = await h.createBin();
    await post(`${bin.url}/a`);
    await post(`${bin.url}/b`);
    const [a, b] = (await bin.captures()).map((c) => c.id);
    const remove = (id: string) => fetch(`${h.url}/api/captures/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${h.token}` } });
    // Listed together, /b is deleted while the predicate looks at /a.
    let removed = false;
    const wait = bin.waitForCapture(async (c) => {
      if (c.id === a && !removed) {
        removed = true;
        expect((await remove(b!)).status).toBe(204);
      }
      return c.path === '/c';
    });
    await new Promise((r) => setTimeout(r, 100));
    await post(`${bin.url}/c`);
    expect((await wait).path).toBe('/c');
    expect((await bin.captures()).map((c) => c.path)).toEqual(['/a', '/c']);
  });

  it('rejects after its timeout with what did arrive: method, path, status and verdict of each', async () => {
    const h = await hookbin({ secrets: [{ name: 'gh', value: 'topsecret' }] });
    const bin = await h.createBin();
    await bin.respond({ status: 202 });
    await post(`${bin.url}/orders?id=7`, '{}');
    await post(`${bin.url}/signed`, '{}', { 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` });
    const taken = await bin.waitForCapture((c) => c.path === '/orders');
    expect(taken.query).toBe('id=7');
    const error = await bin.waitForCapture((c) => c.path === '/never', { timeoutMs: 200 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(HookbinError);
    expect(error).toMatchObject({ name: 'HookbinError', code: 'timeout', status: 0 });
    const message = (error as Error).message;
    expect(message).toContain(`no capture of bin ${bin.id} matched within 200 ms`);
    expect(message).toContain('POST /orders?id=7 → 202, unsigned (returned by an earlier waitForCapture)');
    expect(message).toContain('POST /signed → 202, invalid');
    const empty = await h.createBin();
    await expect(empty.waitForCapture(undefined, { timeoutMs: 50 })).rejects.toThrow(`no capture of bin ${empty.id} matched within 50 ms; none arrived`);
  });

  it('bounds the list in a timeout message', async () => {
    const h = await hookbin();
    const bin = await h.createBin();
    for (let i = 0; i < 25; i++) await post(`${bin.url}/${'x'.repeat(300)}/${i}`);
    const message = await bin.waitForCapture(() => false, { timeoutMs: 100 }).then(() => '', (e: Error) => e.message);
    expect(message).toContain('25 arrived (oldest first)');
    expect(message).toContain('… and 5 more');
    expect(message.split('\n')).toHaveLength(22);
    expect(Math.max(...message.split('\n').map((l) => l.length))).toBeLessThan(200);
  });

  it("rejects with the predicate's own error, and rejects pending waits on close", async () => {
    const h = await startHookbin();
    const bin = await h.createBin();
    await post(bin.url);
    await expect(
      bin.waitForCapture(() => {
        throw new Error('my predicate broke');
      }),
    ).rejects.toThrow('my predicate broke');
    const pending = bin.waitForCapture((c) => c.path === '/later', { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    await h.close();
    await expect(pending).rejects.toThrow(`closed while waiting for a capture of bin ${bin.id}`);
    await expect(pending).rejects.toMatchObject({ name: 'HookbinError', code: 'closed' });
    await expect(bin.waitForCapture()).rejects.toMatchObject({ name: 'HookbinError', code: 'closed' });
  });

  it('rejects a wait with code closed when close() comes before the wait has subscribed', async () => {
    for (let i = 0; i < 5; i++) {
      const h = await startHookbin();
      const bin = await h.createBin();
      await post(bin.url);
      await bin.waitForCapture();
      // Called in the same turn: the wait is still on its way to the live feed when close() begins.
      const pending = bin.waitForCapture((c) => c.path === '/later', { timeoutMs: 10_000 }).catch((e: unknown) => e);
      await h.close();
      expect(await pending).toMatchObject({ name: 'HookbinError', code: 'closed' });
    }
  });

  it('fails the first attempts on purpose: a sender that retries delivers three attempts, one event in events()', async () => {
    const h = await hookbin();
    const bin = await h.createBin({ respond: { failFirst: { count: 2, status: 500 } } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await post(bin.url, '{"id":"evt_1","type":"order.paid"}', { 'webhook-id': 'msg_1' });
      statuses.push(res.status);
      if (res.ok) break;
    }
    expect(statuses).toEqual([500, 500, 200]);
    const attempts = [await bin.waitForCapture(), await bin.waitForCapture(), await bin.waitForCapture()];
    expect(attempts.map((c) => [c.event.attempt, c.status, c.response.reason])).toEqual([
      [1, 500, 'failFirst 1/2'],
      [2, 500, 'failFirst 2/2'],
      [3, 200, 'default'],
    ]);
    const events = await bin.events();
    expect(events).toHaveLength(1);
    expect(events[0]!.key).toBe('msg_1');
    expect(events[0]!.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect((await bin.respond(null)).failFirst).toBeNull();
  });

  it('judges signatures with the secrets setSecrets gives, captures already stored included', async () => {
    const h = await hookbin();
    const bin = await h.createBin();
    const body = '{"action":"opened"}';
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    await post(bin.url, body, { 'X-Hub-Signature-256': sign('s3cret') });
    expect((await bin.waitForCapture()).verdict).toBe('no-secret');
    const masked = await bin.setSecrets([{ name: 'github', value: 's3cret', scheme: 'github' }]);
    expect(masked).toEqual([{ name: 'github', value: expect.not.stringContaining('s3cret'), scheme: 'github' }]);
    await post(bin.url, body, { 'X-Hub-Signature-256': sign('s3cret') });
    await post(bin.url, body, { 'X-Hub-Signature-256': sign('wrong') });
    expect((await bin.waitForCapture()).signatures[0]).toMatchObject({ scheme: 'github', status: 'valid', secret: 'github' });
    expect((await bin.waitForCapture()).verdict).toBe('invalid');
    expect((await bin.captures()).map((c) => c.verdict)).toEqual(['valid', 'valid', 'invalid']);
    await expect(bin.setSecrets([{ name: 'x', value: 'y', scheme: 'nope' }])).rejects.toMatchObject({ status: 400 });
  });

  it('clear() deletes the captures and starts waitForCapture afresh', async () => {
    const h = await hookbin();
    const bin = await h.createBin();
    await post(`${bin.url}/old`);
    await bin.waitForCapture();
    expect(await bin.clear()).toBe(1);
    expect(await bin.captures()).toEqual([]);
    await post(`${bin.url}/new`);
    expect((await bin.waitForCapture()).path).toBe('/new');
    expect(h.bin(bin.id).url).toBe(bin.url);
  });

  it('creates a bin with its settings or not at all', async () => {
    const h = await hookbin();
    await expect(h.createBin({ id: 'bad-answer', respond: { status: 99 } })).rejects.toMatchObject({ status: 400 });
    const list = await fetch(`${h.url}/api/bins`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(((await list.json()) as { bins: Array<{ id: string }> }).bins.map((b) => b.id)).not.toContain('bad-answer');
    const bin = await h.createBin({ id: 'good', name: 'Good', cors: true, respond: { status: 201 } });
    expect((await post(bin.url)).status).toBe(201);
    await expect(h.createBin({ id: 'good' })).rejects.toMatchObject({ status: 409 });
    expect(() => h.bin('Not A Bin')).toThrow('a bin id is');
  });

  it('checks its options as the CLI checks its flags, in the options’ words', async () => {
    await expect(startHookbin({ port: 70000 })).rejects.toThrow('startHookbin: port must be a whole number from 0 to 65535, not "70000"');
    await expect(startHookbin({ publicUrl: 'ftp://x' })).rejects.toThrow(/^startHookbin: publicUrl /);
    await expect(startHookbin({ token: 'has spaces' })).rejects.toThrow('startHookbin: token must be 1 to 512 visible ASCII characters');
    await expect(startHookbin({ secrets: [{ name: 'bad name', value: 'v' }] })).rejects.toThrow('startHookbin: secrets must be NAME=VALUE');
    await expect(startHookbin({ prot: 1 } as HookbinOptions)).rejects.toThrow('startHookbin: unknown option prot');
    await expect(startHookbin({ memory: false })).rejects.toThrow('memory: false needs a dataDir');
    await expect(startHookbin({ port: '80' as unknown as number })).rejects.toThrow('port must be a number');
    const h = await hookbin({ token: 'my-token' });
    expect(h.token).toBe('my-token');
    const taken = Number(new URL(h.url).port);
    await expect(startHookbin({ port: taken })).rejects.toThrow(/port/);
  });

  it("reads no HOOKBIN_* environment variable: the options alone configure it", async () => {
    const names = ['HOOKBIN_TOKEN', 'HOOKBIN_SECRET_ENV', 'HOOKBIN_MAX_BODY', 'HOOKBIN_DATA_DIR'];
    Object.assign(process.env, { HOOKBIN_TOKEN: 'from-the-environment', HOOKBIN_SECRET_ENV: 'x', HOOKBIN_MAX_BODY: 'not a size', HOOKBIN_DATA_DIR: '/nonexistent/hookbin' });
    try {
      const h = await hookbin();
      expect(h.token).not.toBe('from-the-environment');
      const info = await fetch(`${h.url}/api/info`, { headers: { authorization: `Bearer ${h.token}` } });
      expect(((await info.json()) as { globalSecrets: unknown[] }).globalSecrets).toEqual([]);
    } finally {
      for (const name of names) delete process.env[name];
    }
  });

  it('with a dataDir, writes only inside it, holds it while running, and lets it go on close', async () => {
    const home = temp('hookbin-home-');
    const cwd = temp('hookbin-cwd-');
    const dataDir = join(temp('hookbin-lib-'), 'data');
    const saved = { home: process.env.HOME, cwd: process.cwd() };
    process.env.HOME = home;
    process.chdir(cwd);
    try {
      const inMemory = await hookbin();
      await post(`${(await inMemory.createBin()).url}`);
      const h = await startHookbin({ dataDir });
      const bin = await h.createBin({ id: 'kept-bin' });
      await post(bin.url, 'kept');
      await bin.waitForCapture();
      await expect(startHookbin({ dataDir })).rejects.toThrow(/startHookbin: .*data dir/);
      const port = Number(new URL(h.url).port);
      await h.close();
      expect(await portIsFree(port)).toBe(true);
      expect(readdirSync(home)).toEqual([]);
      expect(readdirSync(cwd)).toEqual([]);
      expect(readdirSync(dataDir).every((f) => /^(hookbin\.db.*|token|.*lock.*)$/.test(f))).toBe(true);
      expect(existsSync(join(dataDir, 'hookbin.db'))).toBe(true);
      // The dir is free again, and kept what was captured.
      const again = await hookbin({ dataDir });
      expect(again.token).toBe(h.token);
      expect((await again.bin('kept-bin').captures()).map((c) => c.body.toString())).toEqual(['kept']);
    } finally {
      process.chdir(saved.cwd);
      process.env.HOME = saved.home;
    }
  });

  it('subscribes again when the live feed drops it mid-wait, and finds what arrived meanwhile', async () => {
    // The server from the test helpers, for its hub: dropping every live client is what the hub does to one that falls behind.
    const server = await startServer({ memory: true });
    const live = createLiveWaker(server.origin, server.token);
    try {
      const bin = createBinHandle(server.defaultBinId, server.binUrl, createApiClient(server.origin, server.token), live);
      const wait = bin.waitForCapture((c) => c.path === '/while-dropped', { timeoutMs: 10_000 });
      await waitFor(() => server.hub.size === 1, 5000, 'the live feed subscribed');
      server.hub.close();
      await post(`${server.binUrl}/while-dropped`);
      await waitFor(() => server.hub.size === 1, 5000, 'the live feed subscribed again');
      expect((await wait).path).toBe('/while-dropped');
    } finally {
      live.close();
      await server.close();
    }
  });
});
