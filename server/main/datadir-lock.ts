import { randomInt } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { StartError } from '../http/errors.js';
import { openSqlite } from '../store/sqlite.js';

/** The exclusive hold of one hookbin process on its data dir. */
export interface DataDirLock {
  /** Records the port this process serves on, for the message another start prints. */
  setPort(port: number): void;
  /** Lets the data dir go (idempotent). */
  release(): void;
}

/** What `hookbin.owner` says about the holder. */
export interface Holder {
  pid?: number;
  port?: number;
}

/** The holder `hookbin.owner` names; fields it lacks or that are not whole numbers are left out. */
export function readHolder(file: string): Holder {
  try {
    // Any JSON: what is not an object has no pid or port.
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; port?: unknown } | null;
    // Stryker disable next-line OptionalChaining: `null.pid` throws into the catch below, which names nobody too.
    const pid = parsed?.pid;
    // Stryker disable next-line OptionalChaining: as above.
    const port = parsed?.port;
    return { pid: Number.isInteger(pid) ? (pid as number) : undefined, port: Number.isInteger(port) ? (port as number) : undefined };
  } catch {
    // Not written yet (the holder is starting) or unreadable: the message says less.
  }
  return {};
}

/**
 * Whether a process with this pid exists: signal 0 reaches it, or is refused
 * with EPERM (it exists, owned by another user). `kill` is `process.kill`;
 * tests pass another, as root is never refused.
 */
export function isAlive(pid: number, kill: (pid: number, signal: number) => void = (p, s) => process.kill(p, s)): boolean {
  try {
    kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Names the holder from `hookbin.owner` for the refusal message. The file may
 * be stale (the holder took the lock but had not yet written it, or the write
 * failed, and a dead hookbin's file is left): a pid that is not alive names
 * nobody, and the message says only "another hookbin".
 */
export function describeHolder(holder: Holder): string {
  if (holder.pid !== undefined && !isAlive(holder.pid)) return 'another hookbin';
  const parts = [holder.pid !== undefined && `pid ${holder.pid}`, holder.port !== undefined && `port ${holder.port}`].filter(Boolean);
  return parts.length > 0 ? `another hookbin (${parts.join(', ')})` : 'another hookbin';
}

/**
 * How long a start waits for `hookbin.lock`, at least: a rival start takes a
 * brief shared lock on the way to its own attempt. A real holder keeps the
 * lock for good, so it is still refused, a moment later.
 */
const LOCK_WAIT_MS = 250;
/**
 * Two starts at the same moment each hold a shared lock while waiting for
 * the other's to go, so with equal waits both would give up. Each attempt
 * waits a random extra (up to another LOCK_WAIT_MS), so one gives up first
 * and lets the other through; the one that gave up tries again this many
 * times, and is then refused by the new holder.
 */
const LOCK_ATTEMPTS = 3;

/** Blocks this thread for `ms` (the lock is taken before anything else runs). */
export function pauseThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Opens `file` and takes SQLite's exclusive lock on it for the life of the connection; throws as SQLite does. */
function takeExclusive(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = openSqlite(file, { timeout: LOCK_WAIT_MS + randomInt(LOCK_WAIT_MS) });
    // EXCLUSIVE locking mode keeps the lock after the statement; the open
    // transaction holds it until this connection closes or the process ends.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (err) {
    db?.close();
    throw err;
  }
}

/** How a start waits between attempts; tests pass their own to act between them. */
export interface LockOptions {
  /** Called with the wait (ms) after a busy attempt that will be retried; blocks by default. */
  pause?: (ms: number) => void;
}

/**
 * Takes the data dir for this process, so two hookbins never share one
 * database (their writes would collide with SQLITE_BUSY and both would send
 * the same pending deliveries). The lock is SQLite's own exclusive lock on
 * `hookbin.lock`, an operating-system file lock: it dies with the process,
 * so a hookbin killed with SIGKILL leaves nothing that blocks the next start.
 * `hookbin.owner` beside it names the holder's pid and port for the message.
 * Throws `StartError` with one sentence when another process (or another
 * start in this process) holds the dir.
 */
export function lockDataDir(dir: string, options: LockOptions = {}): DataDirLock {
  const pause = options.pause ?? pauseThread;
  const ownerFile = join(dir, 'hookbin.owner');
  const lockFile = join(dir, 'hookbin.lock');
  let lockDb: Database.Database | undefined;
  for (let attempt = 1; lockDb === undefined; attempt++) {
    try {
      // A lock file that cannot be opened (e.g. a directory) is a StartError too.
      lockDb = takeExclusive(lockFile);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Another connection's lock (SQLITE_LOCKED is for conflicts inside one connection or a shared cache, which this never uses).
      const busy = code === 'SQLITE_BUSY';
      if (busy && attempt < LOCK_ATTEMPTS) {
        pause(10 + randomInt(50));
        continue;
      }
      if (busy) throw new StartError(`${describeHolder(readHolder(ownerFile))} is using the data dir ${dir}; stop it or choose another --data-dir`);
      throw new StartError(`cannot lock the data dir ${dir}: ${lockFile} is unusable (${code ?? (err as Error).message}); choose another with --data-dir or use --memory`);
    }
  }
  const write = (holder: Holder) => {
    try {
      writeFileSync(ownerFile, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    } catch {
      // Only the message of a second start would lack the pid and port.
    }
  };
  write({ pid: process.pid });
  let held = true;
  return {
    setPort(port) {
      if (held) write({ pid: process.pid, port });
    },
    release() {
      if (!held) return;
      held = false;
      try {
        rmSync(ownerFile);
      } catch {
        // Never written, or cannot be removed: a leftover owner file is harmless, its pid is checked before it is named.
      } finally {
        // Closing is what lets the dir go: it happens whatever became of the owner file.
        lockDb.close();
      }
    },
  };
}
