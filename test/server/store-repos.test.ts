/**
 * The store called directly, below the server: what it answers for missing
 * records, bins and their settings cache (across connections too),
 * captures, retention, bodies in parts, a deleted bin, the file in WAL mode
 * and closing.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultRespond, defaultSettings } from '../../server/capture/settings.js';
import { BinExistsError, BinGoneError, BODY_PART_BYTES, openStore, type NewCapture, type Store } from '../../server/store/index.js';
import { cleanupTempDirs, tempDir } from '../support/helpers.js';

/** The numbered migrations the store applies, counted from the source tree. */
const MIGRATION_COUNT = readdirSync(new URL('../../server/store/migrations/', import.meta.url)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).length;

/** Stores opened by a test; closed after it whatever happened. */
const stores: Store[] = [];

function store(file: string | null = null, maxCapturesPerBin = 10_000): Store {
  const s = openStore({ file, maxCapturesPerBin });
  stores.push(s);
  return s;
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
afterAll(cleanupTempDirs);

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
