import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StartError } from './errors.js';

/** The exclusive hold of one hookbin process on its data dir. */
export interface DataDirLock {
  /** Records the port this process serves on, for the message another start prints. */
  setPort(port: number): void;
  /** Lets the data dir go (idempotent). */
  release(): void;
}

interface Holder {
  pid?: number;
  port?: number;
}

function readHolder(file: string): Holder {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object') {
      const { pid, port } = parsed as Record<string, unknown>;
      return { pid: Number.isInteger(pid) ? (pid as number) : undefined, port: Number.isInteger(port) ? (port as number) : undefined };
    }
  } catch {
    // Not written yet (the holder is starting) or unreadable: the message says less.
  }
  return {};
}

function describeHolder(holder: Holder): string {
  const parts = [holder.pid !== undefined && `pid ${holder.pid}`, holder.port !== undefined && `port ${holder.port}`].filter(Boolean);
  return parts.length > 0 ? `another hookbin (${parts.join(', ')})` : 'another hookbin';
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
export function lockDataDir(dir: string): DataDirLock {
  const ownerFile = join(dir, 'hookbin.owner');
  // timeout 0: a held lock fails at once instead of waiting for it.
  const db = new Database(join(dir, 'hookbin.lock'), { timeout: 0 });
  try {
    // EXCLUSIVE locking mode keeps the lock after the statement; the open
    // transaction holds it until this connection closes or the process ends.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StartError(`${describeHolder(readHolder(ownerFile))} is using the data dir ${dir}; stop it or choose another --data-dir`);
    }
    throw new StartError(`cannot lock the data dir ${dir} (${code ?? (err as Error).message}); choose another with --data-dir or use --memory`);
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
      rmSync(ownerFile, { force: true });
      db.close();
    },
  };
}
