/**
 * Durability of captures without blocking the event loop on fsync.
 *
 * SQLite in WAL mode with `synchronous = FULL` fsyncs the WAL inside every
 * COMMIT, and better-sqlite3 runs COMMIT on the main thread: each batch of
 * captures stopped all request handling for the length of one fsync (0.2 ms
 * on an idle disk, several ms on a busy one). Instead the capture batch
 * commits with `synchronous = NORMAL` (the frames are written to the WAL, not
 * yet synced) and this module then runs `fdatasync` on the WAL file on
 * libuv's thread pool; each capture is answered only once a sync that began
 * after its COMMIT has finished. That is what FULL does, moved off the main
 * thread; concurrent batches share one sync.
 *
 * Why that is enough (SQLite's documentation of `synchronous`): with NORMAL,
 * SQLite still syncs the WAL before each checkpoint, the database file after
 * it, and the WAL header when the WAL is reused after a checkpoint; it only
 * leaves out the sync at the end of each transaction, which is the one done
 * here. A committed transaction whose WAL frames are on disk is recovered
 * when the database is next opened.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Makes committed WAL frames durable; see the module comment. */
export interface WalSync {
  /**
   * Calls `done` once everything committed before this call is on disk, or
   * with the error when the sync failed (then nothing since the last good
   * sync may be assumed durable).
   */
  after(done: (err: Error | null) => void): void;
  /** Syncs at once, on this thread, and settles every waiter; for closing. Throws when the sync fails. */
  syncNow(): void;
  /** Releases the file handle (once no sync is running). */
  close(): void;
}

/** The WAL sync of the SQLite database file `dbFile` (its WAL is `dbFile-wal`). */
export function createWalSync(dbFile: string): WalSync {
  const walPath = `${dbFile}-wal`;
  let fd: number | null = null;
  let ino: number | bigint = -1;
  let running = false;
  let closed = false;
  let waiting: ((err: Error | null) => void)[] = [];

  /**
   * The open WAL file, reopened if SQLite ever replaced it. On (re)opening,
   * the directory is synced too: a WAL file whose directory entry is not on
   * disk could vanish in a power cut with every frame in it.
   */
  function walFd(): number {
    const now = statSync(walPath).ino;
    if (fd === null || now !== ino) {
      if (fd !== null) closeSync(fd);
      fd = openSync(walPath, 'r');
      ino = fstatSync(fd).ino;
      const dir = openSync(dirname(walPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return fd;
  }

  function settle(batch: ((err: Error | null) => void)[], err: Error | null): void {
    for (const done of batch) done(err);
  }

  function start(): void {
    const batch = waiting;
    waiting = [];
    let handle: number;
    try {
      handle = walFd();
    } catch (err) {
      settle(batch, err as Error);
      return;
    }
    running = true;
    fdatasync(handle, (err) => {
      running = false;
      if (closed && fd !== null) {
        closeSync(fd);
        fd = null;
      }
      settle(batch, err);
      if (waiting.length > 0 && !closed) start();
    });
  }

  return {
    after(done) {
      waiting.push(done);
      if (!running) start();
    },
    syncNow() {
      const batch = waiting;
      waiting = [];
      try {
        fdatasyncSync(walFd());
      } catch (err) {
        settle(batch, err as Error);
        throw err;
      }
      settle(batch, null);
    },
    close() {
      closed = true;
      // A sync still running closes the handle when it ends.
      if (!running && fd !== null) {
        closeSync(fd);
        fd = null;
      }
    },
  };
}
