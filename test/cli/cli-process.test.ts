/**
 * The built CLI as a process among others: one hookbin per data dir (and two
 * started at the same moment), the tunnel's --ingress-port, and signals.
 * Spawned the way a user runs it, with HOME in a temp dir.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/helpers.js';
import { expectOneLineError, runCli, spawnCli, startCli, stop, useCliProcesses, waitForBanner } from '../support/cli.js';

useCliProcesses();

describe('one data dir, one hookbin', () => {
  it('a second hookbin on the same data dir exits 1 naming the first one\'s pid and port; after SIGKILL of the first a new one starts', async () => {
    const dataDir = tempDir();
    const first = await startCli(['--port', '0', '--data-dir', dataDir, '--token', 'lock']);
    const second = await runCli(['--port', '0', '--data-dir', dataDir, '--token', 'lock']);
    expect({ code: second.code, signal: second.signal }).toEqual({ code: 1, signal: null });
    expectOneLineError(second);
    expect(second.stderr.trim()).toBe(
      `hookbin: another hookbin (pid ${first.cli.proc.pid}, port ${first.banner.port}) is using the data dir ${dataDir}; stop it or choose another --data-dir`,
    );
    // The first is untouched.
    expect((await fetch(first.banner.binUrl, { method: 'POST', body: 'x' })).status).toBe(200);

    // Killed without a chance to clean up: the lock dies with the process.
    first.cli.proc.kill('SIGKILL');
    await first.cli.exited;
    const third = await startCli(['--port', '0', '--data-dir', dataDir, '--token', 'lock']);
    expect((await fetch(third.banner.binUrl, { method: 'POST', body: 'y' })).status).toBe(200);
    expect(await stop(third.cli)).toEqual({ code: 0, signal: null });
  });
});

describe('two hookbins started at the same moment on one data dir', () => {
  // Both were refused in 2 of 20 such rounds before each start's wait was made
  // random (each held a shared lock while waiting for the other's to go).
  it('exactly one runs, the other exits 1 naming the data dir (ten rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const dataDir = tempDir();
      const args = ['--port', '0', '--data-dir', dataDir, '--token', 'race'];
      const both = [spawnCli(args), spawnCli(args)];
      // Each either prints its banner (it runs) or exits (it was refused).
      const outcomes = await Promise.all(
        both.map((cli) => Promise.race([waitForBanner(cli).then(() => 'runs' as const), cli.exited.then(() => 'refused' as const)])),
      );
      expect(outcomes.sort(), `round ${round}: ${both.map((c) => c.stderr()).join(' | ')}`).toEqual(['refused', 'runs']);
      const refused = both.find((c) => c.proc.exitCode !== null)!;
      expect(await refused.exited).toEqual({ code: 1, signal: null });
      expect(refused.stderr()).toContain(`is using the data dir ${dataDir}; stop it or choose another --data-dir`);
      const runs = both.find((c) => c !== refused)!;
      expect(await stop(runs)).toEqual({ code: 0, signal: null });
    }
  }, 90_000);
});

describe('--ingress-port', () => {
  it('prints the bins-only URL for a tunnel; that port captures into the same store and serves nothing else', async () => {
    const { cli, banner } = await startCli(['--port', '0', '--ingress-port', '0', '--memory', '--token', 'tunnel']);
    const tunnelUrl = /Tunnel URL\s+(\S+)/.exec(banner.text)?.[1];
    expect(tunnelUrl, banner.text).toBeDefined();
    const ingress = new URL(tunnelUrl!);
    expect(ingress.port).not.toBe(String(banner.port));
    expect(ingress.pathname).toBe(new URL(banner.binUrl).pathname);
    expect(banner.text).toMatch(/no inspector, no API/);

    const hook = await fetch(tunnelUrl!, { method: 'POST', body: 'through the tunnel' });
    expect(hook.status).toBe(200);
    const id = hook.headers.get('x-hookbin-capture-id');
    const read = await fetch(`${banner.origin}/api/captures/${id}`, { headers: { authorization: 'Bearer tunnel' } });
    expect(await read.json()).toMatchObject({ body: 'through the tunnel' });
    for (const path of ['/', '/api/health', '/api/bins', '/?token=tunnel']) {
      expect((await fetch(`${ingress.origin}${path}`, { headers: { authorization: 'Bearer tunnel' }, redirect: 'manual' })).status, path).toBe(404);
    }
    expect(await stop(cli)).toEqual({ code: 0, signal: null });
  });
});

/** Sends an `Upgrade: h2c` request on a raw socket and resolves once the whole answer is in (the socket stays open). */
function h2cRequest(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (d: string) => {
      data += d;
      const end = data.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(data)?.[1] ?? NaN);
      if (end !== -1 && data.length >= end + 4 + length) resolve(socket);
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nhi`);
  });
}

describe('signals', () => {
  it('SIGTERM ends in time with upgrade-request sockets and a live WebSocket open', async () => {
    const { cli, banner } = await startCli(['--port', '0', '--data-dir', tempDir(), '--token', 'up']);
    const open = await Promise.all([h2cRequest(banner.port, new URL(banner.binUrl).pathname), h2cRequest(banner.port, '/api/health')]);
    const live = await new Promise<Socket>((resolve, reject) => {
      const socket = connect(banner.port, '127.0.0.1');
      socket.on('error', reject);
      socket.once('data', (d) => (String(d).startsWith('HTTP/1.1 101 ') ? resolve(socket) : reject(new Error(String(d)))));
      socket.write('GET /api/ws?token=up HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    });
    try {
      expect(await stop(cli)).toEqual({ code: 0, signal: null });
      expect(cli.stdout()).toMatch(/stopped/);
    } finally {
      for (const socket of [...open, live]) socket.destroy();
    }
  });

  it.each<[NodeJS.Signals]>([['SIGTERM'], ['SIGINT']])('%s while idle stops cleanly with exit code 0', async (signal) => {
    const { cli } = await startCli(['--port', '0', '--data-dir', tempDir(), '--token', 't']);
    const exit = await stop(cli, signal);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toMatch(/stopped/);
    expect(cli.stderr()).toBe('');
  });

  it('SIGTERM right after captures: every capture answered 200 is there after a restart', async () => {
    const dataDir = tempDir();
    const { cli, banner } = await startCli(['--port', '0', '--data-dir', dataDir, '--token', 'persist']);
    const first = await fetch(banner.binUrl, { method: 'POST', body: 'first' });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const answered = new Map<string, string>([[first.headers.get('x-hookbin-capture-id')!, 'first']]);

    const pending = Array.from({ length: 40 }, async (_, i) => {
      const body = `capture ${i} ${'x'.repeat(i * 1000)}`;
      try {
        const res = await fetch(`${banner.binUrl}/n/${i}`, { method: 'POST', body });
        await res.arrayBuffer();
        if (res.status === 200) answered.set(res.headers.get('x-hookbin-capture-id')!, body);
      } catch {
        // refused or cut off by the shutdown: the sender knows it was not captured
      }
    });
    // Stop as soon as hookbin has answered some of the burst, with the rest still in flight.
    await new Promise((r) => setTimeout(r, 5));
    const exit = stop(cli);
    await Promise.all(pending);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toMatch(/stopped/);
    expect(answered.size).toBeGreaterThanOrEqual(1);

    const again = await startCli(['--port', '0', '--data-dir', dataDir, '--token', 'persist']);
    const missing: string[] = [];
    for (const [id, body] of answered) {
      const res = await fetch(`${again.banner.origin}/api/captures/${id}`, { headers: { authorization: 'Bearer persist' } });
      if (res.status !== 200) {
        missing.push(`${id} → ${res.status}`);
        continue;
      }
      const capture = (await res.json()) as { body: string };
      if (capture.body !== body) missing.push(`${id}: body differs`);
    }
    expect(missing).toEqual([]);
    expect(await stop(again.cli)).toEqual({ code: 0, signal: null });
  });
});
