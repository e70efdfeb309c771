/**
 * The WAL sync, observed on the real file system: which file descriptors it
 * syncs and when (the WAL after each batch, its directory when the WAL is
 * (re)opened), how concurrent waiters share a sync, and what a failed sync
 * or a close does. The fs functions are the real ones, counted as they are called.
 */
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWalSync } from '../../server/store/walsync.js';

/** Every call walsync made, in order: [function, fd or path]. */
const calls: Array<[string, unknown]> = [];

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const watch =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      calls.push([name, args[0]]);
      return fn(...args);
    };
  return {
    ...real,
    openSync: watch('openSync', real.openSync),
    closeSync: watch('closeSync', real.closeSync),
    fsyncSync: watch('fsyncSync', real.fsyncSync),
    fdatasync: watch('fdatasync', real.fdatasync),
    fdatasyncSync: watch('fdatasyncSync', real.fdatasyncSync),
  };
});

let dir: string;
let db: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookbin-walsync-'));
  db = join(dir, 'hookbin.db');
  writeFileSync(`${db}-wal`, 'frames');
  calls.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const after = (sync: ReturnType<typeof createWalSync>) => new Promise<Error | null>((resolve) => sync.after(resolve));
const names = () => calls.map(([n]) => n);
/** How many times walsync opened `path`. */
const opened = (path: string) => calls.filter(([n, p]) => n === 'openSync' && p === path).length;

describe('createWalSync', () => {
  it('opens the WAL once, syncs its directory then, and fdatasyncs the WAL for each batch', async () => {
    const sync = createWalSync(db);
    expect(await after(sync)).toBeNull();
    expect(opened(`${db}-wal`)).toBe(1);
    expect(opened(dir)).toBe(1);
    expect(names().filter((n) => n === 'fsyncSync')).toHaveLength(1);
    expect(names().filter((n) => n === 'fdatasync')).toHaveLength(1);
    calls.length = 0;
    expect(await after(sync)).toBeNull();
    // The same WAL: no new open, no directory sync, one more fdatasync.
    expect(names()).toEqual(['fdatasync']);
    sync.close();
  });

  it('reopens a WAL that was replaced (a new inode), closing the old handle and syncing the directory again', async () => {
    const sync = createWalSync(db);
    await after(sync);
    const firstFd = calls.find(([n]) => n === 'fdatasync')![1];
    unlinkSync(`${db}-wal`);
    writeFileSync(`${db}-wal`, 'new frames');
    calls.length = 0;
    expect(await after(sync)).toBeNull();
    expect(calls).toContainEqual(['closeSync', firstFd]);
    expect(opened(`${db}-wal`)).toBe(1);
    expect(opened(dir)).toBe(1);
    sync.close();
  });

  it('waiters that arrive during a sync share the next one', async () => {
    const sync = createWalSync(db);
    const first = after(sync);
    const rest = [after(sync), after(sync), after(sync)];
    expect(await Promise.all([first, ...rest])).toEqual([null, null, null, null]);
    expect(names().filter((n) => n === 'fdatasync')).toHaveLength(2);
    sync.close();
  });

  it('a WAL that cannot be opened fails its waiters with the error, and the next batch tries again', async () => {
    unlinkSync(`${db}-wal`);
    const sync = createWalSync(db);
    const err = await after(sync);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    writeFileSync(`${db}-wal`, 'frames');
    expect(await after(sync)).toBeNull();
    sync.close();
  });

  it('syncNow syncs on this thread and settles every waiter; when it fails it settles them with the error and throws', async () => {
    const sync = createWalSync(db);
    await after(sync);
    calls.length = 0;
    let settled: Error | null | undefined;
    // A waiter queued while a sync runs, settled by syncNow.
    const running = after(sync);
    sync.after((e) => (settled = e));
    sync.syncNow();
    expect(settled).toBeNull();
    expect(names()).toContain('fdatasyncSync');
    await running;

    // A waiter queued behind a running sync, then the WAL is gone: syncNow fails it and throws.
    const behind = after(sync);
    let failed: Error | null | undefined;
    sync.after((e) => (failed = e));
    unlinkSync(`${db}-wal`);
    expect(() => sync.syncNow()).toThrow(/ENOENT/);
    expect((failed as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
    await behind;
    sync.close();
  });

  it('close releases the handle at once when idle, or when the running sync ends, and starts no more syncs', async () => {
    const idle = createWalSync(db);
    await after(idle);
    const fd = calls.find(([n]) => n === 'fdatasync')![1];
    calls.length = 0;
    idle.close();
    expect(calls).toEqual([['closeSync', fd]]);
    calls.length = 0;

    // Every handle it opened (the WAL, and its directory for the sync) is closed again.
    const counted = createWalSync(db);
    await after(counted);
    counted.close();
    expect(names().filter((n) => n === 'closeSync')).toHaveLength(names().filter((n) => n === 'openSync').length);

    const busy = createWalSync(db);
    const first = after(busy);
    const second = new Promise<Error | null>((resolve) => busy.after(resolve));
    calls.length = 0;
    busy.close();
    expect(names()).not.toContain('closeSync');
    expect(await first).toBeNull();
    expect(names()).toContain('closeSync');
    // The waiter that came during the sync is not synced after the close.
    const outcome = await Promise.race([second, new Promise((resolve) => setTimeout(() => resolve('not settled'), 100))]);
    expect(outcome).toBe('not settled');
    expect(names().filter((n) => n === 'fdatasync')).toHaveLength(0);
  });
});

