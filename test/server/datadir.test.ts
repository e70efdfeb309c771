/**
 * One hookbin per data dir, through the real server and real SQLite files:
 * a second start is refused with a sentence, a racing start waits out a
 * brief lock, a stale or unusable lock/owner file is handled, and a
 * shutdown does not wait for a whole re-judge of stored verdicts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from '../../server/main/start.js';
import { StartError } from '../../server/http/errors.js';
import { cleanupTempDirs, tempDir, testConfig, WEB_ROOT } from '../support/helpers.js';

afterAll(cleanupTempDirs);

describe('one data dir, one hookbin', () => {
  it('a second start on the same data dir fails with a sentence naming the holder; after close() it starts', async () => {
    const dataDir = tempDir();
    const first = await start(testConfig({ dataDir }), { webRoot: WEB_ROOT });
    let failure: unknown;
    try {
      const second = await start(testConfig({ dataDir }), { webRoot: WEB_ROOT });
      await second.close();
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(StartError);
    expect((failure as Error).message).toBe(`another hookbin (pid ${process.pid}, port ${first.port}) is using the data dir ${dataDir}; stop it or choose another --data-dir`);
    // The holder is untouched by the refused start.
    expect((await fetch(first.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);
    await first.close();

    const again = await start(testConfig({ dataDir }), { webRoot: WEB_ROOT });
    expect((await fetch(again.binUrl, { method: 'POST', body: 'y' })).status).toBe(200);
    await again.close();
  });

  it('--memory takes no lock', async () => {
    const dataDir = tempDir();
    const a = await start(testConfig({ dataDir, memory: true }), { webRoot: null });
    const b = await start(testConfig({ dataDir, memory: true }), { webRoot: null });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('taking the data dir', () => {
  it('a start waits out a brief shared lock on hookbin.lock (as a rival start takes on its way) instead of failing', async () => {
    const dataDir = tempDir();
    // Another process reads hookbin.lock inside a transaction (a SHARED lock) and lets go 100 ms later.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.exec('BEGIN'); db.prepare('SELECT count(*) FROM sqlite_master').get();
         process.stdout.write('held\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 100);`,
        join(dataDir, 'hookbin.lock'),
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => reader.on('exit', resolve));
    await new Promise<void>((resolve) => reader.stdout!.on('data', (d: Buffer) => String(d).includes('held') && resolve()));
    const running = await start(testConfig({ dataDir }), { webRoot: null });
    expect((await fetch(running.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);
    await running.close();
    await exited;
  });

  it('a hookbin.lock that cannot be opened (a directory) is a sentence naming it', async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'hookbin.lock'));
    const failure = await start(testConfig({ dataDir }), { webRoot: null }).then(
      (r) => r.close(),
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StartError);
    expect((failure as Error).message).toMatch(/^cannot lock the data dir .*: .*hookbin\.lock is unusable \(SQLITE_CANTOPEN\); choose another with --data-dir or use --memory$/);
    expect((failure as Error).message).toContain(join(dataDir, 'hookbin.lock'));
  });

  it('close() lets the data dir go even when hookbin.owner cannot be removed', async () => {
    const dataDir = tempDir();
    const first = await start(testConfig({ dataDir }), { webRoot: null });
    rmSync(join(dataDir, 'hookbin.owner'));
    mkdirSync(join(dataDir, 'hookbin.owner'));
    writeFileSync(join(dataDir, 'hookbin.owner', 'keep'), 'x');
    await first.close();
    const again = await start(testConfig({ dataDir }), { webRoot: null });
    expect((await fetch(again.binUrl, { method: 'POST', body: 'y' })).status).toBe(200);
    await again.close();
  });

  it('a hookbin.owner naming a pid that is not alive names nobody', async () => {
    const dataDir = tempDir();
    const first = await start(testConfig({ dataDir }), { webRoot: null });
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'hookbin.owner'), `${JSON.stringify({ pid: gone, port: 1 })}\n`);
    const failure = await start(testConfig({ dataDir }), { webRoot: null }).then(
      (r) => r.close(),
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StartError);
    expect((failure as Error).message).toBe(`another hookbin is using the data dir ${dataDir}; stop it or choose another --data-dir`);
    await first.close();
  });
});

describe('close() after a change of --secret', () => {
  it('stops re-judging stored captures between batches; the next start re-judges them all', async () => {
    const dataDir = tempDir();
    const total = 1000;
    const first = await start(testConfig({ dataDir }), { webRoot: null });
    for (let i = 0; i < total; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => fetch(first.binUrl, { method: 'POST', body: `capture ${i + j}` }).then((r) => r.arrayBuffer())));
    }
    await first.close();

    const secrets = [{ name: 'rotated', value: 'rotated-key-000' }];
    const second = await start(testConfig({ dataDir, secrets }), { webRoot: null });
    await second.close();
    const judged = await second.reverified;
    expect(judged).toBeGreaterThan(0);
    expect(judged).toBeLessThan(total);

    // Not finished, so not recorded as done: the next start re-judges every capture.
    const third = await start(testConfig({ dataDir, secrets }), { webRoot: null });
    expect(await third.reverified).toBe(total);
    await third.close();
    const fourth = await start(testConfig({ dataDir, secrets }), { webRoot: null });
    expect(await fourth.reverified).toBe(0);
    await fourth.close();
  });
});
