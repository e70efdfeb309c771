import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startServer, tempDir, TOKEN, type TestServer } from '../support/helpers.js';

// Loosely typed on purpose: the test asserts the JSON, not the server's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The numbered migrations the store applies, counted from the source tree. */
const MIGRATION_COUNT = readdirSync(new URL('../../server/store/migrations/', import.meta.url)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).length;

/** Servers opened by a test; closed after it whatever happened. */
const servers: TestServer[] = [];

async function serve(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(overrides);
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(cleanupTempDirs);

async function capture(server: TestServer, binId: string, body: string | Uint8Array = 'x'): Promise<string> {
  const res = await fetch(`${server.origin}/b/${binId}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body) });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  const id = res.headers.get('x-hookbin-capture-id');
  expect(id).toMatch(/^[0-9a-z]{22}$/);
  return id!;
}

async function json(res: Response | Promise<Response>, status = 200): Promise<Json> {
  const r = await res;
  expect(r.status).toBe(status);
  return r.json();
}

async function newBin(server: TestServer, id?: string): Promise<string> {
  const bin = await json(server.api('/api/bins', { method: 'POST', body: JSON.stringify(id ? { id } : {}) }), 201);
  return bin.id as string;
}

async function page(server: TestServer, binId: string, query: string): Promise<{ ids: string[]; next: string | null }> {
  const body = await json(server.api(`/api/bins/${binId}/captures${query}`));
  return { ids: (body.captures as Json[]).map((c) => c.id as string), next: body.next };
}

describe('persistence', () => {
  it('keeps bins, captures, their bytes and settings across a restart', async () => {
    const dataDir = tempDir();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const first = await startServer({ dataDir });
    let id: string;
    let binId: string;
    let custom: string;
    let before: Json;
    try {
      binId = first.defaultBinId;
      id = await capture(first, binId, bytes);
      custom = await newBin(first, 'kept-bin');
      await json(first.api(`/api/bins/${custom}`, { method: 'PATCH', body: JSON.stringify({ respond: { status: 418, body: 'teapot' } }) }));
      before = await json(first.api(`/api/captures/${id}`));
    } finally {
      await first.close();
    }

    const second = await serve({ dataDir });
    expect(second.dbFile).toBe(join(dataDir, 'hookbin.db'));
    expect(second.defaultBinId).toBe(binId);
    const after = await json(second.api(`/api/captures/${id}`));
    expect(after).toEqual(before);
    expect(after.bodyBase64).toBe(bytes.toString('base64'));
    const body = await second.api(`/api/captures/${id}/body`);
    expect(Buffer.from(await body.arrayBuffer()).equals(bytes)).toBe(true);

    const bins = (await json(second.api('/api/bins'))).bins as Json[];
    expect(bins.map((b) => b.id)).toEqual([binId, custom]);
    expect(bins[0].captureCount).toBe(1);
    const res = await fetch(`${second.origin}/b/${custom}`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(418);
    expect(await res.text()).toBe('teapot');
  });

  it('makes the token once, keeps it in the data dir (mode 0600), and reuses it', async () => {
    const dataDir = tempDir();
    const first = await startServer({ dataDir, token: null });
    let token: string;
    try {
      token = first.token;
      expect(token).not.toBe(TOKEN);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await json(first.api('/api/bins'));
    } finally {
      await first.close();
    }
    const file = join(dataDir, 'token');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await serve({ dataDir, token: null });
    expect(second.token).toBe(token);
    await json(second.api('/api/bins'));
    const wrong = await fetch(`${second.origin}/api/bins`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(wrong.status).toBe(401);
  });

  it('keeps the database in WAL mode at the latest migration', async () => {
    const server = await serve();
    await capture(server, server.defaultBinId);
    const db = new Database(server.dbFile!, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATION_COUNT);
      expect(MIGRATION_COUNT).toBeGreaterThanOrEqual(1);
      // The capture is committed: another connection sees it.
      expect(db.prepare('SELECT count(*) AS n FROM captures').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});

describe('retention', () => {
  it('keeps the newest maxCaptures per bin, counts what it pruned, and pruned captures are gone', async () => {
    const server = await serve({ maxCaptures: 5 });
    const bin = server.defaultBinId;
    const other = await newBin(server);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await capture(server, bin, `n${i}`));
    const otherIds = [await capture(server, other), await capture(server, other)];

    const { ids: listed, next } = await page(server, bin, '');
    expect(listed).toEqual(ids.slice(3).reverse());
    expect(next).toBeNull();

    const binJson = await json(server.api(`/api/bins/${bin}`));
    expect(binJson.captureCount).toBe(5);
    expect(binJson.prunedCount).toBe(3);
    const otherJson = await json(server.api(`/api/bins/${other}`));
    expect(otherJson.captureCount).toBe(2);
    expect(otherJson.prunedCount).toBe(0);
    expect((await page(server, other, '')).ids).toEqual(otherIds.reverse());

    for (const id of ids.slice(0, 3)) {
      expect((await server.api(`/api/captures/${id}`)).status).toBe(404);
      expect((await server.api(`/api/captures/${id}/body`)).status).toBe(404);
    }
    for (const [i, id] of ids.slice(3).entries()) {
      const cap = await json(server.api(`/api/captures/${id}`));
      expect(cap.body).toBe(`n${i + 3}`);
    }
  });
});

describe('pagination', () => {
  it('pages 25 captures newest first without gaps or repeats, stable under concurrent captures', async () => {
    const server = await serve();
    const bin = server.defaultBinId;
    const original: string[] = [];
    for (let i = 0; i < 25; i++) original.push(await capture(server, bin, `n${i}`));
    const expected = [...original].reverse();

    const p1 = await page(server, bin, '?limit=10');
    expect(p1.ids).toEqual(expected.slice(0, 10));
    expect(typeof p1.next).toBe('string');

    // New captures arrive while the client pages.
    const [newA, p2] = await Promise.all([capture(server, bin, 'new a'), page(server, bin, `?limit=10&before=${p1.next}`)]);
    expect(p2.ids).toEqual(expected.slice(10, 20));
    expect(typeof p2.next).toBe('string');

    const [newB, p3] = await Promise.all([capture(server, bin, 'new b'), page(server, bin, `?limit=10&before=${p2.next}`)]);
    expect(p3.ids).toEqual(expected.slice(20, 25));
    expect(p3.next).toBeNull();

    const all = [...p1.ids, ...p2.ids, ...p3.ids];
    expect(all).toEqual(expected);
    expect(new Set(all).size).toBe(25);
    expect(all).not.toContain(newA);
    expect(all).not.toContain(newB);

    // A fresh first page shows the new ones on top.
    const fresh = await page(server, bin, '?limit=10');
    expect(fresh.ids).toEqual([newB, newA, ...expected.slice(0, 8)]);

    // The summaries themselves are newest first by receivedAt, too.
    const summaries = (await json(server.api(`/api/bins/${bin}/captures?limit=27`))).captures as Json[];
    expect(summaries).toHaveLength(27);
    const times = summaries.map((c) => Date.parse(c.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('gives next null when the last page is exactly full, and keeps cursors valid after deletes', async () => {
    const server = await serve();
    const bin = server.defaultBinId;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await capture(server, bin));
    const expected = [...ids].reverse();

    const full = await page(server, bin, '?limit=10');
    expect(full.ids).toEqual(expected);
    expect(full.next).toBeNull();

    const p1 = await page(server, bin, '?limit=4');
    expect(p1.ids).toEqual(expected.slice(0, 4));
    // Delete the capture the cursor points at, and one on the next page.
    expect((await server.api(`/api/captures/${expected[3]}`, { method: 'DELETE' })).status).toBe(204);
    expect((await server.api(`/api/captures/${expected[5]}`, { method: 'DELETE' })).status).toBe(204);
    const p2 = await page(server, bin, `?limit=4&before=${p1.next}`);
    expect(p2.ids).toEqual([expected[4], expected[6], expected[7], expected[8]]);
    const p3 = await page(server, bin, `?limit=4&before=${p2.next}`);
    expect(p3.ids).toEqual([expected[9]]);
    expect(p3.next).toBeNull();
  });

  it('refuses a bad limit or cursor with 400, and an unknown bin with 404', async () => {
    const server = await serve();
    const bin = server.defaultBinId;
    for (const q of ['?limit=0', '?limit=1001', '?limit=abc', '?limit=-1', '?before=xyz', '?before=1.5']) {
      const body = await json(server.api(`/api/bins/${bin}/captures${q}`), 400);
      expect(body.error.code, q).toBe('invalid_request');
    }
    const missing = await json(server.api('/api/bins/no-such-bin/captures'), 404);
    expect(missing.error.code).toBe('bin_not_found');
  });
});

describe('deletes', () => {
  it('deletes one capture: 204, then 404, and the count follows', async () => {
    const server = await serve();
    const bin = server.defaultBinId;
    const keep = await capture(server, bin, 'keep');
    const gone = await capture(server, bin, 'gone');
    const del = await server.api(`/api/captures/${gone}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect((await json(server.api(`/api/captures/${gone}`), 404)).error.code).toBe('capture_not_found');
    expect((await server.api(`/api/captures/${gone}/body`)).status).toBe(404);
    expect((await json(server.api(`/api/captures/${gone}`, { method: 'DELETE' }), 404)).error.code).toBe('capture_not_found');
    expect((await page(server, bin, '')).ids).toEqual([keep]);
    expect((await json(server.api(`/api/bins/${bin}`))).captureCount).toBe(1);
    expect((await json(server.api(`/api/captures/${keep}`))).body).toBe('keep');
  });

  it('clears a bin: {deleted: n}, captureCount 0, other bins untouched', async () => {
    const server = await serve();
    const bin = await newBin(server);
    const other = await newBin(server);
    const ids = [await capture(server, bin), await capture(server, bin), await capture(server, bin)];
    const otherId = await capture(server, other);

    const cleared = await json(server.api(`/api/bins/${bin}/captures`, { method: 'DELETE' }));
    expect(cleared).toEqual({ deleted: 3 });
    const after = await json(server.api(`/api/bins/${bin}`));
    expect(after.captureCount).toBe(0);
    expect(after.prunedCount).toBe(0);
    expect(await page(server, bin, '')).toEqual({ ids: [], next: null });
    for (const id of ids) expect((await server.api(`/api/captures/${id}`)).status).toBe(404);
    expect(await json(server.api(`/api/bins/${bin}/captures`, { method: 'DELETE' }))).toEqual({ deleted: 0 });

    expect((await json(server.api(`/api/bins/${other}`))).captureCount).toBe(1);
    expect((await server.api(`/api/captures/${otherId}`)).status).toBe(200);
    // The cleared bin still captures.
    await capture(server, bin);
    expect((await json(server.api(`/api/bins/${bin}`))).captureCount).toBe(1);
    expect((await json(server.api('/api/bins/no-such-bin/captures', { method: 'DELETE' }), 404)).error.code).toBe('bin_not_found');
  });

  it('deletes a bin with its captures; its ingress then answers 404', async () => {
    const server = await serve();
    const bin = await newBin(server, 'doomed');
    const ids = [await capture(server, bin), await capture(server, bin)];
    const del = await server.api(`/api/bins/${bin}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await json(server.api(`/api/bins/${bin}`), 404)).error.code).toBe('bin_not_found');
    for (const id of ids) {
      expect((await json(server.api(`/api/captures/${id}`), 404)).error.code).toBe('capture_not_found');
      expect((await server.api(`/api/captures/${id}/body`)).status).toBe(404);
    }
    const ingress = await fetch(`${server.origin}/b/${bin}`, { method: 'POST', body: 'x' });
    expect(ingress.status).toBe(404);
    expect(((await ingress.json()) as Json).error.code).toBe('bin_not_found');
    expect(((await json(server.api('/api/bins'))).bins as Json[]).map((b) => b.id)).toEqual([server.defaultBinId]);
    expect((await json(server.api(`/api/bins/${bin}`, { method: 'DELETE' }), 404)).error.code).toBe('bin_not_found');

    // No orphan rows are left behind.
    const db = new Database(server.dbFile!, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM captures WHERE bin_id = ?').get(bin)).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM bodies WHERE seq NOT IN (SELECT seq FROM captures)').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
