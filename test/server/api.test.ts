/**
 * The control API through the real server: real HTTP on a free port, a real
 * SQLite file in a temp dir, the token in `Authorization: Bearer`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, expectError, rawExchange, startServer, type TestServer } from '../support/helpers.js';

const PKG_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const DEFAULT_RESPOND = {
  status: 200,
  headers: {},
  body: '{"ok":true}',
  delayMs: 0,
  fault: null,
  failFirst: null,
  sequence: null,
  random: null,
  retryAfter: null,
  rules: [],
};

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return server.api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function patch(path: string, body: unknown): Promise<Response> {
  return server.api(path, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function createBin(input: Record<string, unknown> = {}): Promise<{ id: string; name: string; url: string }> {
  const res = await post('/api/bins', input);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; name: string; url: string };
}

/** Sends one request to a bin and returns its capture id. */
async function capture(binId: string, body: string): Promise<string> {
  const res = await fetch(`${server.origin}/b/${binId}`, { method: 'POST', body });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  const id = res.headers.get('x-hookbin-capture-id');
  expect(id).toBeTruthy();
  return id!;
}

describe('GET /api/health', () => {
  it('answers without a token with ok and the package version', async () => {
    const res = await server.raw('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true, version: PKG_VERSION });
  });
});

describe('POST /api/bins', () => {
  it('creates a bin with a generated id and the full public shape', async () => {
    const before = Date.now();
    const res = await post('/api/bins', {});
    expect(res.status).toBe(201);
    const bin = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(bin)).toEqual(expect.arrayContaining(['id', 'name', 'url', 'createdAt', 'captureCount', 'prunedCount', 'respond']));
    expect(bin.id).toMatch(/^[a-z0-9_-]{1,64}$/);
    expect(typeof bin.name).toBe('string');
    expect((bin.name as string).length).toBeGreaterThan(0);
    expect(bin.url).toBe(`${server.origin}/b/${bin.id as string}`);
    expect(new Date(bin.createdAt as string).toISOString()).toBe(bin.createdAt);
    expect(Date.parse(bin.createdAt as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(bin.createdAt as string)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(bin.captureCount).toBe(0);
    expect(bin.prunedCount).toBe(0);
    expect(bin.respond).toEqual(DEFAULT_RESPOND);
  });

  it('two bins without an id get different ids', async () => {
    const a = await createBin();
    const b = await createBin();
    expect(a.id).not.toBe(b.id);
  });

  it('uses the given id and name; its url works for ingress', async () => {
    const res = await post('/api/bins', { id: 'my-bin', name: 'Mine' });
    expect(res.status).toBe(201);
    const bin = (await res.json()) as { id: string; name: string; url: string; captureCount: number };
    expect(bin.id).toBe('my-bin');
    expect(bin.name).toBe('Mine');
    expect(bin.url).toBe(`${server.origin}/b/my-bin`);

    const hook = await fetch(bin.url, { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toEqual({ ok: true });
    const captureId = hook.headers.get('x-hookbin-capture-id');
    expect(captureId).toMatch(/^[0-9a-z]+$/);

    const read = await server.api('/api/bins/my-bin');
    expect(read.status).toBe(200);
    expect(((await read.json()) as { captureCount: number }).captureCount).toBe(1);
    const cap = await server.api(`/api/captures/${captureId}`);
    expect(cap.status).toBe(200);
    expect(await cap.json()).toMatchObject({ id: captureId, binId: 'my-bin', method: 'POST', body: '{"hello":"world"}' });
  });

  it('refuses an id that is taken with 409 bin_exists, and keeps the first bin', async () => {
    await createBin({ id: 'taken-bin', name: 'First' });
    await expectError(await post('/api/bins', { id: 'taken-bin', name: 'Second' }), 409, 'bin_exists');
    const read = await server.api('/api/bins/taken-bin');
    expect(((await read.json()) as { name: string }).name).toBe('First');
  });

  it('accepts a 64-character id (the longest allowed)', async () => {
    const id = 'a'.repeat(64);
    const bin = await createBin({ id });
    expect(bin.id).toBe(id);
  });

  it.each([
    ['Has Caps', 'Has Caps'],
    ['a/b', 'a/b'],
    ['65 characters', 'a'.repeat(65)],
    ['empty', ''],
    ['a dot', 'a.b'],
    ['a number', 42],
  ])('refuses a bad id (%s) with 400 invalid_request', async (_label, id) => {
    const message = await expectError(await post('/api/bins', { id }), 400, 'invalid_request');
    expect(message).toMatch(/id/);
    const list = (await (await server.api('/api/bins')).json()) as { bins: { id: unknown }[] };
    expect(list.bins.map((b) => b.id)).not.toContain(id);
  });

  it('refuses unknown keys with 400 invalid_request', async () => {
    const message = await expectError(await post('/api/bins', { id: 'unknown-keys', nope: 1 }), 400, 'invalid_request');
    expect(message).toMatch(/nope/);
    expect((await server.api('/api/bins/unknown-keys')).status).toBe(404);
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"my-bin"'],
  ])('refuses a JSON body that is not an object (%s) with 400 invalid_request', async (_label, body) => {
    await expectError(await post('/api/bins', body), 400, 'invalid_request');
  });

  it('refuses an empty or too long name', async () => {
    await expectError(await post('/api/bins', { name: '   ' }), 400, 'invalid_request');
    await expectError(await post('/api/bins', { name: 'n'.repeat(201) }), 400, 'invalid_request');
  });

  it.each([['{"id":'], ['{id: "x"}'], ["{'id':'x'}"], ['{"id":"x"}}']])('refuses malformed JSON %s with 400 invalid_json', async (body) => {
    await expectError(await post('/api/bins', body), 400, 'invalid_json');
  });

  it('reads a JSON body sent without a JSON content-type (curl -d)', async () => {
    const form = await server.api('/api/bins', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"id":"curl-bin","name":"From curl"}',
    });
    expect(form.status).toBe(201);
    expect(await form.json()).toMatchObject({ id: 'curl-bin', name: 'From curl' });

    // ... and validates it just the same: a bad id in a form-labelled body is still refused.
    const bad = await server.api('/api/bins', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"id":"Not Valid"}',
    });
    await expectError(bad, 400, 'invalid_request');

    const plain = await server.api('/api/bins', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"id":"plain-bin"}' });
    expect(plain.status).toBe(201);
    expect(((await plain.json()) as { id: string }).id).toBe('plain-bin');

    const noType = await rawExchange(
      server.port,
      `POST /api/bins HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\n` +
        `Content-Length: 20\r\nConnection: close\r\n\r\n{"id":"no-type-bin"}`,
    );
    expect(noType.toString('latin1')).toMatch(/^HTTP\/1\.1 201 /);
    expect((await server.api('/api/bins/no-type-bin')).status).toBe(200);
  });
});

describe('GET /api/bins', () => {
  it('lists every bin with its public shape', async () => {
    await createBin({ id: 'listed-a', name: 'A' });
    await createBin({ id: 'listed-b', name: 'B' });
    const res = await server.api('/api/bins');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bins: Array<{ id: string; name: string; url: string }> };
    expect(Object.keys(body)).toEqual(['bins']);
    const ids = body.bins.map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining([server.defaultBinId, 'listed-a', 'listed-b']));
    expect(new Set(ids).size).toBe(ids.length);
    const a = body.bins.find((b) => b.id === 'listed-a')!;
    expect(a).toMatchObject({ name: 'A', url: `${server.origin}/b/listed-a`, captureCount: 0, prunedCount: 0, respond: DEFAULT_RESPOND });
  });
});

describe('GET/PATCH/DELETE /api/bins/{id}', () => {
  it('reads one bin', async () => {
    await createBin({ id: 'read-me', name: 'Read me' });
    const res = await server.api('/api/bins/read-me');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'read-me', name: 'Read me', url: `${server.origin}/b/read-me`, captureCount: 0, respond: DEFAULT_RESPOND });
  });

  it('renames a bin', async () => {
    await createBin({ id: 'rename-me', name: 'Old' });
    const res = await patch('/api/bins/rename-me', { name: 'New name' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'rename-me', name: 'New name', respond: DEFAULT_RESPOND });
    expect(await (await server.api('/api/bins/rename-me')).json()).toMatchObject({ name: 'New name' });
  });

  it('changes the response a bin answers with, merges partial patches, and resets with null', async () => {
    await createBin({ id: 'respond-bin' });
    const res = await patch('/api/bins/respond-bin', { respond: { status: 503, headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'down' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { respond: unknown }).respond).toEqual({ ...DEFAULT_RESPOND, status: 503, headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'down' });

    const hook = await fetch(`${server.origin}/b/respond-bin`, { method: 'POST', body: 'x' });
    expect(hook.status).toBe(503);
    expect(hook.headers.get('x-test')).toBe('yes');
    expect(await hook.text()).toBe('down');

    // A partial patch keeps the rest.
    const partial = await patch('/api/bins/respond-bin', { respond: { status: 202 } });
    expect(partial.status).toBe(200);
    expect(((await partial.json()) as { respond: unknown }).respond).toEqual({ ...DEFAULT_RESPOND, status: 202, headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'down' });

    const reset = await patch('/api/bins/respond-bin', { respond: null });
    expect(reset.status).toBe(200);
    expect(((await reset.json()) as { respond: unknown }).respond).toEqual(DEFAULT_RESPOND);
    const after = await fetch(`${server.origin}/b/respond-bin`, { method: 'POST', body: 'x' });
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ ok: true });
  });

  it.each([
    ['status 99', { status: 99 }],
    ['status 600', { status: 600 }],
    ['a fractional status', { status: 200.5 }],
    ['a string status', { status: '200' }],
    ['a header value with CRLF', { headers: { 'x-evil': 'a\r\nSet-Cookie: pwned=1' } }],
    ['a header value with LF', { headers: { 'x-evil': 'a\nb' } }],
    ['a content-length header', { headers: { 'content-length': '5' } }],
    ['a Content-Length header in another case', { headers: { 'Content-Length': '5' } }],
    ['a transfer-encoding header', { headers: { 'transfer-encoding': 'chunked' } }],
    ['a header name with a space', { headers: { 'x bad': '1' } }],
    ['an unknown respond key', { nope: true }],
  ])('refuses a respond patch with %s (400 invalid_request) and changes nothing', async (_label, respond) => {
    const id = `bad-respond-${Math.random().toString(36).slice(2, 10)}`;
    await createBin({ id });
    await expectError(await patch(`/api/bins/${id}`, { respond }), 400, 'invalid_request');
    expect(((await (await server.api(`/api/bins/${id}`)).json()) as { respond: unknown }).respond).toEqual(DEFAULT_RESPOND);
    const hook = await fetch(`${server.origin}/b/${id}`, { method: 'POST', body: 'x' });
    expect(hook.status).toBe(200);
    expect(hook.headers.get('x-evil')).toBeNull();
    await hook.arrayBuffer();
  });

  it('accepts the edge statuses 200 and 599', async () => {
    await createBin({ id: 'edge-status' });
    expect((await patch('/api/bins/edge-status', { respond: { status: 200 } })).status).toBe(200);
    const res = await patch('/api/bins/edge-status', { respond: { status: 599 } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { respond: { status: number } }).respond.status).toBe(599);
  });

  it('refuses unknown keys and malformed JSON in a PATCH', async () => {
    await createBin({ id: 'patch-keys', name: 'Keep' });
    await expectError(await patch('/api/bins/patch-keys', { name: 'x', color: 'red' }), 400, 'invalid_request');
    await expectError(await patch('/api/bins/patch-keys', '{"name":'), 400, 'invalid_json');
    expect(((await (await server.api('/api/bins/patch-keys')).json()) as { name: string }).name).toBe('Keep');
  });

  it('refuses a "__proto__" key in respond.headers (bin and rule) with a 400 naming it, and keeps the headers', async () => {
    await createBin({ id: 'proto-keys' });
    const before = await (await server.api('/api/bins/proto-keys')).json();
    for (const body of [
      '{"respond":{"headers":{"__proto__":"x","a":"b"}}}',
      '{"respond":{"headers":{"__proto__":{"x-injected":"1"}}}}',
      '{"respond":{"rules":[{"match":{},"respond":{"headers":{"__proto__":"x","a":"b"}}}]}}',
    ]) {
      const message = await expectError(await patch('/api/bins/proto-keys', body), 400, 'invalid_request');
      expect(message).toContain('__proto__');
      expect(message).toContain('headers');
    }
    expect(await (await server.api('/api/bins/proto-keys')).json()).toEqual(before);
    // A `constructor` key is an ordinary header name, kept as one.
    const ok = await patch('/api/bins/proto-keys', '{"respond":{"headers":{"constructor":"x","a":"b"}}}');
    expect(((await ok.json()) as { respond: { headers: unknown } }).respond.headers).toEqual({ constructor: 'x', a: 'b' });
    const hook = await fetch(`${server.origin}/b/proto-keys`, { method: 'POST', body: 'x' });
    expect([hook.headers.get('constructor'), hook.headers.get('a')]).toEqual(['x', 'b']);
  });

  it('deletes a bin with its captures; its URL then answers 404', async () => {
    await createBin({ id: 'delete-me' });
    const captureId = await capture('delete-me', 'soon gone');
    const res = await server.api('/api/bins/delete-me', { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await expectError(await server.api('/api/bins/delete-me'), 404, 'bin_not_found');
    await expectError(await server.api(`/api/captures/${captureId}`), 404, 'capture_not_found');
    const hook = await fetch(`${server.origin}/b/delete-me`, { method: 'POST', body: 'x' });
    await expectError(hook, 404, 'bin_not_found');
    // The id can be used again.
    expect((await post('/api/bins', { id: 'delete-me' })).status).toBe(201);
  });

  it('answers 404 bin_not_found for an unknown bin on GET, PATCH, DELETE and its captures', async () => {
    await expectError(await server.api('/api/bins/no-such-bin'), 404, 'bin_not_found');
    await expectError(await patch('/api/bins/no-such-bin', { name: 'x' }), 404, 'bin_not_found');
    await expectError(await server.api('/api/bins/no-such-bin', { method: 'DELETE' }), 404, 'bin_not_found');
    await expectError(await server.api('/api/bins/no-such-bin/captures'), 404, 'bin_not_found');
    await expectError(await server.api('/api/bins/no-such-bin/captures', { method: 'DELETE' }), 404, 'bin_not_found');
  });
});

describe('captures', () => {
  let binId: string;
  const ids: string[] = [];

  beforeAll(async () => {
    binId = (await createBin({ id: 'paged' })).id;
    for (let i = 0; i < 3; i++) ids.push(await capture(binId, `body ${i}`));
  });

  it('lists captures newest first, paged with limit and the next cursor', async () => {
    const all = await server.api(`/api/bins/${binId}/captures`);
    expect(all.status).toBe(200);
    const page = (await all.json()) as { captures: Array<{ id: string; binId: string }>; next: string | null };
    expect(page.captures.map((c) => c.id)).toEqual([...ids].reverse());
    expect(page.next).toBeNull();

    const first = (await (await server.api(`/api/bins/${binId}/captures?limit=2`)).json()) as typeof page;
    expect(first.captures.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    expect(typeof first.next).toBe('string');
    const second = (await (await server.api(`/api/bins/${binId}/captures?limit=2&before=${first.next}`)).json()) as typeof page;
    expect(second.captures.map((c) => c.id)).toEqual([ids[0]]);
    expect(second.next).toBeNull();
  });

  it.each([
    ['limit=-1', /limit/],
    ['limit=0', /limit/],
    ['limit=abc', /limit/],
    ['limit=1.5', /limit/],
    ['limit=100000', /limit/],
    ['limit=1001', /limit/],
    ['limit=', /limit/],
    ['before=garbage', /before/],
    ['before=-5', /before/],
    ['limit=2&before=abc', /before/],
  ])('refuses %s with 400 invalid_request and a message naming the parameter', async (query, pattern) => {
    const message = await expectError(await server.api(`/api/bins/${binId}/captures?${query}`), 400, 'invalid_request');
    expect(message).toMatch(pattern);
  });

  it('accepts limit=1000 (the largest page)', async () => {
    const res = await server.api(`/api/bins/${binId}/captures?limit=1000`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { captures: unknown[] }).captures).toHaveLength(3);
  });

  it('answers 404 capture_not_found for an unknown capture id', async () => {
    await expectError(await server.api('/api/captures/0000000000zzzzzzzzzzzz'), 404, 'capture_not_found');
    await expectError(await server.api('/api/captures/nope'), 404, 'capture_not_found');
    await expectError(await server.api('/api/captures/nope/body'), 404, 'capture_not_found');
    await expectError(await server.api('/api/captures/nope', { method: 'DELETE' }), 404, 'capture_not_found');
  });

  it('reads one capture and its exact body bytes, then deletes it', async () => {
    const res = await server.api(`/api/captures/${ids[1]}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: ids[1], binId, method: 'POST', path: '', body: 'body 1', bodySize: 6, truncated: false });
    const body = await server.api(`/api/captures/${ids[1]}/body`);
    expect(body.status).toBe(200);
    expect(await body.text()).toBe('body 1');

    const del = await server.api(`/api/captures/${ids[1]}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    await expectError(await server.api(`/api/captures/${ids[1]}`), 404, 'capture_not_found');
    ids.splice(1, 1);
  });
});
