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
import { describeHolder, lockDataDir, readHolder } from '../server/datadir-lock.js';
import { StartError } from '../server/errors.js';

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
});
