/**
 * Export and import of a bin's captures on a real server: NDJSON round trips
 * byte-exact (binary and gzip bodies, duplicate headers in order, an empty
 * body), HAR 1.2 carries what other tools require, a bad line refuses the
 * whole import by its number, verdicts are judged again with the target
 * bin's secrets, and an export reads the store in bounded batches as the
 * client reads the stream.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Capture, CaptureSummary } from '../../server/common/types.js';
import { createApp } from '../../server/http/app.js';
import { hostPolicy } from '../../server/http/security.js';
import { openStore, type Store, type WalkLimits } from '../../server/store/index.js';
import { connectLive, expectError, expectJson, rawExchange, useServer, waitFor, type TestServer } from '../support/helpers.js';

const server = useServer();

async function makeBin(s: TestServer, id: string, secrets: unknown[] = []): Promise<void> {
  await expectJson(s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }), 201);
  if (secrets.length > 0) await expectJson(s.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ secrets }) }));
}

/** Sends raw bytes as one request to the bin: header case, order and duplicates exactly as written. */
async function rawSend(s: TestServer, binId: string, target: string, headers: [string, string][], body: Buffer): Promise<void> {
  const head = [`POST /b/${binId}${target} HTTP/1.1`, `Host: 127.0.0.1:${s.port}`, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`, 'Connection: close', '', ''].join('\r\n');
  const reply = await rawExchange(s.port, Buffer.concat([Buffer.from(head, 'latin1'), body]));
  expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
}

async function list(s: TestServer, binId: string): Promise<CaptureSummary[]> {
  return (await expectJson<{ captures: CaptureSummary[] }>(s.api(`/api/bins/${binId}/captures?limit=1000`))).captures;
}

async function detail(s: TestServer, id: string): Promise<{ capture: Capture; body: Buffer }> {
  const capture = await expectJson<Capture>(s.api(`/api/captures/${id}`));
  const body = Buffer.from(await (await s.api(`/api/captures/${id}/body`)).arrayBuffer());
  return { capture, body };
}

async function exportText(s: TestServer, binId: string, format = 'ndjson'): Promise<string> {
  const res = await s.api(`/api/bins/${binId}/export?format=${format}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text;
}

function importInto(s: TestServer, binId: string, body: string, query = ''): Promise<Response> {
  return s.api(`/api/bins/${binId}/import${query}`, { method: 'POST', body });
}

const binary = randomBytes(3000);
binary[0] = 0xff; // never valid UTF-8
const gzipped = gzipSync(Buffer.from('{"event":"compressed","n":1}'));

/** Three captures: binary with duplicate headers, gzip, and an empty GET-like POST with a query. */
async function fillSource(s: TestServer, binId: string): Promise<void> {
  await makeBin(s, binId);
  await rawSend(s, binId, '/hooks/bin?x=1&x=2', [['Content-Type', 'application/octet-stream'], ['X-Dup', 'one'], ['x-dup', 'Two'], ['X-DUP', 'three']], binary);
  await rawSend(s, binId, '', [['content-type', 'application/json'], ['Content-Encoding', 'gzip']], gzipped);
  await rawSend(s, binId, '/empty?q=a%20b', [['X-Empty', '']], Buffer.alloc(0));
}

describe('NDJSON export', () => {
  it('names its format on the first line, then one capture a line oldest first, bodies base64 as stored', async () => {
    const s = server();
    await fillSource(s, 'nd-src');
    const res = await s.api('/api/bins/nd-src/export');
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="hookbin-nd-src-\d{4}-\d\d-\d\d\.ndjson"$/);
    const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ hookbin: 'export', version: 1, bin: { id: 'nd-src' }, order: 'oldest first' });
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.path)).toEqual(['/hooks/bin', '', '/empty']);
    expect(Buffer.from(lines[1]!.body as string, 'base64').equals(binary)).toBe(true);
    expect(Buffer.from(lines[2]!.body as string, 'base64').equals(gzipped)).toBe(true);
    expect(lines[3]!.body).toBe('');
    expect((lines[1]!.headers as string[][]).filter(([n]) => n!.toLowerCase() === "x-dup")).toEqual([['X-Dup', 'one'], ['x-dup', 'Two'], ['X-DUP', 'three']]);
    expect(lines[1]).toMatchObject({ method: 'POST', query: 'x=1&x=2', truncated: false, response: { status: 200 }, event: { attempt: 1 }, verdict: null });
  });
});

describe('NDJSON round trip', () => {
  it('imports into another bin with every body and header pair byte-exact, original arrival kept, new ids', async () => {
    const s = server();
    await fillSource(s, 'rt-src');
    await makeBin(s, 'rt-dst');
    const live = await connectLive(s);
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['rt-dst'] }));
    await waitFor(() => live.of('subscribed').length > 0);
    const text = await exportText(s, 'rt-src');
    const result = await expectJson<{ format: string; imported: number; pruned: number }>(importInto(s, 'rt-dst', text));
    expect(result).toMatchObject({ format: 'ndjson', imported: 3, pruned: 0, bin: { id: 'rt-dst', captureCount: 3 } });
    await waitFor(() => live.of('captures.imported').length > 0, 5000, 'captures.imported');
    expect(live.of('captures.imported')).toEqual([{ type: 'captures.imported', binId: 'rt-dst', imported: 3, pruned: 0 }]);
    live.ws.close();

    const src = (await list(s, 'rt-src')).reverse();
    const dst = (await list(s, 'rt-dst')).reverse();
    expect(dst).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const a = await detail(s, src[i]!.id);
      const b = await detail(s, dst[i]!.id);
      expect(b.capture.id).not.toBe(a.capture.id);
      expect(b.body.equals(a.body)).toBe(true);
      expect(b.capture.headers).toEqual(a.capture.headers);
      expect(b.capture).toMatchObject({ receivedAt: a.capture.receivedAt, method: a.capture.method, path: a.capture.path, query: a.capture.query, bodySize: a.capture.bodySize, truncated: false, status: 200 });
      expect(b.capture.event).toEqual(a.capture.event);
    }
    // Saved by an editor with a BOM and CRLF line ends, it still imports, the bytes unchanged.
    await makeBin(s, 'rt-crlf');
    await expectJson(importInto(s, 'rt-crlf', `\ufeff${text.replace(/\n/g, '\r\n')}`));
    const crlf = (await list(s, 'rt-crlf')).reverse();
    expect((await detail(s, crlf[0]!.id)).body.equals(binary)).toBe(true);
    // Exported again, the imported bin gives the same lines but for ids.
    const strip = (t: string) => t.trim().split('\n').slice(1).map((l) => ({ ...(JSON.parse(l) as object), id: undefined }));
    expect(strip(await exportText(s, 'rt-dst'))).toEqual(strip(text));
  });

  it('a HAR export imports back with its bodies byte-exact (binary and gzip base64-marked)', async () => {
    const s = server();
    await fillSource(s, 'har-src');
    await makeBin(s, 'har-dst');
    const har = await exportText(s, 'har-src', 'har');
    expect(await expectJson(importInto(s, 'har-dst', har))).toMatchObject({ format: 'har', imported: 3, pruned: 0 });
    const src = (await list(s, 'har-src')).reverse();
    const dst = (await list(s, 'har-dst')).reverse();
    for (let i = 0; i < 3; i++) {
      const a = await detail(s, src[i]!.id);
      const b = await detail(s, dst[i]!.id);
      expect(b.body.equals(a.body)).toBe(true);
      expect(b.capture.headers).toEqual(a.capture.headers);
      expect(b.capture).toMatchObject({ receivedAt: a.capture.receivedAt, path: a.capture.path, query: a.capture.query, event: a.capture.event });
    }
  });

  it('a body of several MB (stored in parts) round trips byte-exact through NDJSON and HAR', async () => {
    const s = server();
    const big = randomBytes(6 * 1024 * 1024 + 5);
    await makeBin(s, 'big-src');
    await rawSend(s, 'big-src', '/big', [['Content-Type', 'application/octet-stream']], big);
    for (const format of ['ndjson', 'har']) {
      await makeBin(s, `big-${format}`);
      const text = await exportText(s, 'big-src', format);
      expect(await expectJson(importInto(s, `big-${format}`, text))).toMatchObject({ format, imported: 1 });
      const [only] = await list(s, `big-${format}`);
      const got = await detail(s, only!.id);
      expect(got.capture.bodySize).toBe(big.byteLength);
      expect(got.body.equals(big)).toBe(true);
    }
  });
});

describe('HAR import of another tool', () => {
  it('reads requests as the bin would: path after /b/{id} (or the whole path), pseudo-headers left out, events numbered as live ones', async () => {
    const s = server();
    await makeBin(s, 'other-har');
    const entry = (url: string, started: string) => ({
      startedDateTime: started,
      time: 12,
      request: {
        method: 'POST',
        url,
        httpVersion: 'HTTP/2',
        headers: [{ name: ':authority', value: 'example.test' }, { name: 'content-type', value: 'application/json' }, { name: 'X-GitHub-Delivery', value: 'd-1' }, { name: 'X-GitHub-Event', value: 'push' }],
        postData: { mimeType: 'application/json', text: '{"ref":"main"}' },
      },
      response: { status: 502, headers: [{ name: 'content-type', value: 'text/plain' }], content: { size: 3, mimeType: 'text/plain', text: 'bad' } },
    });
    const har = { log: { version: '1.2', creator: { name: 'other', version: '1' }, entries: [entry('https://tunnel.example/prefix/b/anything/hooks?x=1', '2026-01-02T03:04:05.000Z'), entry('https://app.example/webhooks/gh', '2026-01-02T03:04:35.000Z')] } };
    expect(await expectJson(importInto(s, 'other-har', JSON.stringify(har)))).toMatchObject({ format: 'har', imported: 2 });
    const [second, first] = await list(s, 'other-har');
    expect(first).toMatchObject({ path: '/hooks', query: 'x=1', receivedAt: '2026-01-02T03:04:05.000Z', status: 502, event: { key: 'd-1', type: 'push', attempt: 1 }, provider: { id: 'github' } });
    expect(second).toMatchObject({ path: '/webhooks/gh', query: '', event: { key: 'd-1', attempt: 2 } });
    const { capture, body } = await detail(s, first!.id);
    expect(capture.headers).toEqual([['content-type', 'application/json'], ['X-GitHub-Delivery', 'd-1'], ['X-GitHub-Event', 'push']]);
    expect(capture.httpVersion).toBe('2');
    expect(body.toString()).toBe('{"ref":"main"}');
    expect(capture.response).toMatchObject({ status: 502, body: 'bad', reason: 'imported' });
  });
});

describe('HAR export', () => {
  it('is HAR 1.2 with every required field, the bin URL, and binary bodies base64 and marked', async () => {
    const s = server();
    await fillSource(s, 'har-v');
    const res = await s.api('/api/bins/har-v/export?format=har');
    expect(res.headers.get('content-disposition')).toMatch(/filename="hookbin-har-v-\d{4}-\d\d-\d\d\.har"$/);
    const { log } = JSON.parse(await res.text()) as { log: Record<string, unknown> & { entries: Record<string, any>[] } };
    expect(log.version).toBe('1.2');
    expect(log.creator).toMatchObject({ name: 'hookbin', version: expect.any(String) });
    expect(log.entries).toHaveLength(3);
    for (const e of log.entries) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']));
      expect(new Date(e.startedDateTime).toISOString()).toBe(e.startedDateTime);
      expect(Object.keys(e.request)).toEqual(expect.arrayContaining(['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize']));
      expect(Object.keys(e.response)).toEqual(expect.arrayContaining(['status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize']));
      expect(Object.keys(e.response.content)).toEqual(expect.arrayContaining(['size', 'mimeType']));
      expect(Object.keys(e.timings)).toEqual(expect.arrayContaining(['send', 'wait', 'receive']));
    }
    const [bin, gz, empty] = log.entries as Record<string, any>[];
    expect(bin!.request.url).toBe(`${s.origin}/b/har-v/hooks/bin?x=1&x=2`);
    expect(bin!.request.queryString).toEqual([{ name: 'x', value: '1' }, { name: 'x', value: '2' }]);
    expect(bin!.request.headers.filter((h: { name: string }) => h.name.toLowerCase() === 'x-dup').map((h: { value: string }) => h.value)).toEqual(['one', 'Two', 'three']);
    expect(bin!.request.postData).toMatchObject({ mimeType: 'application/octet-stream', encoding: 'base64' });
    expect(Buffer.from(bin!.request.postData.text, 'base64').equals(binary)).toBe(true);
    expect(gz!.request.postData.encoding).toBe('base64');
    expect(Buffer.from(gz!.request.postData.text, 'base64').equals(gzipped)).toBe(true);
    expect(empty!.request.postData).toBeUndefined();
    expect(empty!.request.queryString).toEqual([{ name: 'q', value: 'a b' }]);
    expect(bin!.response).toMatchObject({ status: 200, statusText: 'OK' });
  });
});

describe('refusals', () => {
  it('a bad line refuses the import with its number, and nothing of it is stored', async () => {
    const s = server();
    await fillSource(s, 'bad-src');
    await makeBin(s, 'bad-dst');
    const lines = (await exportText(s, 'bad-src')).trimEnd().split('\n');
    const broken = JSON.parse(lines[3]!) as Record<string, unknown>;
    broken.body = 'not base64!';
    const text = [lines[0], lines[1], lines[2], JSON.stringify(broken)].join('\n');
    const message = await expectError(await importInto(s, 'bad-dst', text), 400, 'invalid_import');
    expect(message).toBe('line 4: body is not base64');
    expect(await expectError(await importInto(s, 'bad-dst', [lines[0], lines[1], '{"method":', lines[2]].join('\n')), 400, 'invalid_import')).toMatch(/^line 3: not JSON/);
    const noHeaders = JSON.stringify({ ...(JSON.parse(lines[1]!) as object), headers: [['bad name', 'x']] });
    expect(await expectError(await importInto(s, 'bad-dst', `${lines[0]}\n${noHeaders}\n`), 400, 'invalid_import')).toMatch(/^line 2: headers\.0\.0: /);
    expect(await expectError(await importInto(s, 'bad-dst', `${lines[0]}\n${lines[1]}\n{"method":"POST"}\n`), 400, 'invalid_import')).toBe('line 3: receivedAt is missing');
    expect(await list(s, 'bad-dst')).toEqual([]);
    const bin = await expectJson<{ captureCount: number }>(s.api('/api/bins/bad-dst'));
    expect(bin.captureCount).toBe(0);
  });

  it('refuses a file that is neither an export nor a HAR, an export of another version, and an empty file', async () => {
    const s = server();
    await makeBin(s, 'odd-dst');
    expect(await expectError(await importInto(s, 'odd-dst', '{"hookbin":"export","version":2}\n'), 400, 'invalid_import')).toBe(
      'line 1: a hookbin export of version 2; this hookbin reads version 1',
    );
    // It says what an export's first line is, and that the file is not JSON (so not a HAR either).
    expect(await expectError(await importInto(s, 'odd-dst', 'hello\nworld\n'), 400, 'invalid_import')).toMatch(
      /^not a hookbin export \(whose first line is \{"hookbin":"export",…\}\) nor a HAR file \(it is not JSON: /,
    );
    expect(await expectError(await importInto(s, 'odd-dst', '{"log":{}}'), 400, 'invalid_import')).toBe('not a HAR file: it has no log.entries');
    expect(await expectError(await importInto(s, 'odd-dst', '{"log":{"entries":[{"startedDateTime":"yesterday"}]}}'), 400, 'invalid_import')).toMatch(/^entry 1: startedDateTime: /);
    expect(await expectError(await importInto(s, 'odd-dst', ''), 400, 'invalid_import')).toMatch(/empty/);
    expect(await expectError(await importInto(s, 'odd-dst', '{"hookbin":"export","version":1}\n', '?format=har'), 400, 'invalid_import')).toBe('not a HAR file: it has no log.entries');
    expect(await list(s, 'odd-dst')).toEqual([]);
  });

  it('an import over 256 MiB is refused before its body is read (413), while one over the API 2 MiB limit is taken', async () => {
    const s = server();
    await makeBin(s, 'huge');
    const head = `POST /api/bins/huge/import HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nAuthorization: Bearer ${s.token}\r\nContent-Length: ${256 * 1024 * 1024 + 1}\r\n\r\n`;
    const reply = (await rawExchange(s.port, head)).toString('latin1');
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('imports are limited to 256 MiB');
    const big = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64');
    const line = JSON.stringify({ receivedAt: '2026-01-02T03:04:05.678Z', method: 'PUT', path: '/big', query: '', headers: [], body: big, response: { status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' }, event: { key: 'k', type: null, attempt: 1 } });
    expect(await expectJson(importInto(s, 'huge', `{"hookbin":"export","version":1}\n${line}\n`))).toMatchObject({ imported: 1 });
    const [c] = await list(s, 'huge');
    expect(c).toMatchObject({ method: 'PUT', path: '/big', bodySize: 3 * 1024 * 1024, receivedAt: '2026-01-02T03:04:05.678Z' });
  });

  it('404 for a bin that does not exist, 400 for a format hookbin does not write', async () => {
    const s = server();
    expect(await expectError(await s.api('/api/bins/no-such-bin/export'), 404, 'bin_not_found')).toMatch(/no-such-bin/);
    expect(await expectError(await importInto(s, 'no-such-bin', '{"hookbin":"export","version":1}\n'), 404, 'bin_not_found')).toMatch(/no-such-bin/);
    await makeBin(s, 'fmt');
    expect(await expectError(await s.api('/api/bins/fmt/export?format=csv'), 400, 'invalid_request')).toMatch(/format is one of ndjson, har/);
    expect(await expectError(await importInto(s, 'fmt', 'x', '?format=csv'), 400, 'invalid_request')).toMatch(/format is one of ndjson, har/);
    expect((await s.raw('/api/bins/fmt/export')).status).toBe(401);
  });
});

describe('verdicts', () => {
  it('are judged again with the target bin secrets: valid with the right one, invalid with another', async () => {
    const s = server();
    await makeBin(s, 'sig-src');
    const body = Buffer.from('{"action":"opened"}');
    const sig = `sha256=${createHmac('sha256', 'right-secret-123').update(body).digest('hex')}`;
    await rawSend(s, 'sig-src', '', [['Content-Type', 'application/json'], ['X-GitHub-Event', 'issues'], ['X-Hub-Signature-256', sig]], body);
    expect((await list(s, 'sig-src'))[0]!.verdict).toBe('no-secret');
    await makeBin(s, 'sig-right', [{ name: 'gh', value: 'right-secret-123', scheme: 'github' }]);
    await makeBin(s, 'sig-wrong', [{ name: 'gh', value: 'another-secret-456', scheme: 'github' }]);
    const text = await exportText(s, 'sig-src');
    await expectJson(importInto(s, 'sig-right', text));
    await expectJson(importInto(s, 'sig-wrong', text));
    expect((await list(s, 'sig-right'))[0]!.verdict).toBe('valid');
    expect((await list(s, 'sig-wrong'))[0]!.verdict).toBe('invalid');
  });
});

describe('retention', () => {
  it('still holds: an import past --max-captures keeps the newest and counts the rest pruned', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 2 });
    try {
      const app = createApp({ store, token: 't', hosts: hostPolicy('127.0.0.1'), maxBody: 1024 * 1024, webRoot: null, version: '0.0.0-test' });
      const api = (path: string, init: RequestInit = {}) => app.request(`http://127.0.0.1${path}`, { ...init, headers: { authorization: 'Bearer t', host: '127.0.0.1' } });
      await api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'r' }) });
      const line = (n: number) =>
        JSON.stringify({ receivedAt: new Date(1_700_000_000_000 + n).toISOString(), method: 'POST', path: `/${n}`, query: '', headers: [], body: '', response: { status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' }, event: { key: `k${n}`, type: null, attempt: 1 } });
      const res = await api('/api/bins/r/import', { method: 'POST', body: ['{"hookbin":"export","version":1}', line(1), line(2), line(3)].join('\n') });
      expect(await res.json()).toMatchObject({ format: 'ndjson', imported: 3, pruned: 1, bin: { captureCount: 2, prunedCount: 1 } });
      const page = (await (await api('/api/bins/r/captures')).json()) as { captures: CaptureSummary[] };
      expect(page.captures.map((c) => c.path)).toEqual(['/3', '/2']);
    } finally {
      store.close();
    }
  });
});

describe('the store walk', () => {
  it('returns a body larger than the byte budget alone, stops at the budget, and never past `until`', () => {
    const store = openStore({ file: null, maxCapturesPerBin: 100 });
    try {
      store.createBin({ id: 'w', name: 'w', createdAt: 0, settings: { respond: { status: 200, headers: {}, body: '', delayMs: 0 } as never, secrets: [], eventKey: null } });
      const row = (n: number, size: number) => ({
        id: `c${n}`, receivedAt: n, method: 'POST', path: '', query: '', headers: [], contentType: null, body: Buffer.alloc(size, n), bodySize: size, truncated: false,
        remoteAddress: null, httpVersion: null, response: { status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' }, event: { key: `k${n}`, type: null, attempt: 1 },
        retryClaim: null, provider: null, signatures: [], verdict: null,
      });
      store.importCaptures('w', [row(1, 300), row(2, 10), row(3, 10), row(4, 200), row(5, 10)]);
      const until = store.lastSeq('w');
      store.importCaptures('w', [row(6, 10)]);
      const sizes = (after: number) => store.walkCaptures('w', after, until, { limit: 10, maxBytes: 100 }).map((c) => c.body.byteLength);
      const all = store.walkCaptures('w', 0, until, { limit: 10, maxBytes: 10_000 });
      expect(all.map((c) => c.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
      expect(all[0]!.body.equals(Buffer.alloc(300, 1))).toBe(true);
      expect(sizes(0)).toEqual([300]);
      expect(sizes(all[0]!.seq)).toEqual([10, 10]);
      expect(sizes(all[2]!.seq)).toEqual([200]);
      expect(sizes(all[3]!.seq)).toEqual([10]);
      expect(sizes(all[4]!.seq)).toEqual([]);
      expect(store.walkCaptures('w', 0, until, { limit: 2, maxBytes: 10_000 })).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});

describe('a large export', () => {
  it('reads the store in bounded batches, only as the client reads the stream', async () => {
    const store: Store = openStore({ file: null, maxCapturesPerBin: 10_000 });
    const calls: { rows: number; bytes: number }[] = [];
    const walk = store.walkCaptures;
    store.walkCaptures = (binId, after, until, limits) => {
      const rows = walk(binId, after, until, limits);
      calls.push({ rows: rows.length, bytes: rows.reduce((n, r) => n + r.body.byteLength, 0) });
      return rows;
    };
    const batch: WalkLimits = { limit: 20, maxBytes: 256 * 1024 };
    try {
      const app = createApp({ store, token: 't', hosts: hostPolicy('127.0.0.1'), maxBody: 1024 * 1024, webRoot: null, version: '0.0.0-test', exportBatch: batch });
      const headers = { authorization: 'Bearer t', host: '127.0.0.1' };
      await app.request('http://127.0.0.1/api/bins', { method: 'POST', headers, body: JSON.stringify({ id: 'big' }) });
      const big = randomBytes(64 * 1024).toString('base64');
      const body = big.slice(0, 64 * 1024);
      const lines = ['{"hookbin":"export","version":1}'];
      for (let n = 0; n < 200; n++) {
        lines.push(JSON.stringify({ receivedAt: new Date(1_700_000_000_000 + n).toISOString(), method: 'POST', path: '', query: '', headers: [], body: Buffer.from(body).toString('base64'), response: { status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' }, event: { key: `k${n}`, type: null, attempt: 1 } }));
      }
      const imported = await app.request('http://127.0.0.1/api/bins/big/import', { method: 'POST', headers, body: lines.join('\n') });
      expect(await imported.json()).toMatchObject({ imported: 200 });

      const res = await app.request('http://127.0.0.1/api/bins/big/export', { headers });
      const reader = res.body!.getReader();
      await reader.read(); // the first line
      await reader.read(); // the first batch
      // Nothing was read ahead of the client beyond the stream's one queued chunk.
      expect(calls.length).toBeLessThanOrEqual(2);
      let lineCount = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        lineCount += Buffer.from(value).toString('latin1').split('\n').length - 1;
      }
      expect(calls.length).toBeGreaterThanOrEqual(200 / 4);
      for (const c of calls) {
        expect(c.rows).toBeLessThanOrEqual(batch.limit);
        expect(c.rows <= 1 || c.bytes <= batch.maxBytes).toBe(true);
      }
      expect(calls.reduce((n, c) => n + c.rows, 0)).toBe(200);
      expect(lineCount).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
