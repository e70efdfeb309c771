/**
 * Capture search (`GET /api/bins/{id}/captures?q=`) on the real server: a
 * string deep in a JSON body, a header's name and value, the path and the
 * query (decoded too), compressed bodies decoded, binary bodies never
 * matched, text a user types that is FTS5 syntax elsewhere (never a 500),
 * the verdict filter and the page cursor, and index rows going with their
 * captures (deleted, cleared, a bin deleted, pruned by retention), soon
 * after and off the capture path.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturePage } from '../../server/common/types.js';
import { cleanupTempDirs, startServer, useServer, waitFor, type TestServer } from '../support/helpers.js';

const server = useServer();

async function bin(s: TestServer, id: string, patch?: unknown): Promise<void> {
  expect((await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) })).status).toBe(201);
  if (patch) expect((await s.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(patch) })).status).toBe(200);
}

/** Posts to a bin; resolves with the capture's id. */
async function post(s: TestServer, binId: string, body: string | Buffer, headers: Record<string, string> = {}, target = ''): Promise<string> {
  const res = await fetch(`${s.origin}/b/${binId}${target}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return res.headers.get('x-hookbin-capture-id')!;
}

async function search(s: TestServer, binId: string, q: string, extra = ''): Promise<CapturePage> {
  const res = await s.api(`/api/bins/${binId}/captures?q=${encodeURIComponent(q)}${extra}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CapturePage;
}

const ids = async (s: TestServer, binId: string, q: string, extra = '') => (await search(s, binId, q, extra)).captures.map((c) => c.id);

describe('what a search finds', () => {
  const made: Record<string, string> = {};
  beforeAll(async () => {
    const s = server();
    await bin(s, 'find');
    made.deep = await post(s, 'find', JSON.stringify({ type: 'invoice.paid', data: { object: { lines: [{ customer: { id: 'cus_9f8a7b2c', name: 'Zoë Quinn' } }] } } }));
    made.header = await post(s, 'find', '{}', { 'X-Trace-Ident': 'trace-7731-omega' });
    made.target = await post(s, 'find', '{}', {}, '/hooks/orders-zeta?shop=alpha-store&email=ann%40mail.example');
    made.gzip = await post(s, 'find', gzipSync(JSON.stringify({ note: 'squeezed-gzip-token' })), { 'content-encoding': 'gzip' });
    made.deflate = await post(s, 'find', deflateRawSync(Buffer.from('raw-deflate-token')), { 'content-encoding': 'deflate', 'content-type': 'text/plain' });
    made.br = await post(s, 'find', brotliCompressSync(Buffer.from('brotli-packed-token')), { 'content-encoding': 'br', 'content-type': 'text/plain' });
    made.form = await post(s, 'find', 'text=hello+wide+world&channel=%23general', { 'content-type': 'application/x-www-form-urlencoded' });
    // Not UTF-8: the ASCII inside is no text of a body, only its headers are searched.
    made.binary = await post(s, 'find', Buffer.concat([randomBytes(64).fill(0xff, 0, 8), Buffer.from('hidden-in-binary'), randomBytes(64)]), {
      'content-type': 'application/octet-stream',
      'x-kind': 'binary-upload',
    });
    made.syntax = await post(s, 'find', 'foo:bar "quoted" a*b NEAR(x y) -minus ^caret', { 'content-type': 'text/plain' });
  });

  it('finds a value deep in a JSON body by any part of it, whatever its case', async () => {
    const s = server();
    expect(await ids(s, 'find', 'cus_9f8a7')).toEqual([made.deep]);
    expect(await ids(s, 'find', '9F8A7B')).toEqual([made.deep]);
    expect(await ids(s, 'find', 'zoë')).toEqual([made.deep]);
    expect(await ids(s, 'find', 'invoice.paid')).toEqual([made.deep]);
  });

  it('finds a header by its name and by its value', async () => {
    const s = server();
    expect(await ids(s, 'find', 'trace-7731')).toEqual([made.header]);
    expect(await ids(s, 'find', 'x-trace-ident')).toEqual([made.header]);
  });

  it('finds the path and the query, raw and decoded', async () => {
    const s = server();
    expect(await ids(s, 'find', 'orders-zeta')).toEqual([made.target]);
    expect(await ids(s, 'find', 'shop=alpha')).toEqual([made.target]);
    expect(await ids(s, 'find', 'ann@mail.example')).toEqual([made.target]);
  });

  it('decodes gzip, deflate and br bodies, and form bodies', async () => {
    const s = server();
    expect(await ids(s, 'find', 'squeezed-gzip')).toEqual([made.gzip]);
    expect(await ids(s, 'find', 'raw-deflate')).toEqual([made.deflate]);
    expect(await ids(s, 'find', 'brotli-packed')).toEqual([made.br]);
    expect(await ids(s, 'find', '"hello wide world"')).toEqual([made.form]);
    expect(await ids(s, 'find', '#general')).toEqual([made.form]);
  });

  it('does not read a binary body as text, but finds it by its headers', async () => {
    const s = server();
    expect(await ids(s, 'find', 'hidden-in-binary')).toEqual([]);
    expect(await ids(s, 'find', 'binary-upload')).toEqual([made.binary]);
  });

  it('needs every word, in any order; a quoted phrase as written', async () => {
    const s = server();
    expect(await ids(s, 'find', 'Quinn cus_9f8a')).toEqual([made.deep]);
    expect(await ids(s, 'find', 'cus_9f8a nowhere-at-all')).toEqual([]);
    expect(await ids(s, 'find', '"Zoë Quinn"')).toEqual([made.deep]);
    expect(await ids(s, 'find', '"Quinn Zoë"')).toEqual([]);
  });

  it('takes what FTS5 reads as syntax as plain text: never an error', async () => {
    const s = server();
    expect(await ids(s, 'find', 'foo:bar')).toEqual([made.syntax]);
    expect(await ids(s, 'find', 'NEAR(x')).toEqual([made.syntax]);
    expect(await ids(s, 'find', '-minus ^caret')).toEqual([made.syntax]);
    expect(await ids(s, 'find', 'a*b')).toEqual([made.syntax]);
    for (const q of ['AND OR NOT', '"', '""', '"quoted', '*', 'col:umn', '(((', 'abc)', '\u0000abc', '{a b}', "'''", 'x'.repeat(256)]) {
      const res = await s.api(`/api/bins/find/captures?q=${encodeURIComponent(q)}`);
      expect([200, 400], q).toContain(res.status);
    }
  });

  it('refuses a word shorter than 3 characters, and text over 256, with a sentence (400)', async () => {
    const s = server();
    for (const q of ['ab', 'cus_9f8a7 42']) {
      const res = await s.api(`/api/bins/find/captures?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_search');
      expect(body.error.message).toContain('at least 3 characters');
    }
    expect((await s.api(`/api/bins/find/captures?q=${'x'.repeat(257)}`)).status).toBe(400);
    // Only spaces: no search, the whole list.
    expect((await search(s, 'find', '   ')).captures).toHaveLength(Object.keys(made).length);
  });

  it('searches one bin only, and answers 404 for a bin that does not exist', async () => {
    const s = server();
    await bin(s, 'other');
    await post(s, 'other', JSON.stringify({ customer: 'cus_9f8a7b2c' }));
    expect(await ids(s, 'find', 'cus_9f8a7')).toEqual([made.deep]);
    expect(await ids(s, 'other', 'cus_9f8a7')).toHaveLength(1);
    expect((await s.api('/api/bins/nope/captures?q=abc')).status).toBe(404);
  });

  it('finds a capture the moment it is stored', async () => {
    const s = server();
    const id = await post(s, 'find', JSON.stringify({ fresh: 'just-arrived-42' }));
    expect(await ids(s, 'find', 'just-arrived')).toEqual([id]);
  });
});

describe('imported captures', () => {
  it('are found like captures that arrived, their compressed bodies decoded, after the index had caught up', async () => {
    const s = server();
    await bin(s, 'imp-src');
    const gz = await post(s, 'imp-src', gzipSync(JSON.stringify({ note: 'imported-gzip-word' })), { 'content-encoding': 'gzip' });
    const plain = await post(s, 'imp-src', JSON.stringify({ deep: { id: 'imported-plain-word' } }), { 'x-origin': 'import-header-word' });
    // The index is up to date before the import: what the import adds comes after its mark.
    expect(await ids(s, 'imp-src', 'imported-gzip')).toEqual([gz]);
    const exported = await (await s.api('/api/bins/imp-src/export?format=ndjson')).text();
    await bin(s, 'imp-dst');
    const res = await s.api('/api/bins/imp-dst/import', { method: 'POST', body: exported });
    expect(res.status).toBe(200);
    const found = await search(s, 'imp-dst', 'imported-gzip');
    expect(found.captures).toHaveLength(1);
    expect(found.captures[0]!.id).not.toBe(gz);
    expect(found.pending ?? 0).toBe(0);
    expect(await ids(s, 'imp-dst', 'imported-plain-word')).toHaveLength(1);
    expect(await ids(s, 'imp-dst', 'import-header-word')).toHaveLength(1);
    expect(await ids(s, 'imp-src', 'imported-plain-word')).toEqual([plain]);
  });
});

describe('with the verdict filter and the page cursor', () => {
  it('keeps only the verdict asked for, and pages newest first', async () => {
    const s = server();
    const secret = 'search-secret-123';
    await bin(s, 'paged', { secrets: [{ name: 'gh', value: secret, scheme: 'github' }] });
    const sign = (body: string, key: string) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` });
    const valid: string[] = [];
    const invalid: string[] = [];
    for (let i = 0; i < 7; i++) {
      const body = JSON.stringify({ order: `pageword-${i}` });
      valid.push(await post(s, 'paged', body, sign(body, secret)));
      await post(s, 'paged', JSON.stringify({ order: `elsewhere-${i}` }), sign('x', secret));
      if (i % 2 === 0) invalid.push(await post(s, 'paged', body, sign(body, 'wrong')));
    }
    expect(await ids(s, 'paged', 'pageword', '&verdict=invalid')).toEqual([...invalid].reverse());
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page: CapturePage = await search(s, 'paged', 'pageword', `&verdict=valid&limit=3${next ? `&before=${next}` : ''}`);
      seen.push(...page.captures.map((c) => c.id));
      next = page.next;
      pages++;
    } while (next !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...valid].reverse());
    expect(await ids(s, 'paged', 'pageword', '&verdict=unsigned')).toEqual([]);
  });
});

describe('captures judged again', () => {
  it('are found by their new verdict once the bin\'s secrets change (their text stays indexed)', async () => {
    const s = server();
    const secret = 'rejudge-secret-456';
    await bin(s, 'rejudged');
    const body = JSON.stringify({ order: 'rejudge-word-1' });
    const id = await post(s, 'rejudged', body, { 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` });
    expect(await ids(s, 'rejudged', 'rejudge-word', '&verdict=no-secret')).toEqual([id]);
    expect((await s.api('/api/bins/rejudged', { method: 'PATCH', body: JSON.stringify({ secrets: [{ name: 'gh', value: secret, scheme: 'github' }] }) })).status).toBe(200);
    expect(await ids(s, 'rejudged', 'rejudge-word', '&verdict=valid')).toEqual([id]);
    expect(await ids(s, 'rejudged', 'rejudge-word', '&verdict=no-secret')).toEqual([]);
  });
});

describe('index rows go with their captures', () => {
  let s: TestServer;
  let db: Database.Database;
  beforeAll(async () => {
    s = await startServer({ maxCaptures: 3 });
    db = new Database(s.dbFile!, { readonly: true });
  });
  afterAll(async () => {
    db.close();
    await s.close();
    cleanupTempDirs();
  });
  /** Index rows holding `word`, read from the index itself (a search would hide rows of gone captures). */
  const indexed = (word: string) => db.prepare("SELECT count(*) AS n FROM capture_text WHERE capture_text MATCH ?").get(`"${word}"`) as { n: number };
  /** Waits until the index holds `n` rows with `word`: the indexer removes a deleted capture's row in the background. */
  const untilIndexed = (word: string, n: number) => waitFor(() => indexed(word).n === n, 5000, `${n} index rows with ${word}`);

  it('deleting a capture, clearing a bin and deleting a bin delete their text', async () => {
    await bin(s, 'gone');
    const one = await post(s, 'gone', JSON.stringify({ w: 'delete-me-word' }));
    await post(s, 'gone', JSON.stringify({ w: 'clear-me-word' }));
    expect(await ids(s, 'gone', 'delete-me-word')).toEqual([one]);
    expect(indexed('delete-me-word').n).toBe(1);
    expect((await s.api(`/api/captures/${one}`, { method: 'DELETE' })).status).toBe(204);
    await untilIndexed('delete-me-word', 0);
    expect(indexed('clear-me-word').n).toBe(1);
    expect((await s.api('/api/bins/gone/captures', { method: 'DELETE' })).status).toBe(200);
    await untilIndexed('clear-me-word', 0);

    await post(s, 'gone', JSON.stringify({ w: 'bin-goes-word' }));
    await search(s, 'gone', 'bin-goes-word');
    expect(indexed('bin-goes-word').n).toBe(1);
    expect((await s.api('/api/bins/gone', { method: 'DELETE' })).status).toBe(204);
    await untilIndexed('bin-goes-word', 0);
    expect(db.prepare('SELECT count(*) AS n FROM capture_text_gone').get()).toEqual({ n: 0 });
  });

  it('retention pruning deletes the text of what it prunes', async () => {
    await bin(s, 'pruned');
    for (let i = 0; i < 3; i++) await post(s, 'pruned', JSON.stringify({ w: `prune-word-${i}` }));
    expect(await ids(s, 'pruned', 'prune-word')).toHaveLength(3);
    expect(indexed('prune-word').n).toBe(3);
    await post(s, 'pruned', JSON.stringify({ w: 'prune-word-3' }));
    await post(s, 'pruned', JSON.stringify({ w: 'prune-word-4' }));
    // The two oldest went (--max-captures 3), and their text after them.
    await untilIndexed('prune-word-0', 0);
    await untilIndexed('prune-word-1', 0);
    expect(await ids(s, 'pruned', 'prune-word')).toHaveLength(3);
    await untilIndexed('prune-word', 3);
  });
});
