import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultRespond, defaultSettings } from '../../server/capture/settings.js';
import { BinExistsError, BinGoneError, BODY_PART_BYTES, openStore, type NewCapture, type Store } from '../../server/store/index.js';
import { cleanupTempDirs, startServer, tempDir, TOKEN, type TestServer } from '../support/helpers.js';

// Loosely typed on purpose: the test asserts the JSON, not the server's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The numbered migrations the store applies, counted from the source tree. */
const MIGRATION_COUNT = readdirSync(new URL('../../server/store/migrations/', import.meta.url)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).length;

/** Servers and stores opened by a test; closed after it whatever happened. */
const servers: TestServer[] = [];
const stores: Store[] = [];

async function serve(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(overrides);
  servers.push(s);
  return s;
}

function store(file: string | null = null, maxCapturesPerBin = 10_000): Store {
  const s = openStore({ file, maxCapturesPerBin });
  stores.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const s of stores.splice(0)) s.close();
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

/** A capture as the ingress would hand it to the store. */
function newCapture(binId: string, n: number, body: Uint8Array = Buffer.from(`body ${n}`)): NewCapture {
  return {
    id: `cap${String(n).padStart(6, '0')}`,
    binId,
    receivedAt: 1_700_000_000_000 + n,
    method: 'POST',
    path: `/p/${n}`,
    query: `n=${n}`,
    headers: [
      ['Host', 'x'],
      ['X-Dup', '1'],
      ['x-dup', '2'],
    ],
    contentType: 'application/octet-stream',
    bodySize: body.byteLength,
    truncated: false,
    body,
    remoteAddress: '127.0.0.1',
    httpVersion: '1.1',
    event: { key: `evt-${n}`, type: null },
    answer: () => ({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}', delayMs: 0, fault: null, reason: 'default' }),
    signatures: [],
    verdict: null,
  };
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

describe('the store directly', () => {
  const settings = defaultSettings();

  it('answers missing records with undefined, false, 0 or empty, as documented', () => {
    const s = store();
    expect(s.listBins()).toEqual([]);
    expect(s.getBin('nope')).toBeUndefined();
    expect(s.updateBin('nope', { name: 'x' })).toBeUndefined();
    expect(s.listBins()).toEqual([]);
    expect(s.deleteBin('nope')).toBe(false);
    expect(s.getCapture('nope')).toBeUndefined();
    expect(s.getBody('nope')).toBeUndefined();
    expect(s.deleteCapture('nope')).toBeUndefined();
    expect(s.clearCaptures('nope')).toBe(0);
    expect(s.listCaptures('nope', { limit: 10 })).toEqual({ captures: [], next: null });
  });

  it('creates, reads, updates and deletes bins; a taken id throws BinExistsError', () => {
    const s = store();
    const bin = s.createBin({ id: 'b1', name: 'one', createdAt: 1000, settings });
    expect(bin).toEqual({ id: 'b1', name: 'one', createdAt: 1000, settings, captureCount: 0, prunedCount: 0 });
    expect(s.getBin('b1')).toEqual(bin);

    let thrown: unknown;
    try {
      s.createBin({ id: 'b1', name: 'again', createdAt: 2000, settings });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BinExistsError);
    expect((thrown as BinExistsError).binId).toBe('b1');
    expect(s.getBin('b1')!.name).toBe('one');

    s.createBin({ id: 'b0', name: 'zero', createdAt: 500, settings });
    expect(s.listBins().map((b) => b.id)).toEqual(['b0', 'b1']);

    const changed = { respond: { ...defaultRespond(), status: 500, headers: {}, body: 'no' }, secrets: [], eventKey: null };
    expect(s.updateBin('b1', { settings: changed })).toEqual({ ...bin, settings: changed });
    expect(s.updateBin('b1', { name: 'renamed' })).toEqual({ ...bin, name: 'renamed', settings: changed });
    expect(s.deleteBin('b1')).toBe(true);
    expect(s.getBin('b1')).toBeUndefined();
    expect(s.deleteBin('b1')).toBe(false);
  });

  it('stores captures exactly, lists and deletes them, and keeps counts', async () => {
    const s = store();
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    const body = Buffer.from([0, 255, 1, 254, 0x80]);
    const added = await s.addCapture(newCapture('b', 1, body));
    expect(added.pruned).toBe(0);
    expect(added.capture).toMatchObject({ id: 'cap000001', binId: 'b', method: 'POST', path: '/p/1', query: 'n=1', bodySize: 5, status: 200 });

    const rec = s.getCapture('cap000001')!;
    expect(rec.headers).toEqual([
      ['Host', 'x'],
      ['X-Dup', '1'],
      ['x-dup', '2'],
    ]);
    expect(rec.receivedAt).toBe(1_700_000_000_001);
    expect(rec.storedSize).toBe(5);
    expect(rec.truncated).toBe(false);
    expect(rec.httpVersion).toBe('1.1');
    expect(rec.remoteAddress).toBe('127.0.0.1');
    expect(rec.response).toEqual({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}', delayMs: 0, fault: null, reason: 'default' });
    const got = s.getBody('cap000001')!;
    expect(got.data.equals(body)).toBe(true);
    expect(got.contentType).toBe('application/octet-stream');

    for (let n = 2; n <= 5; n++) await s.addCapture(newCapture('b', n));
    expect(s.getBin('b')!.captureCount).toBe(5);
    const p1 = s.listCaptures('b', { limit: 3 });
    expect(p1.captures.map((c) => c.id)).toEqual(['cap000005', 'cap000004', 'cap000003']);
    expect(p1.next).toBe(p1.captures[2]!.seq);
    const p2 = s.listCaptures('b', { limit: 3, before: p1.next! });
    expect(p2.captures.map((c) => c.id)).toEqual(['cap000002', 'cap000001']);
    expect(p2.next).toBeNull();

    expect(s.deleteCapture('cap000003')).toBe('b');
    expect(s.getCapture('cap000003')).toBeUndefined();
    expect(s.getBody('cap000003')).toBeUndefined();
    expect(s.getBin('b')!.captureCount).toBe(4);
    expect(s.clearCaptures('b')).toBe(4);
    expect(s.getBin('b')!.captureCount).toBe(0);
  });

  it('prunes the oldest captures past the per-bin limit and reports how many', async () => {
    const s = store(null, 3);
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    const pruned: number[] = [];
    for (let n = 1; n <= 5; n++) pruned.push((await s.addCapture(newCapture('b', n))).pruned);
    expect(pruned).toEqual([0, 0, 0, 1, 1]);
    expect(s.getBin('b')).toMatchObject({ captureCount: 3, prunedCount: 2 });
    expect(s.listCaptures('b', { limit: 10 }).captures.map((c) => c.id)).toEqual(['cap000005', 'cap000004', 'cap000003']);
    expect(s.getCapture('cap000001')).toBeUndefined();
    expect(s.getBody('cap000002')).toBeUndefined();
  });

  it('binSettings: one object until the settings change, here or through another connection', async () => {
    const file = join(tempDir(), 'settings.db');
    const s = store(file);
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    const first = s.binSettings('b')!;
    expect(first).toEqual(settings);
    expect(s.binSettings('b')).toBe(first);
    expect(s.binSettings('nope')).toBeUndefined();

    const changed = { ...settings, eventKey: { header: 'x-id', pointer: null } };
    s.updateBin('b', { settings: changed });
    expect(s.binSettings('b')).toEqual(changed);

    const other = new Database(file);
    try {
      other.prepare('UPDATE bins SET settings = ? WHERE id = ?').run(JSON.stringify(settings), 'b');
      await new Promise((r) => setTimeout(r, 5));
      expect(s.binSettings('b')).toEqual(settings);
      other.prepare("DELETE FROM bins WHERE id = 'b'").run();
      await new Promise((r) => setTimeout(r, 5));
      expect(s.binSettings('b')).toBeUndefined();
    } finally {
      other.close();
    }
    s.createBin({ id: 'c', name: 'c', createdAt: 2, settings });
    expect(s.binSettings('c')).toEqual(settings);
    s.deleteBin('c');
    expect(s.binSettings('c')).toBeUndefined();
  });

  it('keeps a body of several parts byte-exact, in every read, and deletes the parts with it', async () => {
    const file = join(tempDir(), 'parts.db');
    const s = store(file);
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    const big = randomBytes(BODY_PART_BYTES * 2 + 12_345);
    const exact = randomBytes(BODY_PART_BYTES);
    const justOver = randomBytes(BODY_PART_BYTES + 1);
    await Promise.all([s.addCapture(newCapture('b', 1, big)), s.addCapture(newCapture('b', 2, exact)), s.addCapture(newCapture('b', 3, justOver))]);
    expect(s.getBody('cap000001')!.data.equals(big)).toBe(true);
    expect(s.getBody('cap000002')!.data.equals(exact)).toBe(true);
    expect(s.getBody('cap000003')!.data.equals(justOver)).toBe(true);
    expect(s.capturesToVerify('b', 0, 10).map((c) => c.body.byteLength)).toEqual([big.byteLength, exact.byteLength, justOver.byteLength]);
    expect(s.capturesToVerify('b', 0, 10)[0]!.body.equals(big)).toBe(true);

    const reader = new Database(file, { readonly: true });
    try {
      const parts = () => reader.prepare('SELECT c.id, p.part, length(p.data) AS n FROM body_parts p JOIN captures c ON c.seq = p.seq ORDER BY p.seq, p.part').all();
      expect(parts()).toEqual([
        { id: 'cap000001', part: 1, n: BODY_PART_BYTES },
        { id: 'cap000001', part: 2, n: 12_345 },
        { id: 'cap000003', part: 1, n: 1 },
      ]);
      s.deleteCapture('cap000001');
      s.clearCaptures('b');
      expect(parts()).toEqual([]);
    } finally {
      reader.close();
    }
  });

  it('lays a body out by parts and reads any slice of it, a body stored whole before migration 006 too', async () => {
    const file = join(tempDir(), 'layout.db');
    const s = store(file);
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    const big = randomBytes(BODY_PART_BYTES * 2 + 10);
    const old = randomBytes(BODY_PART_BYTES + 500);
    await Promise.all([s.addCapture(newCapture('b', 1, big)), s.addCapture(newCapture('b', 2, old))]);
    // As an older hookbin stored it: the whole body in bodies.data, no parts.
    const writer = new Database(file);
    try {
      const seq = (writer.prepare("SELECT seq FROM captures WHERE id = 'cap000002'").get() as { seq: number }).seq;
      writer.prepare('DELETE FROM body_parts WHERE seq = ?').run(seq);
      writer.prepare('UPDATE bodies SET data = ? WHERE seq = ?').run(old, seq);
    } finally {
      writer.close();
    }
    const layout = s.bodyLayout('cap000001')!;
    expect(layout).toMatchObject({ size: big.length, parts: [BODY_PART_BYTES, BODY_PART_BYTES, 10] });
    expect(s.readBodyPart(layout.seq, 1, 5, 7)!.equals(big.subarray(BODY_PART_BYTES + 5, BODY_PART_BYTES + 12))).toBe(true);
    expect(s.readBodyPart(layout.seq, 2, 0, 10)!.equals(big.subarray(2 * BODY_PART_BYTES))).toBe(true);
    const whole = s.bodyLayout('cap000002')!;
    expect(whole.parts).toEqual([old.length]);
    expect(s.readBodyPart(whole.seq, 0, BODY_PART_BYTES, 500)!.equals(old.subarray(BODY_PART_BYTES))).toBe(true);
    expect(s.getBody('cap000002')!.data.equals(old)).toBe(true);
    expect(s.bodyLayout('nope')).toBeUndefined();
    s.deleteCapture('cap000001');
    expect(s.readBodyPart(layout.seq, 1, 0, 1)).toBeUndefined();
  });

  it('rejects addCapture on a deleted bin with BinGoneError and writes nothing', async () => {
    const s = store();
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    await s.addCapture(newCapture('b', 1));
    expect(s.deleteBin('b')).toBe(true);
    expect(s.getCapture('cap000001')).toBeUndefined();
    const result = s.addCapture(newCapture('b', 2));
    await expect(result).rejects.toBeInstanceOf(BinGoneError);
    await expect(s.addCapture(newCapture('never', 3))).rejects.toMatchObject({ binId: 'never' });
    expect(s.getCapture('cap000002')).toBeUndefined();
    expect(s.getCapture('cap000003')).toBeUndefined();
  });

  it('opens a file in WAL mode, migrated to the latest version, and reopens it with the data', async () => {
    const file = join(tempDir(), 'store.db');
    const s = store(file);
    s.createBin({ id: 'b', name: 'b', createdAt: 1, settings });
    await s.addCapture(newCapture('b', 1));

    const reader = new Database(file, { readonly: true });
    try {
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(reader.pragma('user_version', { simple: true })).toBe(MIGRATION_COUNT);
      expect(reader.prepare('SELECT id FROM captures').all()).toEqual([{ id: 'cap000001' }]);
    } finally {
      reader.close();
    }
    s.close();

    const again = store(file);
    expect(again.getBin('b')!.captureCount).toBe(1);
    expect(again.getBody('cap000001')!.data.toString()).toBe('body 1');
    const reader2 = new Database(file, { readonly: true });
    try {
      expect(reader2.pragma('user_version', { simple: true })).toBe(MIGRATION_COUNT);
    } finally {
      reader2.close();
    }
  });

  it('closes safely twice; later calls throw', () => {
    const s = openStore({ file: null, maxCapturesPerBin: 10 });
    s.close();
    expect(() => s.close()).not.toThrow();
    expect(() => s.getBin('x')).toThrow();
    expect(() => s.listBins()).toThrow();
  });
});
