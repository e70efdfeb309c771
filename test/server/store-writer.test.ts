/**
 * The store's writer below the server: a size cap that prunes over several
 * rounds and reports what it pruned on the right capture of each bin, a cap
 * smaller than the batch itself, attempts on deliveries that are no longer
 * pending, a closed store, and bins' counts kept a batch at a time. Real
 * SQLite files in a temp dir.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type AttemptRecord, type NewCapture, type Store } from '../../server/store/index.js';
import { defaultSettings } from '../../server/capture/settings.js';

let dir: string;
let seq = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookbin-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function capture(binId: string, bytes = 1024): NewCapture {
  const n = ++seq;
  return {
    id: `w${String(n).padStart(8, '0')}`,
    binId,
    receivedAt: 1_700_000_000_000 + n,
    method: 'POST',
    path: '',
    query: '',
    headers: [],
    contentType: null,
    bodySize: bytes,
    truncated: false,
    body: Buffer.alloc(bytes, n % 256),
    remoteAddress: null,
    httpVersion: '1.1',
    event: { key: `e${n}`, type: null },
    answer: () => ({ status: 200, headers: [], body: '', delayMs: 0, fault: null, reason: 'default' }),
    signatures: [],
    verdict: null,
  };
}

const bin = (store: Store, id: string) => store.createBin({ id, name: id, createdAt: Date.now(), settings: defaultSettings() });
const count = (store: Store, id: string) => store.listCaptures(id, { limit: 10_000 }).captures.length;

describe('the size cap', () => {
  it('without a size cap (null or left out) prunes nothing by size', async () => {
    for (const maxDbBytes of [null, undefined]) {
      const store = openStore({ file: join(dir, `nocap-${String(maxDbBytes)}.db`), maxCapturesPerBin: 100_000, maxDbBytes });
      bin(store, 'a');
      // One batch each: a cap read as 0 bytes would prune every earlier batch.
      const pruned: number[] = [];
      for (let i = 0; i < 3; i++) pruned.push((await store.addCapture(capture('a'))).pruned);
      expect(pruned).toEqual([0, 0, 0]);
      expect(count(store, 'a')).toBe(3);
      store.close();
    }
  });

  it('moves checkpoints to the worker after checkpointAfter captures, and never with null: the database file takes the WAL\'s pages', async () => {
    const body = 512 * 1024;
    const sizeAfter = async (checkpointAfter: number | null, waitMs: number) => {
      const file = join(dir, `ckpt-${String(checkpointAfter)}.db`);
      const store = openStore({ file, maxCapturesPerBin: 100, checkpointAfter });
      bin(store, 'a');
      await store.addCapture(capture('a', body));
      // The worker checkpoints every 200 ms; without it the pages stay in the WAL (SQLite's own checkpoint waits for 1000 pages).
      const until = Date.now() + waitMs;
      while (statSync(file).size < body && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const size = statSync(file).size;
      store.close();
      return size;
    };
    const started = Date.now();
    expect(await sizeAfter(1, 10_000)).toBeGreaterThanOrEqual(body);
    // The stores that must not checkpoint get three times as long as the one that did (a loaded machine is slow to start a thread).
    const wait = Math.max(1000, 3 * (Date.now() - started));
    expect(await sizeAfter(null, wait)).toBeLessThan(body);
    expect(await sizeAfter(2, wait)).toBeLessThan(body);
  });

  it('prunes as many rounds as it takes and reports them all on the new capture', async () => {
    const file = join(dir, 'hookbin.db');
    const big = openStore({ file, maxCapturesPerBin: 100_000 });
    bin(big, 'a');
    for (let i = 0; i < 300; i++) await big.addCapture(capture('a', 2048));
    big.close();
    // Reopened with a cap far below what is stored: one capture prunes well over one round of 50.
    const small = openStore({ file, maxCapturesPerBin: 100_000, maxDbBytes: 256 * 1024 });
    try {
      const before = count(small, 'a');
      const added = await small.addCapture(capture('a', 2048));
      const after = count(small, 'a');
      expect(added.pruned).toBeGreaterThan(100);
      expect(added.pruned).toBe(before + 1 - after);
      expect(small.getBin('a')!.prunedCount).toBe(added.pruned);
    } finally {
      small.close();
    }
  });

  it('reports a batch\'s pruning on the last capture of each bin in it', async () => {
    const file = join(dir, 'hookbin.db');
    const big = openStore({ file, maxCapturesPerBin: 100_000 });
    bin(big, 'a');
    bin(big, 'b');
    for (let i = 0; i < 200; i++) await big.addCapture(capture(i % 2 ? 'a' : 'b', 2048));
    big.close();
    const small = openStore({ file, maxCapturesPerBin: 100_000, maxDbBytes: 256 * 1024 });
    try {
      const before = { a: count(small, 'a'), b: count(small, 'b') };
      bin(small, 'c');
      // One turn: one batch, in arrival order a, b, a, b, c (c has nothing older to prune).
      const added = await Promise.all(['a', 'b', 'a', 'b', 'c'].map((id) => small.addCapture(capture(id))));
      const pruned = { a: before.a + 2 - count(small, 'a'), b: before.b + 2 - count(small, 'b') };
      expect(pruned.a).toBeGreaterThan(0);
      expect(pruned.b).toBeGreaterThan(0);
      expect(added.map((r) => r.pruned)).toEqual([0, 0, pruned.a, pruned.b, 0]);
    } finally {
      small.close();
    }
  });

  it('a cap below the batch itself keeps the batch (nothing older to prune) and ends', async () => {
    const store = openStore({ file: join(dir, 'hookbin.db'), maxCapturesPerBin: 100, maxDbBytes: 4096 });
    try {
      bin(store, 'a');
      const added = await store.addCapture(capture('a', 64 * 1024));
      expect(added.pruned).toBe(0);
      expect(count(store, 'a')).toBe(1);
    } finally {
      store.close();
    }
  });
});

describe('attempts and a closed store', () => {
  const attempt = (n: number, at: number): AttemptRecord => ({ n, at, durationMs: 250, status: 500, error: null, errorMessage: null, request: { method: 'POST', url: 'http://x/', headers: [] }, response: null });

  it('an attempt is recorded on a pending delivery only; updatedAt is when it ended', () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    try {
      const base = { kind: 'send' as const, sourceCaptureId: null, createdAt: 1000, method: 'POST', url: 'http://x/', headers: [], body: Buffer.from('x'), sign: [], signId: 's', retry: { preset: null, schedule: [0, 0], timeScale: 1, timeoutMs: 1000 }, nextAt: 1000, insecure: false };
      store.addDelivery({ ...base, id: 'd1' });
      const updated = store.addAttempt('d1', attempt(1, 5000), { state: 'pending', nextAt: 6000 });
      expect(updated).toMatchObject({ attemptCount: 1, updatedAt: 5250, state: 'pending' });
      store.cancelDelivery('d1', 7000);
      expect(store.addAttempt('d1', attempt(2, 8000), { state: 'failed', nextAt: null })).toBeUndefined();
      expect(store.listAttempts('d1')).toHaveLength(1);
      expect(store.getDelivery('d1')).toMatchObject({ state: 'cancelled', attemptCount: 1 });
      expect(store.addAttempt('missing', attempt(1, 5000), { state: 'failed', nextAt: null })).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('a capture handed to a closed store is refused saying the database is not open', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    bin(store, 'a');
    store.close();
    await expect(store.addCapture(capture('a'))).rejects.toThrow(new TypeError('The database connection is not open'));
  });
});

describe('bin counts, kept by the writer a batch at a time', () => {
  const counted = (store: Store, id: string) => store.getBin(id)!.captureCount;

  it('count what each batch stored, once, with retention pruning in it and a bin gone in the middle', async () => {
    const store = openStore({ file: join(dir, 'hookbin.db'), maxCapturesPerBin: 5 });
    try {
      for (const id of ['a', 'b', 'gone']) store.createBin({ id, name: id, createdAt: 0, settings: defaultSettings() });
      // One turn of the event loop: one transaction for all of them.
      const first = [...Array.from({ length: 3 }, () => capture('a')), ...Array.from({ length: 8 }, () => capture('b')), capture('a')];
      await Promise.all(first.map((c) => store.addCapture(c)));
      expect([counted(store, 'a'), counted(store, 'b')]).toEqual([4, 5]);
      expect(store.getBin('b')!.prunedCount).toBe(3);
      const doomed = store.addCapture(capture('gone'));
      const after = [store.addCapture(capture('a')), store.addCapture(capture('a'))];
      store.deleteBin('gone');
      await expect(doomed).rejects.toThrow(/gone/);
      await Promise.all(after);
      expect([counted(store, 'a'), store.getBin('a')!.prunedCount]).toEqual([5, 1]);
      // What the counts say is what the bins hold.
      expect([count(store, 'a'), count(store, 'b')]).toEqual([5, 5]);
    } finally {
      store.close();
    }
  });
});
