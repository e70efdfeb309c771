/**
 * Deeply nested and huge JSON bodies: the inspector opens each capture,
 * stays responsive (the page answers script at once after rendering), and
 * throws nothing; what it cannot draw as a tree it shows as text.
 */
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/huge-json.test.ts: ${skip}`);

/** Name, body, and text the detail must show (whitespace aside), as a tree or as text. */
const BODIES: [string, string, string][] = [
  ['100,000 nested arrays', '['.repeat(100_000) + ']'.repeat(100_000), '[[[[[[[[[['],
  ['20,000 nested objects', '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000), '{"a":{"a":{"a":'],
  ['100,000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, i]))), '"key0":0,'],
  ['a 5 MB string', JSON.stringify({ id: 'evt_long', s: 'x'.repeat(5_000_000) }), '"id":"evt_long"'],
];

describe.skipIf(skip !== null)('huge and deep JSON in the inspector', () => {
  const env = useBrowserAndServer();

  for (const [name, body, shows] of BODIES) {
    it(`opens ${name} and stays responsive`, async () => {
      const server = env.server();
      const ip = await openInspector(env.browser(), server);
      try {
        const reply = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json']], body });
        expect(reply.status).toBe(200);
        const row = ip.page.locator(`[data-testid=capture-row][data-capture-id="${reply.captureId}"]`);
        await row.waitFor({ timeout: 10_000 });
        await row.click();
        const detail = ip.page.locator(`[data-testid=capture-detail][data-capture-id="${reply.captureId}"]`);
        await detail.waitFor({ timeout: 15_000 });
        // Responsive: a round trip into the page's main thread comes back quickly.
        const started = Date.now();
        expect(await ip.page.evaluate(() => 1 + 1)).toBe(2);
        expect(Date.now() - started).toBeLessThan(2000);
        await expect.poll(async () => ((await detail.textContent()) ?? '').replace(/\s+/g, ''), { timeout: 10_000 }).toContain(shows);
        expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
      } finally {
        await ip.context.close();
      }
    }, 60_000);
  }
});
