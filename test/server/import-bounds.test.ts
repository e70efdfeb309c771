/**
 * An import holds about one batch, not the file: captures are staged in the
 * store as they are read (a stage the bin does not see until it is
 * committed whole), and a HAR file is read entry by entry, so a bad entry is
 * refused while the rest of the file is still on its way. The route's own
 * 256 MiB limit (it skips the API's 2 MiB one) comes after the guard: Host,
 * Origin and token are checked before any of the body is read.
 */
import http from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../../server/common/types.js';
import { openDatabase } from '../../server/store/connection.js';
import { openStore, type ImportedCapture } from '../../server/store/index.js';
import { expectError, expectJson, tempDir, TOKEN, useServer, type TestServer } from '../support/helpers.js';

const server = useServer();

const answer = { status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' };

function row(n: number, key: string, attempt: number | null): ImportedCapture {
  return {
    id: `c${n}`, receivedAt: n, method: 'POST', path: `/${n}`, query: '', headers: [['x-n', String(n)]], contentType: null, body: Buffer.alloc(n, n),
    bodySize: n, truncated: false, remoteAddress: null, httpVersion: null, response: answer, event: { key, type: null, attempt }, retryClaim: null,
    provider: null, signatures: [], verdict: null,
  };
}

function ndjsonLine(n: number, body = Buffer.from(`capture ${n}`)): string {
  return JSON.stringify({ receivedAt: new Date(1_700_000_000_000 + n).toISOString(), method: 'POST', path: `/${n}`, query: '', headers: [['x-n', String(n)]], body: body.toString('base64'), response: answer, event: { key: `k${n}`, type: null, attempt: 1 } });
}

/** Sends the head of a 64 MB import and none of its body; resolves with the answer (which must come without it). */
function openImport(s: TestServer, headers: Record<string, string>): Promise<{ status: number; code: string }> {
  const req = http.request(`${s.origin}/api/bins/guarded/import`, { method: 'POST', headers: { 'content-length': String(64 * 1024 * 1024), ...headers } });
  req.on('error', () => {});
  req.write('{"hookbin":"export","version":1}\n');
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no answer before the body was sent')), 10_000).unref();
    req.on('response', async (res) => {
      let text = '';
      for await (const chunk of res) text += chunk;
      req.destroy();
      resolve({ status: res.statusCode!, code: (JSON.parse(text) as { error: { code: string } }).error.code });
    });
  });
}

async function list(s: TestServer, binId: string): Promise<CaptureSummary[]> {
  return (await expectJson<{ captures: CaptureSummary[] }>(s.api(`/api/bins/${binId}/captures?limit=1000`))).captures;
}

describe('the import stage', () => {
  it('keeps staged rows out of the bin until commit, stores them in order with attempts numbered across batches, and a discarded stage leaves nothing', () => {
    const store = openStore({ file: null, maxCapturesPerBin: 100 });
    try {
      store.createBin({ id: 's', name: 's', createdAt: 0, settings: { respond: answer as never, secrets: [], eventKey: null } });
      const refused = store.stageImport();
      refused.add([row(1, 'a', null), row(2, 'a', null)]);
      refused.discard();
      expect(store.getBin('s')!.captureCount).toBe(0);

      const stage = store.stageImport();
      stage.add([row(3, 'a', null), row(4, 'b', 7)]);
      stage.add([row(5, 'a', null)]);
      expect(store.getBin('s')!.captureCount).toBe(0);
      expect(stage.commit('s')).toEqual({ imported: 3, pruned: 0 });
      const stored = store.walkCaptures('s', 0, store.lastSeq('s'), { limit: 10, maxBytes: 1e6 });
      expect(stored.map((c) => [c.id, c.event.attempt, c.body.byteLength])).toEqual([['c3', 1, 3], ['c4', 7, 4], ['c5', 2, 5]]);
      expect(() => stage.add([row(6, 'a', null)])).toThrow(/already committed/);
      stage.discard();
    } finally {
      store.close();
    }
  });
});

describe('where the stage is kept', () => {
  it("in SQLite's temporary file for a database file, in memory for --memory (which writes nothing to disk)", () => {
    const memory = openDatabase(null);
    const file = openDatabase(join(tempDir(), 'hookbin.db'));
    try {
      // 2 is MEMORY; 0 is the build's default, a temporary file (TEMP_STORE=1).
      expect(memory.pragma('temp_store', { simple: true })).toBe(2);
      expect(file.pragma('temp_store', { simple: true })).toBe(0);
    } finally {
      memory.close();
      file.close();
    }
  });
});

describe('a large import', () => {
  it('refused on its last line after many staged batches stores nothing, and the next import is whole', async () => {
    const s = server();
    await expectJson(s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'many' }) }), 201);
    const lines = ['{"hookbin":"export","version":1}'];
    for (let n = 1; n <= 1200; n++) lines.push(ndjsonLine(n));
    const bad = await s.api('/api/bins/many/import', { method: 'POST', body: [...lines, '{"method":"POST"}'].join('\n') });
    expect(await expectError(bad, 400, 'invalid_import')).toBe('line 1202: receivedAt is missing');
    expect(await list(s, 'many')).toEqual([]);
    expect(await expectJson(s.api('/api/bins/many/import', { method: 'POST', body: lines.join('\n') }))).toMatchObject({ imported: 1200 });
    expect(await expectJson(s.api('/api/bins/many'))).toMatchObject({ captureCount: 1200 });
    expect((await list(s, 'many'))[0]!.path).toBe('/1200');
  });

  it('of HAR is read entry by entry: a bad first entry is refused while the rest of the file is still being sent', async () => {
    const s = server();
    await expectJson(s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'har-stream' }) }), 201);
    const head = '{"log":{"version":"1.2","entries":[{"startedDateTime":"yesterday","request":{"method":"POST","url":"http://x/b/y","headers":[]}},\n';
    const req = http.request(`${s.origin}/api/bins/har-stream/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-length': 64 * 1024 * 1024 },
    });
    req.on('error', () => {});
    req.write(head);
    // The file's remaining 64 MB are never sent: the answer must come from the first entry alone.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      setTimeout(() => reject(new Error('no answer while the HAR body was still open: the import waited for the whole file')), 10_000).unref();
    });
    let text = '';
    for await (const chunk of res) text += chunk;
    req.destroy();
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_import', message: expect.stringMatching(/^entry 1: startedDateTime: /) } });
    expect(await list(s, 'har-stream')).toEqual([]);
  });
});

describe("the import route's own body limit", () => {
  it('comes after the guard: a foreign Host, a cross-site form post and a missing token are refused before any of the body is read', async () => {
    const s = server();
    await expectJson(s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'guarded' }) }), 201);
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect(await openImport(s, { ...bearer, host: 'evil.example' })).toEqual({ status: 403, code: 'forbidden_host' });
    // What a page elsewhere can send with a form: no token, text/plain, its own Origin.
    expect(await openImport(s, { origin: 'https://evil.example', 'content-type': 'text/plain' })).toEqual({ status: 403, code: 'forbidden_origin' });
    expect(await openImport(s, { ...bearer, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toEqual({ status: 403, code: 'forbidden_origin' });
    expect(await openImport(s, { 'content-type': 'application/x-ndjson' })).toEqual({ status: 401, code: 'unauthorized' });
    expect(await list(s, 'guarded')).toEqual([]);
  });
});
