/**
 * The data-dir lock below the server: what `hookbin.owner` says, how a
 * refusal names the holder, and what release does. Real files and real
 * SQLite locks in a temp dir; a second lock in this process is refused as
 * one in another process would be.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeHolder, isAlive, lockDataDir, pauseThread, readHolder } from '../../server/main/datadir-lock.js';
import { StartError } from '../../server/http/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookbin-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const owner = () => JSON.parse(readFileSync(join(dir, 'hookbin.owner'), 'utf8')) as unknown;

/** A pid that no process has: a child that has already exited. */
const deadPid = (): number => Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());

describe('lockDataDir', () => {
  it('writes its pid, then its port, to hookbin.owner (readable by the owner only); a second start is refused naming both', () => {
    const lock = lockDataDir(dir);
    expect(owner()).toEqual({ pid: process.pid });
    expect(statSync(join(dir, 'hookbin.owner')).mode & 0o777).toBe(0o600);
    lock.setPort(4321);
    expect(owner()).toEqual({ pid: process.pid, port: 4321 });
    const refused = (() => {
      try {
        lockDataDir(dir);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(StartError);
    expect((refused as Error).message).toBe(`another hookbin (pid ${process.pid}, port 4321) is using the data dir ${dir}; stop it or choose another --data-dir`);
    lock.release();
  });

  it('release removes hookbin.owner and lets the dir go; twice is harmless; setPort after it writes nothing', () => {
    const lock = lockDataDir(dir);
    lock.release();
    expect(existsSync(join(dir, 'hookbin.owner'))).toBe(false);
    lock.release();
    lock.setPort(80);
    expect(existsSync(join(dir, 'hookbin.owner'))).toBe(false);
    const again = lockDataDir(dir);
    again.setPort(7000);
    // The first lock's release, again: it must not remove the new holder's owner file.
    lock.release();
    expect(owner()).toEqual({ pid: process.pid, port: 7000 });
    again.release();
  });

  it('a lock file that cannot be opened is a StartError naming it', () => {
    mkdirSync(join(dir, 'hookbin.lock'));
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`^cannot lock the data dir .*: .*hookbin\\.lock is unusable \\(SQLITE_CANTOPEN\\); choose another with --data-dir or use --memory$`));
  });

  it('an owner file that cannot be written does not stop the lock', () => {
    mkdirSync(join(dir, 'hookbin.owner'));
    const lock = lockDataDir(dir);
    lock.setPort(99);
    lock.release();
    expect(lockDataDir(dir).release()).toBeUndefined();
  });
});

describe('two starts at once', () => {
  /** Runs `fn`, returning what it threw. */
  const thrown = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('a start whose rival lets go while it waits tries again and takes the dir', () => {
    const rival = lockDataDir(dir);
    const waits: number[] = [];
    const lock = lockDataDir(dir, {
      pause: (ms) => {
        waits.push(ms);
        rival.release();
      },
    });
    // One busy attempt, one short random pause (10-59 ms), then the dir.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(10);
    expect(waits[0]).toBeLessThan(60);
    expect(owner()).toEqual({ pid: process.pid });
    lock.release();
  });

  it('a holder that keeps the dir: three attempts of at least 250 ms each, two pauses between, then the refusal', () => {
    const holder = lockDataDir(dir);
    const waits: number[] = [];
    const started = performance.now();
    const refused = thrown(() => lockDataDir(dir, { pause: (ms) => waits.push(ms) }));
    const took = performance.now() - started;
    expect(refused).toBeInstanceOf(StartError);
    expect(waits).toHaveLength(2);
    // Each attempt waits 250 ms plus a random extra of up to 250 ms: a start
    // gives up between 750 ms and 1.5 s, not after SQLite's default of 5 s an attempt.
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(5000);
    holder.release();
  });

  it('pauseThread blocks the thread for the time asked', () => {
    const started = performance.now();
    pauseThread(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe('readHolder and describeHolder', () => {
  const file = () => join(dir, 'hookbin.owner');

  it.each<[string, ReturnType<typeof readHolder>]>([
    ['{"pid":12,"port":80}\n', { pid: 12, port: 80 }],
    ['{"pid":12}', { pid: 12, port: undefined }],
    ['{"pid":"12","port":8.5}', { pid: undefined, port: undefined }],
    ['null', {}],
    ['42', {}],
    ['not json', {}],
  ])('%s → %j', (text, holder) => {
    writeFileSync(file(), text);
    expect(readHolder(file())).toEqual(holder);
  });

  it('a missing file names nobody', () => expect(readHolder(join(dir, 'absent'))).toEqual({}));

  it('names what it knows of a live holder, and nobody for a dead pid', () => {
    expect(describeHolder({ pid: process.pid, port: 8080 })).toBe(`another hookbin (pid ${process.pid}, port 8080)`);
    expect(describeHolder({ pid: process.pid })).toBe(`another hookbin (pid ${process.pid})`);
    expect(describeHolder({ port: 8080 })).toBe('another hookbin (port 8080)');
    expect(describeHolder({})).toBe('another hookbin');
    expect(describeHolder({ pid: deadPid(), port: 8080 })).toBe('another hookbin');
  });

  it('a pid is alive when signal 0 reaches it or is refused for another user (EPERM), not when it is gone', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(deadPid())).toBe(false);
    // Root is never refused, so the other user's refusal is played here.
    const refusing = (code: string) => () => {
      throw Object.assign(new Error(code), { code });
    };
    expect(isAlive(1, refusing('EPERM'))).toBe(true);
    expect(isAlive(1, refusing('ESRCH'))).toBe(false);
  });
});
