/**
 * The live list under stress, in Chromium against the real server: a
 * restart on the same data dir (the page reconnects by itself and fetches
 * what it missed), and 2,000 captures scrolled to the oldest through the
 * virtualized list and its paging.
 */
import { Agent, request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startServer, tempDir, waitFor, type TestServer } from '../support/helpers.js';
import { browserSkipReason, launchBrowser } from './browser.js';
import { assertWebBuilt, openInspector, renderedRowIds, sendHook } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/resilience.test.ts: ${skip}`);

/** Sends `count` small JSON posts (number 0 first, then four at a time) over keep-alive connections; resolves when all were answered 200. */
async function sendMany(binUrl: string, count: number, path: (i: number) => string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let next = 1;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${binUrl}${path(i)}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`capture ${i}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ n: i }));
    });
  // The first alone, so it is the oldest for sure; the rest four at a time, in any order.
  await one(0);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) await one(next++);
    }),
  );
  agent.destroy();
}

describe.skipIf(skip !== null)('live list resilience in Chromium', () => {
  let browser: Browser;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    assertWebBuilt();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    cleanupTempDirs();
  });

  it('resumes after a server restart on the same data dir, with the captures it missed while disconnected', async () => {
    const dataDir = tempDir();
    const first = await startServer({ dataDir });
    servers.push(first);
    // The page's reconnects are refused until the missed captures are stored: on a busy machine its backoff
    // could otherwise bring it back before they are, and the catch-up would have nothing to catch up on.
    // The route is in place before the page loads: the live feed keeps the WebSocket class it found at load,
    // so a route added later never saw its reconnects, which then reached the new server on their own
    // schedule (the flaky hub.size 1).
    let refuse = false;
    let refused = 0;
    const ip = await openInspector(browser, first, {
      beforeGoto: (p) =>
        p.routeWebSocket(/\/api\/ws/, (ws) => {
          if (!refuse) return ws.connectToServer();
          refused++;
          return ws.close();
        }),
    });
    const { page } = ip;
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const before = [];
    for (let i = 0; i < 2; i++) before.push((await sendHook(`${first.binUrl}/before/${i}`, { body: `{"i":${i}}` })).captureId);
    for (const id of before) await page.locator(`[data-capture-id="${id}"]`).waitFor();

    refuse = true;
    await first.close();
    const status = page.locator('[data-testid=connection-status]');
    await page.locator('[data-testid=connection-status][data-status=reconnecting]').waitFor({ timeout: 5000 });
    // The page tried again and the route turned it away: the route does see its sockets.
    await waitFor(() => refused > 0, 10_000, 'a reconnect refused by the route');
    const second = await startServer({ dataDir, port: first.port });
    servers.push(second);
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push((await sendHook(`${second.binUrl}/missed/${i}`, { body: `{"i":${i}}` })).captureId);
    // Nobody was listening, so these can only reach the page through its catch-up after reconnecting.
    expect(second.hub.size).toBe(0);
    refuse = false;

    await page.locator('[data-testid=connection-status][data-status=live]').waitFor({ timeout: 15_000 });
    for (const id of missed) await page.locator(`[data-capture-id="${id}"]`).waitFor({ timeout: 5000 });
    expect(await renderedRowIds(page)).toEqual([...missed].reverse().concat([...before].reverse()));
    expect(await page.locator('[data-testid=capture-count]').textContent()).toBe('5 captures');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await status.getAttribute('data-status')).toBe('live');

    // And it is subscribed again: the next one arrives live.
    await waitFor(() => second.hub.size > 0, 5000, 'the page on the new server');
    const after = await sendHook(`${second.binUrl}/after`, { body: '{}' });
    await page.locator(`[data-capture-id="${after.captureId}"]`).waitFor({ timeout: 5000 });
    expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await ip.context.close();
  });

  it('scrolls 2,000 captures to the oldest one, rendering only a window of rows', async () => {
    const server = await startServer();
    servers.push(server);
    const COUNT = 2000;
    await sendMany(server.binUrl, COUNT, (i) => `/n/${String(i).padStart(4, '0')}`);
    const ip = await openInspector(browser, server);
    const { page } = ip;
    const list = page.locator('[data-testid=capture-list]');
    await list.waitFor();
    expect(await page.locator('[data-testid=capture-count]').textContent()).toBe('2,000 captures');
    // The first page only: older ones load as the list scrolls.
    expect(Number(await list.getAttribute('data-count'))).toBeLessThan(COUNT);

    const oldest = page.locator('[data-testid=capture-row] .row-path', { hasText: '/n/0000' });
    const box = (await list.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const deadline = Date.now() + 20_000;
    while ((await oldest.count()) === 0) {
      if (Date.now() > deadline) throw new Error(`the oldest capture never rendered; the list holds ${await list.getAttribute('data-count')}`);
      await page.mouse.wheel(0, 20_000);
      await page.waitForTimeout(50);
    }
    expect(await list.getAttribute('data-count')).toBe(String(COUNT));
    // The oldest row is really on screen, at the bottom of the list.
    const rowBox = (await oldest.boundingBox())!;
    expect(rowBox.y).toBeGreaterThanOrEqual(box.y);
    expect(rowBox.y + rowBox.height).toBeLessThanOrEqual(box.y + box.height + 1);
    const ids = await renderedRowIds(page);
    expect(ids.length).toBeLessThan(100);
    expect(await page.locator('[data-testid=capture-row] .row-path').last().textContent()).toBe('/n/0000');
    // Keyboard from the bottom: k walks up from the selected oldest row.
    await oldest.click();
    await page.locator('body').press('k');
    expect(await page.locator('[data-testid=capture-row][aria-selected=true]').getAttribute('data-capture-id')).toBe(ids[ids.length - 2]);
    expect(ip.errors).toEqual([]);
    await ip.context.close();
  });
});
