/**
 * The batched capture write (group commit): the captures handed to the store
 * in one turn of the event loop go into one transaction, in order, and none
 * is answered before that transaction committed. A second connection to the
 * same file, which only ever sees committed rows, is the witness.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { defaultSettings } from '../../server/capture/settings.js';
import { openStore, type AddedCapture, type NewCapture, type Store } from '../../server/store/index.js';
import type { CaptureResponse } from '../../server/common/types.js';
import { createWalSync, type WalSync } from '../../server/store/walsync.js';
import { cleanupTempDirs, startServer, tempDir, type TestServer } from '../support/helpers.js';

const stores: Store[] = [];
const readers: Database.Database[] = [];
const servers: TestServer[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const s of stores.splice(0)) s.close();
  for (const r of readers.splice(0)) r.close();
});
afterAll(cleanupTempDirs);

/** A store on a fresh file with bin `b`, and a second connection that sees only what is committed. */
function fileStore(): { store: Store; file: string; committed: (id: string) => boolean; count: () => number } {
  const file = join(tempDir(), 'hookbin.db');
  const store = openStore({ file, maxCapturesPerBin: 10_000 });
  stores.push(store);
  store.createBin({ id: 'b', name: 'b', createdAt: 1, settings: defaultSettings() });
  const reader = new Database(file, { readonly: true });
  readers.push(reader);
  const has = reader.prepare<[string], number>('SELECT 1 FROM captures WHERE id = ?').pluck();
  const count = reader.prepare<[], number>('SELECT COUNT(*) FROM captures').pluck();
  return { store, file, committed: (id) => has.get(id) === 1, count: () => count.get()! };
}

function ok(attempt: number): CaptureResponse {
  return { status: 200, headers: [], body: `attempt ${attempt}`, delayMs: 0, fault: null, reason: 'default' };
}

/** Capture `n` of bin `b`, all of one event unless `key` says otherwise. */
function capture(n: number, over: Partial<NewCapture> = {}): NewCapture {
  return {
    id: `cap${String(n).padStart(6, '0')}`,
    binId: 'b',
    receivedAt: 1_700_000_000_000 + n,
    method: 'POST',
    path: `/${n}`,
    query: '',
    headers: [['Host', 'x']],
    contentType: 'text/plain',
    bodySize: 6,
    truncated: false,
    body: Buffer.from(`body ${n}`),
    remoteAddress: '127.0.0.1',
    httpVersion: '1.1',
    event: { key: 'evt_same', type: null },
    answer: ok,
    signatures: [],
    verdict: null,
    ...over,
  };
}

describe('group commit in the store', () => {
  it('writes one turn’s captures in one transaction, in order, numbering attempts of one event 1..n, each settling only after COMMIT', async () => {
    const { store, committed, count } = fileStore();
    // What another connection could see while each row's answer was being decided.
    const visibleWhileWriting: number[] = [];
    const inputs = Array.from({ length: 12 }, (_, i) =>
      capture(i + 1, {
        answer: (attempt) => {
          visibleWhileWriting.push(count());
          return ok(attempt);
        },
      }),
    );
    const settledCommitted: boolean[] = [];
    const pending = inputs.map((input) =>
      store.addCapture(input).then((added) => {
        settledCommitted.push(committed(input.id));
        return added;
      }),
    );
    // Handed over, not yet written: the batch waits for the end of this turn.
    expect(count()).toBe(0);
    const added = await Promise.all(pending);

    // No row of the batch was visible to anyone while the batch was written: one transaction.
    expect(visibleWhileWriting).toEqual(Array(12).fill(0));
    // Every promise settled after its row was committed (visible to another connection).
    expect(settledCommitted).toEqual(Array(12).fill(true));
    expect(added.map((a) => a.capture.event.attempt)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(added.map((a) => a.response.body)).toEqual(Array.from({ length: 12 }, (_, i) => `attempt ${i + 1}`));
    const seqs = added.map((a) => a.capture.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(store.listCaptures('b', { limit: 100 }).captures.map((c) => c.id).reverse()).toEqual(inputs.map((i) => i.id));
    expect(store.getBin('b')!.captureCount).toBe(12);
  });

  it('a later turn is a later transaction that continues the numbering', async () => {
    const { store } = fileStore();
    const first = await Promise.all([store.addCapture(capture(1)), store.addCapture(capture(2))]);
    const second = await Promise.all([store.addCapture(capture(3)), store.addCapture(capture(4, { event: { key: 'evt_other', type: null } }))]);
    expect([...first, ...second].map((a) => a.capture.event.attempt)).toEqual([1, 2, 3, 1]);
  });

  it('rejects only a row that fails; the rest of its batch commits and the numbering has no hole', async () => {
    const { store, committed } = fileStore();
    const boom = new Error('answer failed');
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) =>
        store.addCapture(
          capture(n, {
            answer: (attempt) => {
              if (n === 3) throw boom;
              return ok(attempt);
            },
          }),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBe(boom);
    expect(committed('cap000003')).toBe(false);
    expect(store.getBody('cap000003')).toBeUndefined();
    const attempts = results.flatMap((r) => (r.status === 'fulfilled' ? [(r.value as AddedCapture).capture.event.attempt] : []));
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(store.getBin('b')!.captureCount).toBe(4);
  });

  it('rejects every capture of a batch whose transaction is lost, and stores none of them', async () => {
    const { store, file, count } = fileStore();
    // A trigger that rolls back the whole transaction: what a failed COMMIT or an I/O error does to a batch.
    const admin = new Database(file);
    admin.exec(`CREATE TRIGGER poison BEFORE INSERT ON captures WHEN NEW.path = '/poison' BEGIN SELECT RAISE(ROLLBACK, 'poisoned batch'); END`);
    admin.close();

    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => store.addCapture(capture(n, n === 3 ? { path: '/poison' } : {}))));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/poisoned batch/);
    expect(count()).toBe(0);
    expect(store.getBin('b')!.captureCount).toBe(0);

    // The next turn is a fresh transaction; nothing of the lost batch is counted.
    const next = await store.addCapture(capture(6));
    expect(next.capture.event.attempt).toBe(1);
    expect(count()).toBe(1);
  });

  it('rejects every capture of a batch when one row’s write fails, and stores none of them', async () => {
    const { store, file, count } = fileStore();
    // A failing statement (the transaction goes on): half a row must not be committed with the others.
    const admin = new Database(file);
    admin.exec(`CREATE TRIGGER bad_body BEFORE INSERT ON bodies WHEN NEW.data = CAST('body 3' AS BLOB) BEGIN SELECT RAISE(ABORT, 'bad body'); END`);
    admin.close();

    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => store.addCapture(capture(n))));
    expect(results.map((r) => r.status)).toEqual(Array(4).fill('rejected'));
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/bad body/);
    expect(count()).toBe(0);
    expect((await store.addCapture(capture(5))).capture.event.attempt).toBe(1);
  });

  it('rejects only the rows of a deleted bin in a mixed batch', async () => {
    const { store } = fileStore();
    store.createBin({ id: 'gone', name: 'gone', createdAt: 2, settings: defaultSettings() });
    const pending = [store.addCapture(capture(1)), store.addCapture(capture(2, { binId: 'gone' })), store.addCapture(capture(3))];
    store.deleteBin('gone');
    const results = await Promise.allSettled(pending);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ binId: 'gone' });
  });

  it('close() writes what was already handed over, then closes', async () => {
    const { store, file } = fileStore();
    const pending = [1, 2, 3].map((n) => store.addCapture(capture(n)));
    store.close();
    expect((await Promise.all(pending)).map((a) => a.capture.event.attempt)).toEqual([1, 2, 3]);
    await expect(store.addCapture(capture(4))).rejects.toThrow();
    const again = openStore({ file, maxCapturesPerBin: 10_000 });
    stores.push(again);
    expect(again.getBin('b')!.captureCount).toBe(3);
  });
});

describe('durability: answered only after the WAL sync', () => {
  /** A store whose WAL syncs are held until the test releases them. */
  function heldSyncStore() {
    const file = join(tempDir(), 'hookbin.db');
    const held: ((err: Error | null) => void)[] = [];
    let real: WalSync | undefined;
    const store = openStore({
      file,
      maxCapturesPerBin: 10_000,
      walSync: (dbFile) => {
        real = createWalSync(dbFile);
        return { after: (done) => held.push(done), syncNow: () => real!.syncNow(), close: () => real!.close() };
      },
    });
    stores.push(store);
    store.createBin({ id: 'b', name: 'b', createdAt: 1, settings: defaultSettings() });
    return { store, held };
  }

  it('settles a batch only when the sync that began after its COMMIT has finished', async () => {
    const { store, held } = heldSyncStore();
    let settled = 0;
    const pending = [1, 2, 3].map((n) => store.addCapture(capture(n)).then((a) => (settled++, a)));
    await new Promise((r) => setTimeout(r, 20));
    // Committed (the batch ran) but not yet synced: nobody is answered.
    expect(held).toHaveLength(1);
    expect(settled).toBe(0);
    expect(store.getBin('b')!.captureCount).toBe(3);
    held.shift()!(null);
    expect((await Promise.all(pending)).map((a) => a.capture.event.attempt)).toEqual([1, 2, 3]);
  });

  it('holds what arrives during a sync and commits it as one batch when the sync ends', async () => {
    const { store, held } = heldSyncStore();
    const first = store.addCapture(capture(1));
    await new Promise((r) => setTimeout(r, 10));
    expect(held).toHaveLength(1);
    // Three more, each in a turn of its own, while the first sync runs.
    const later: Promise<AddedCapture>[] = [];
    for (const n of [2, 3, 4]) {
      later.push(store.addCapture(capture(n)));
      await new Promise((r) => setImmediate(r));
    }
    expect(store.getBin('b')!.captureCount).toBe(1);
    held.shift()!(null);
    await first;
    // Committed together, right after: one more sync for all three.
    expect(store.getBin('b')!.captureCount).toBe(4);
    expect(held).toHaveLength(1);
    held.shift()!(null);
    expect((await Promise.all(later)).map((a) => a.capture.event.attempt)).toEqual([2, 3, 4]);
  });

  it('rejects a batch whose sync failed, and syncs later batches inside COMMIT instead', async () => {
    const { store, held } = heldSyncStore();
    const first = [1, 2].map((n) => store.addCapture(capture(n)));
    await new Promise((r) => setTimeout(r, 20));
    held.shift()!(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    for (const r of await Promise.allSettled(first)) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'EIO' } });
    // Not on the held path any more: SQLite's synchronous=FULL commit is the sync.
    const later = await store.addCapture(capture(3));
    expect(later.capture.event.attempt).toBe(3);
    expect(held).toHaveLength(0);
  });

  it('the real sync settles waiters, coalesces concurrent batches and syncs at once on close', async () => {
    const file = join(tempDir(), 'hookbin.db');
    const store = openStore({ file, maxCapturesPerBin: 10_000 });
    store.createBin({ id: 'b', name: 'b', createdAt: 1, settings: defaultSettings() });
    const a = store.addCapture(capture(1));
    await new Promise((r) => setImmediate(r));
    const b = store.addCapture(capture(2));
    await new Promise((r) => setImmediate(r));
    const c = store.addCapture(capture(3));
    store.close();
    expect((await Promise.all([a, b, c])).map((x) => x.capture.event.attempt)).toEqual([1, 2, 3]);
    const again = openStore({ file, maxCapturesPerBin: 10_000 });
    stores.push(again);
    expect(again.getBin('b')!.captureCount).toBe(3);
  });
});

describe('checkpoints off the main thread', () => {
  it('a worker copies the WAL into the database file once the store is busy; the data survives a reopen', async () => {
    const file = join(tempDir(), 'hookbin.db');
    const store = openStore({ file, maxCapturesPerBin: 10_000, checkpointAfter: 5 });
    stores.push(store);
    store.createBin({ id: 'b', name: 'b', createdAt: 1, settings: defaultSettings() });
    const before = statSync(file).size;
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => store.addCapture(capture(n))));
    // Nothing on the main thread checkpoints this little; the worker does, within a few rounds.
    const deadline = Date.now() + 5000;
    while (statSync(file).size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThan(before);
    expect(store.getBin('b')!.captureCount).toBe(6);
    store.close();
    const again = openStore({ file, maxCapturesPerBin: 10_000 });
    stores.push(again);
    expect(again.listCaptures('b', { limit: 10 }).captures).toHaveLength(6);
  });
});

describe('group commit through the real server', () => {
  it('answers no 2xx for a capture whose batch was lost: every 2xx is stored, nothing else is', async () => {
    const server = await startServer();
    servers.push(server);
    const bin = server.defaultBinId;
    const admin = new Database(server.dbFile!);
    admin.exec(`CREATE TRIGGER poison BEFORE INSERT ON captures WHEN NEW.path = '/poison' BEGIN SELECT RAISE(ROLLBACK, 'poisoned batch'); END`);
    admin.close();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});

    // Several poisoned deliveries among many, so that some share a batch with good ones.
    const paths = Array.from({ length: 40 }, (_, i) => (i % 8 === 5 ? '/poison' : `/ok/${i}`));
    const answers = await Promise.all(
      paths.map(async (path) => {
        const res = await fetch(`${server.origin}/b/${bin}${path}`, { method: 'POST', body: `delivery ${path}` });
        await res.arrayBuffer();
        return { path, status: res.status, id: res.headers.get('x-hookbin-capture-id') };
      }),
    );
    for (const a of answers.filter((x) => x.path === '/poison')) expect(a.status).toBe(500);
    expect(logged).toHaveBeenCalled();

    const stored = (await (await server.api(`/api/bins/${bin}/captures?limit=1000`)).json()) as { captures: { id: string }[] };
    const storedIds = new Set(stored.captures.map((c) => c.id));
    const answered2xx = answers.filter((a) => a.status >= 200 && a.status < 300);
    for (const a of answered2xx) expect(storedIds.has(a.id!)).toBe(true);
    // Whatever shared the poisoned batch was answered 500 and is not stored either.
    expect(storedIds.size).toBe(answered2xx.length);
    for (const a of answers) expect([200, 500]).toContain(a.status);

    // The server goes on capturing.
    const after = await fetch(`${server.origin}/b/${bin}/after`, { method: 'POST', body: 'x' });
    expect(after.status).toBe(200);
  });
});
