/**
 * No loss under load: many concurrent senders and live inspectors against
 * the real server. Every request answered 2xx is stored, and every inspector
 * hears of every capture exactly once. (Speed is the benchmark's business.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Bin } from '../../server/common/types.js';
import { cleanupTempDirs, connectLive, startServer, waitFor } from '../support/helpers.js';

afterAll(cleanupTempDirs);

describe('load', () => {
  it('stores every capture answered 2xx from 48 concurrent senders, with 5 inspectors attached', async () => {
    const server = await startServer();
    try {
      const inspectors = await Promise.all(Array.from({ length: 5 }, () => connectLive(server)));
      for (const live of inspectors) live.ws.send(JSON.stringify({ type: 'subscribe', bins: [server.defaultBinId] }));
      await waitFor(() => inspectors.every((l) => l.of('subscribed').length === 1), 5000, 'subscriptions');

      const answered = new Set<string>();
      let failed = 0;
      await Promise.all(
        Array.from({ length: 48 }, async (_, sender) => {
          for (let i = 0; i < 20; i++) {
            const res = await fetch(`${server.binUrl}/load/${sender}`, { method: 'POST', body: JSON.stringify({ sender, i, pad: 'x'.repeat(900) }) });
            await res.arrayBuffer();
            if (res.status === 200) answered.add(res.headers.get('x-hookbin-capture-id')!);
            else failed++;
          }
        }),
      );
      expect(failed).toBe(0);
      expect(answered.size).toBe(960);

      const bin = (await (await server.api(`/api/bins/${server.defaultBinId}`)).json()) as Bin;
      expect(bin.captureCount).toBe(960);
      const stored = new Set<string>();
      let before = '';
      for (;;) {
        const page = (await (await server.api(`/api/bins/${server.defaultBinId}/captures?limit=1000${before}`)).json()) as { captures: { id: string }[]; next: string | null };
        for (const c of page.captures) stored.add(c.id);
        if (page.next === null) break;
        before = `&before=${page.next}`;
      }
      expect([...answered].every((id) => stored.has(id))).toBe(true);

      await waitFor(() => inspectors.every((l) => l.of('capture.created').length >= 960), 10_000, 'live events');
      for (const live of inspectors) {
        const ids = live.of('capture.created').map((m) => m.capture.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.every((id) => answered.has(id))).toBe(true);
        live.ws.close();
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
