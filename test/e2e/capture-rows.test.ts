/**
 * The capture list's rows in Chromium, as they arrive live: what hookbin
 * answered in words (a reset, a hang, a delay then a status, never a bare
 * dash), the event type the provider named, and which attempt of its event
 * each row is, so rows with the same path tell apart; at 1280 px and 420 px,
 * a hostile type shown as text.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectJson, waitFor, type TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { githubPush } from './fixtures.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/capture-rows.test.ts: ${skip}`);

/** What each row of the list says, top to bottom. */
function rowWords(page: Page) {
  return page.locator('[data-testid=capture-row]').evaluateAll((rows) =>
    rows.map((r) => ({
      answer: r.querySelector('[data-testid=row-answer]')?.textContent ?? null,
      type: r.querySelector('[data-testid=row-type]')?.textContent ?? null,
      attempt: r.querySelector('[data-testid=row-attempt]')?.textContent ?? null,
    })),
  );
}

describe.skipIf(skip !== null)('capture rows in Chromium', () => {
  const env = useBrowserFreshServers();

  async function answerWith(server: TestServer): Promise<void> {
    const respond = {
      rules: [
        { match: { path: '/reset' }, respond: { fault: 'reset' } },
        { match: { path: '/hang' }, respond: { fault: 'hang' } },
        { match: { path: '/slow' }, respond: { status: 500, delayMs: 2000 } },
      ],
    };
    await expectJson(server.api(`/api/bins/${server.defaultBinId}`, { method: 'PATCH', body: JSON.stringify({ respond }) }));
  }

  it('say the fault in words, the event type and the attempt, live, at 1280 px and at 420 px', async () => {
    const server = await env.start();
    await answerWith(server);
    const { page, errors } = await env.open(server);
    const rows = page.locator('[data-testid=capture-row]');

    // A GitHub push delivered twice (the same X-GitHub-Delivery), as a redelivery does.
    const push = githubPush();
    await sendHook(`${server.binUrl}/hooks`, { headers: push.headers, body: push.body });
    await sendHook(`${server.binUrl}/hooks`, { headers: push.headers, body: push.body });
    await expect(sendHook(`${server.binUrl}/reset`, { headers: [['Content-Type', 'application/json']], body: '{"type":"invoice.paid","id":"evt_1"}' })).rejects.toThrow();
    const giveUp = new AbortController();
    const hung = fetch(`${server.binUrl}/hang`, { method: 'POST', body: 'hang', signal: giveUp.signal }).catch(() => 'gave up');
    await waitFor(async () => (await rows.count()) === 4, 5000, 'the hang in the list');
    giveUp.abort();
    await hung;
    expect((await sendHook(`${server.binUrl}/slow`, { body: 'slow' })).status).toBe(500);
    await expect.poll(() => rows.count()).toBe(5);

    const expected = [
      { answer: 'delay 2 s then 500', type: null, attempt: 'attempt 1' },
      { answer: 'hang', type: null, attempt: 'attempt 1' },
      { answer: 'reset', type: 'invoice.paid', attempt: 'attempt 1' },
      { answer: '200', type: 'push', attempt: 'attempt 2' },
      { answer: '200', type: 'push', attempt: 'attempt 1' },
    ];
    expect(await rowWords(page)).toEqual(expected);
    expect(await rows.nth(2).locator('[data-testid=row-answer]').getAttribute('title')).toBe('hookbin reset the connection without a reply');
    expect(await rows.nth(3).locator('[data-testid=row-attempt]').getAttribute('title')).toMatch(/^retry 1 of event /);

    // After a reload the rows come from the list API and say the same.
    await page.reload();
    await expect.poll(() => rowWords(page)).toEqual(expected);

    // On a phone-sized window every word of the meta line stays in the row, and the page does not scroll sideways.
    await page.setViewportSize({ width: 420, height: 800 });
    for (let i = 0; i < expected.length; i++) {
      const row = (await rows.nth(i).boundingBox())!;
      for (const part of ['row-answer', 'row-attempt', 'row-type']) {
        const el = rows.nth(i).locator(`[data-testid=${part}]`);
        if ((await el.count()) === 0) continue;
        const box = (await el.boundingBox())!;
        expect(box.x + box.width, `${part} of row ${i}`).toBeLessThanOrEqual(row.x + row.width);
        expect(box.width, `${part} of row ${i}`).toBeGreaterThan(20);
      }
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows a long, hostile event type as text, cut to fit', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server, { bypassCSP: true });
    const type = `<img src=x onerror="document.title='pwned'">${'ü'.repeat(400)}`;
    await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json']], body: JSON.stringify({ type }) });
    const cell = page.locator('[data-testid=capture-row] [data-testid=row-type]');
    await cell.waitFor();
    // Cut by hookbin to 200 characters, and as text: no element made of it.
    expect(await cell.textContent()).toBe(type.slice(0, 200));
    expect(await page.locator('[data-testid=capture-list] img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    const [typeBox, rowBox] = [(await cell.boundingBox())!, (await page.locator('[data-testid=capture-row]').boundingBox())!];
    expect(typeBox.x + typeBox.width).toBeLessThanOrEqual(rowBox.x + rowBox.width);
    expect(errors).toEqual([]);
  });
});
