/**
 * Retention under a flood: the total size cap (`--max-db-size`) prunes the
 * oldest captures of any bin, counts them, and keeps the database file from
 * growing past the cap; the per-bin cap holds at the same time.
 */
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bin, CapturePage } from '../../server/common/types.js';
import { cleanupTempDirs, startServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const MiB = 1024 * 1024;

describe('--max-db-size', () => {
  it('prunes the oldest captures of every bin to stay under the cap, and counts them', async () => {
    const server = await startServer({ maxDbSize: 8 * MiB, maxBody: 1 * MiB, maxCaptures: 25 });
    try {
      await server.api('/api/bins', { method: 'POST', body: '{"id":"flood-a"}' });
      await server.api('/api/bins', { method: 'POST', body: '{"id":"flood-b"}' });
      const sent: Record<string, string[]> = { 'flood-a': [], 'flood-b': [] };
      let peakFile = 0;
      for (let i = 0; i < 80; i++) {
        const bin = i % 2 === 0 ? 'flood-a' : 'flood-b';
        const body = Buffer.alloc(400 * 1024, i);
        const res = await fetch(`${server.origin}/b/${bin}`, { method: 'POST', body });
        expect(res.status).toBe(200);
        sent[bin]!.push(res.headers.get('x-hookbin-capture-id')!);
        peakFile = Math.max(peakFile, statSync(server.dbFile!).size);
      }
      // 80 × 400 KiB = 31 MiB went in; the file stayed near the cap (freed pages are reused).
      expect(peakFile).toBeLessThanOrEqual(8 * MiB * 1.15);
      const bins = ((await (await server.api('/api/bins')).json()) as { bins: Bin[] }).bins;
      let kept = 0;
      for (const id of ['flood-a', 'flood-b']) {
        const bin = bins.find((b) => b.id === id)!;
        const page = (await (await server.api(`/api/bins/${id}/captures?limit=100`)).json()) as CapturePage;
        const ids = page.captures.map((c) => c.id);
        // The newest survive, in order; everything else was pruned and counted.
        expect(ids).toEqual(sent[id]!.slice(-ids.length).reverse());
        expect(bin.captureCount).toBe(ids.length);
        expect(bin.prunedCount).toBe(40 - ids.length);
        expect(ids.length).toBeLessThanOrEqual(25);
        kept += ids.length;
      }
      expect(kept * 400 * 1024).toBeLessThanOrEqual(8 * MiB);
      expect(kept).toBeGreaterThan(10);
    } finally {
      await server.close();
    }
  });
});
