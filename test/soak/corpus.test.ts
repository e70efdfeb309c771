/**
 * The hostile-input corpus (scripts/corpus.mjs) against the built server:
 * 300+ malformed, oversized, slow and malicious requests and WebSocket
 * frames and an anonymous sender's attacks (upgrades, glob bombs, header
 * counts, a relayed app's hostile replies), each answered with a clear 4xx, a
 * 2xx with the bytes kept exactly, or a clean close; the server keeps serving,
 * an earlier capture is intact, and after 1,000 hostile connections it holds
 * no more sockets than before.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORPUS = fileURLToPath(new URL('../../scripts/corpus.mjs', import.meta.url));

describe('hostile-input corpus', () => {
  it('handles every case cleanly and keeps serving', async () => {
    const { code, out, err } = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CORPUS, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (err += String(d)));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, out, err }));
    });
    // Nothing logged as unexpected: hostile input is expected input.
    expect(err).toBe('');
    const report = JSON.parse(out.trim().split('\n').pop()!) as {
      tried: number;
      clean: number;
      failures: string[];
      rssGrowthMb: number;
      socketsBefore: number | null;
      socketsAfter: number | null;
    };
    expect(report.failures).toEqual([]);
    // 1,000 hostile connections came and went: none of their sockets is still held.
    if (process.platform === 'linux') expect(report.socketsBefore).not.toBeNull();
    if (report.socketsBefore !== null) expect(report.socketsAfter).toBeLessThanOrEqual(report.socketsBefore);
    expect(report.tried).toBeGreaterThanOrEqual(300);
    expect(report.clean).toBe(report.tried);
    expect(code).toBe(0);
  }, 120_000);
});
