/**
 * The search index in the store, below the server: a database made before
 * migration 010 is indexed after the upgrade in the background (no search
 * needed to start it), in many batches; the text of a capture keeps to its
 * bounds (64 KiB of a body's text, a decompression bomb decoded no further);
 * and a user's text never becomes FTS5 syntax.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../server/capture/settings.js';
import { parseSearch } from '../../server/common/search.js';
import { openStore, type NewCapture, type Store } from '../../server/store/index.js';
import { BATCH_TEXT, ftsQuery, INDEXED_TO_KEY } from '../../server/store/search.js';
import { SEARCH_BODY_BYTES, searchText } from '../../server/store/search-text.js';
import { cleanupTempDirs, tempDir } from '../support/helpers.js';

const stores: Store[] = [];
function store(file: string | null): Store {
  const s = openStore({ file, maxCapturesPerBin: 10_000 });
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
afterAll(cleanupTempDirs);

function newCapture(binId: string, n: number, body: string): NewCapture {
  return {
    id: `cap${String(n).padStart(6, '0')}`,
    binId,
    receivedAt: 1_700_000_000_000 + n,
    method: 'POST',
    path: `/p/${n}`,
    query: '',
    headers: [['content-type', 'application/json']],
    contentType: 'application/json',
    bodySize: Buffer.byteLength(body),
    truncated: false,
    body: Buffer.from(body),
    remoteAddress: '127.0.0.1',
    httpVersion: '1.1',
    event: { key: `evt-${n}`, type: null },
    answer: () => ({ status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' }),
    signatures: [],
    verdict: null,
  };
}

describe('upgrading a database made before search', () => {
  it('indexes every capture in the background, oldest first, in many batches', async () => {
    const file = join(tempDir(), 'hookbin.db');
    const before = store(file);
    before.createBin({ id: 'old', name: 'old', createdAt: 0, settings: defaultSettings() });
    const count = 700;
    await Promise.all(Array.from({ length: count }, (_, n) => before.addCapture(newCapture('old', n, JSON.stringify({ order: `ord_${n}_legacy` })))));
    before.close();
    // Back to schema 9: no index, no mark, as an older hookbin left it.
    const raw = new Database(file);
    raw.exec("DROP TRIGGER captures_text_delete; DROP TABLE capture_text; DROP TABLE capture_text_gone; DELETE FROM meta WHERE key = 'search.indexedTo'; PRAGMA user_version = 9");
    raw.close();

    const after = store(file);
    const seen = new Set<number>();
    for (let i = 0; i < 400 && Number(after.getMeta(INDEXED_TO_KEY) ?? 0) < count; i++) {
      seen.add(Number(after.getMeta(INDEXED_TO_KEY) ?? 0));
      await new Promise((r) => setTimeout(r, 25));
    }
    // Nothing searched: the background indexer did it all, in more than one batch.
    expect(Number(after.getMeta(INDEXED_TO_KEY))).toBe(count);
    expect([...seen].some((n) => n > 0 && n < count)).toBe(true);
    const page = await after.searchCaptures('old', { terms: ['ord_123_leg'], limit: 10 });
    expect(page.captures.map((c) => c.id)).toEqual(['cap000123']);
    expect(page.pending).toBe(0);
    expect((await after.searchCaptures('old', { terms: ['legacy'], limit: 1000 })).captures).toHaveLength(count);
  });
});

describe('indexing stays off the capture path', () => {
  it('indexes a backlog of large bodies in small transactions, letting the event loop run between them', async () => {
    const s = store(join(tempDir(), 'hookbin.db'));
    s.createBin({ id: 'big', name: 'big', createdAt: 0, settings: defaultSettings() });
    const count = 8;
    // Each body's searched text (its first 64 KiB) with the headers is more than one batch
    // holds: a transaction each. One transaction of all eight (512 KiB of trigrams) kept
    // captures and requests waiting for it whole.
    const body = (n: number) => JSON.stringify({ n, pad: `big-body-${n} ${randomBytes(40 * 1024).toString('hex')}` });
    expect(body(0).length).toBeGreaterThan(BATCH_TEXT);
    await Promise.all(Array.from({ length: count }, (_, n) => s.addCapture(newCapture('big', n, body(n)))));
    const seen = new Set<string>();
    let sampling = true;
    const sample = () => {
      if (!sampling) return;
      seen.add(s.getMeta(INDEXED_TO_KEY) ?? '0');
      setImmediate(sample);
    };
    setImmediate(sample);
    const page = await s.searchCaptures('big', { terms: ['big-body-3'], limit: 10 });
    sampling = false;
    expect(page.captures.map((c) => c.id)).toEqual(['cap000003']);
    expect(page.pending).toBe(0);
    // The event loop ran between transactions and saw the index part-way, more than once.
    expect([...seen].filter((v) => Number(v) > 0 && Number(v) < count).length).toBeGreaterThanOrEqual(count / 2);
  });
});

describe('the text a capture is searched by', () => {
  const source = (body: Buffer, headers: [string, string][] = []) => ({ method: 'POST', path: '/x', query: '', headers, body });

  it('holds the first 64 KiB of a body, not what follows', async () => {
    const body = Buffer.from(`${'a'.repeat(SEARCH_BODY_BYTES - 20)}early-word ${'b'.repeat(100)} late-word`);
    const text = await searchText(source(body));
    expect(text).toContain('early-word');
    expect(text).not.toContain('late-word');
  });

  it('decodes no more of a decompression bomb than it searches', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61));
    const text = await searchText(source(bomb, [['Content-Encoding', 'gzip']]));
    expect(text.length).toBeLessThan(SEARCH_BODY_BYTES + 200);
    expect(text).toContain('aaaa');
  });

  it('keeps what a cut-short gzip body decoded to', async () => {
    const whole = gzipSync(Buffer.from(`{"start":"kept-start-word","pad":"${randomBytes(40_000).toString('hex')}"}`));
    const text = await searchText(source(whole.subarray(0, whole.length - 30), [['content-encoding', 'gzip']]));
    expect(text).toContain('kept-start-word');
  });

  it('adds nothing for a body of control characters, valid UTF-8 as they are; tabs and line breaks are text', async () => {
    expect(await searchText(source(Buffer.from('\u0001\u0002ctl-word\u0003')))).not.toContain('ctl-word');
    expect(await searchText(source(Buffer.from('a\tb\r\nline-word\f')))).toContain('line-word');
  });

  it('adds nothing for a body in an encoding hookbin cannot undo, or not valid in its encoding', async () => {
    expect(await searchText(source(Buffer.from('plain-word'), [['content-encoding', 'zstd']]))).not.toContain('plain-word');
    expect(await searchText(source(Buffer.from('not-gzip-word'), [['content-encoding', 'gzip']]))).not.toContain('not-gzip-word');
  });
});

describe('the query syntax', () => {
  it('reads words and quoted phrases, each one quoted for FTS5', () => {
    expect(parseSearch('  cus_9f8 "Zoë Quinn"  x:y  ')).toEqual({ ok: true, terms: ['cus_9f8', 'Zoë Quinn', 'x:y'] });
    expect(parseSearch('"unclosed phrase')).toEqual({ ok: true, terms: ['unclosed phrase'] });
    expect(parseSearch('')).toEqual({ ok: true, terms: [] });
    expect(parseSearch('abc\u0000def')).toEqual({ ok: true, terms: ['abc', 'def'] });
    expect(ftsQuery(['a"b*c', 'NOT', 'x:y'])).toBe('"a""b*c" "NOT" "x:y"');
  });

  it('refuses short words, too many words and too long a text', () => {
    expect(parseSearch('ab')).toMatchObject({ ok: false });
    expect(parseSearch('"ab"')).toMatchObject({ ok: false });
    expect(parseSearch('"id 42"')).toEqual({ ok: true, terms: ['id 42'] });
    expect(parseSearch(Array.from({ length: 17 }, (_, i) => `w${i}x`).join(' '))).toMatchObject({ ok: false });
    expect(parseSearch('x'.repeat(257))).toMatchObject({ ok: false });
  });
});
