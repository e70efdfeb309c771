/**
 * The inspector's address in real Chromium: every bin, view and open capture
 * is an address that the address bar, Back/Forward, a reload and a pasted
 * link all honour; automatic moves (the first bin by default, the token
 * leaving the address) add no history entry; a link to a bin or capture that
 * is not there says so.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/address.test.ts: ${skip}`);

describe.skipIf(skip !== null)('the inspector\'s address', () => {
  const env = useBrowserAndServer();
  const opened: InspectorPage[] = [];
  afterEach(async () => {
    for (const ip of opened.splice(0)) await ip.context.close();
  });
  const open = async (opts?: Parameters<typeof openInspector>[2]) => {
    const ip = await openInspector(env.browser(), env.server(), opts);
    opened.push(ip);
    return ip;
  };
  const makeBin = async (id: string) => {
    const res = await env.server().api('/api/bins', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
    expect(res.status).toBe(201);
  };
  const hook = async (binId: string, path = '/hook') => (await sendHook(`${env.server().origin}/b/${binId}${path}`, { body: '{"n":1}', headers: [['Content-Type', 'application/json']] })).captureId;
  const shownBin = (page: Page, id: string) => page.locator(`[data-testid=bin-item][data-bin-id="${id}"][aria-current=true]`).waitFor();
  const shownCapture = (page: Page, id: string) => page.locator(`[data-testid=capture-detail][data-capture-id="${id}"]`).waitFor();
  const hashOf = (page: Page) => new URL(page.url()).hash;

  it('setting the hash to another bin opens it, and Back and Forward walk the bins opened since', async () => {
    await makeBin('addr-a');
    await makeBin('addr-b');
    const { page, errors } = await open();
    const first = env.server().defaultBinId;
    await shownBin(page, first);
    // The first bin, chosen by default, fills the address in without adding a step.
    expect(hashOf(page)).toBe(`#/${first}`);

    await page.evaluate(() => (location.hash = '#/addr-a'));
    await shownBin(page, 'addr-a');
    await page.locator('[data-testid=bin-item][data-bin-id="addr-b"]').click();
    await shownBin(page, 'addr-b');
    expect(hashOf(page)).toBe('#/addr-b');

    await page.goBack();
    await shownBin(page, 'addr-a');
    expect(hashOf(page)).toBe('#/addr-a');
    await page.goForward();
    await shownBin(page, 'addr-b');
    await page.goBack();
    await page.goBack();
    await shownBin(page, first);
    // One more Back leaves the inspector: the banner URL (with its token) was replaced, not kept.
    await page.goBack();
    expect(page.url()).toBe('about:blank');
    expect(errors).toEqual([]);
  });

  it('an open capture and a view are addresses: Back and Forward move between them, a reload and a pasted link open the same place', async () => {
    await makeBin('addr-c');
    const older = await hook('addr-c', '/older');
    const newer = await hook('addr-c', '/newer');
    const { page, context, errors } = await open({ url: `${env.server().inspectorUrl}#/addr-c` });
    await shownBin(page, 'addr-c');
    await page.locator(`[data-testid=capture-row][data-capture-id="${older}"]`).click();
    await shownCapture(page, older);
    expect(hashOf(page)).toBe(`#/addr-c/${older}`);
    // Keyboard steps replace the entry: Back goes to where the walk began, not through each capture.
    await page.keyboard.press('k');
    await shownCapture(page, newer);
    expect(hashOf(page)).toBe(`#/addr-c/${newer}`);
    await page.locator('[data-testid=view-events]').click();
    await page.locator('[data-testid=bin-view][data-view=events]').waitFor();
    expect(hashOf(page)).toBe('#/addr-c/!events');

    await page.reload();
    await page.locator('[data-testid=bin-view][data-view=events]').waitFor();
    await shownBin(page, 'addr-c');
    await page.goBack();
    await shownCapture(page, newer);
    await page.goBack();
    await page.locator('[data-testid=list-pane] [data-testid=capture-row]').first().waitFor();
    expect(hashOf(page)).toBe('#/addr-c');
    expect(await page.locator('[data-testid=capture-detail]').count()).toBe(0);
    await page.goForward();
    await shownCapture(page, newer);
    await page.reload();
    await shownCapture(page, newer);
    await shownBin(page, 'addr-c');

    // A link pasted in a fresh tab opens the same place; so does one that still carries the token.
    const tab = await context.newPage();
    await tab.goto(`${env.server().origin}/#/addr-c/${older}`);
    await shownCapture(tab, older);
    await tab.goto(`${env.server().inspectorUrl}#/addr-c/!answers`);
    await tab.locator('[data-testid=bin-view][data-view=answers]').waitFor();
    await shownBin(tab, 'addr-c');
    expect(new URL(tab.url()).search).toBe('');
    expect(hashOf(tab)).toBe('#/addr-c/!answers');
    expect(errors).toEqual([]);
  });

  it('a link to a bin that is not there says so, and opens it once it is made; one to a deleted capture says it is gone', async () => {
    const { page, errors } = await open({ url: `${env.server().inspectorUrl}#/addr-later` });
    const missing = page.locator('[data-testid=missing-bin][data-bin-id="addr-later"]');
    await missing.waitFor();
    expect(hashOf(page)).toBe('#/addr-later');
    await makeBin('addr-later');
    await shownBin(page, 'addr-later');
    const id = await hook('addr-later');
    await page.locator(`[data-testid=capture-row][data-capture-id="${id}"]`).waitFor();

    // The same page can make it itself.
    await page.evaluate(() => (location.hash = '#/addr-made-here'));
    await missing.waitFor({ state: 'detached' });
    await page.locator('[data-testid=missing-bin-create]').click();
    await shownBin(page, 'addr-made-here');
    await page.locator('[data-testid=empty-bin-hint]').waitFor();

    const del = await env.server().api(`/api/captures/${id}`, { method: 'DELETE' });
    expect(del.status).toBeLessThan(300);
    await page.evaluate((cap) => (location.hash = `#/addr-later/${cap}`), id);
    await page.locator('[data-testid=detail-placeholder]', { hasText: 'This capture is gone' }).waitFor();
    expect(hashOf(page)).toBe(`#/addr-later/${id}`);
    // Only the browser's own lines for the two 404s asked on purpose: no toast, nothing thrown.
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    expect(await page.locator('[data-testid=error-toast]').count()).toBe(0);
  });

  it('a link naming what no bin can be called says what an id may hold, cut short, and offers nothing the API would refuse', async () => {
    const { page, errors } = await open({ url: `${env.server().inspectorUrl}#/Hello%20World` });
    const missing = page.locator('[data-testid=missing-bin][data-valid=false]');
    await missing.waitFor();
    expect(await missing.locator('h3').textContent()).toBe('No bin can be called Hello World');
    expect(await missing.textContent()).toContain('a bin id is 1–64 of a-z, 0-9, _ and -');
    expect(await page.locator('[data-testid=missing-bin-create]').count()).toBe(0);

    // A hostile link's thousands of characters are not all laid out.
    await page.evaluate(() => (location.hash = `#/${'x'.repeat(5000)}`));
    await expect.poll(() => missing.locator('h3').textContent()).toBe(`No bin can be called ${'x'.repeat(80)}…`);
    expect(await page.locator('[data-testid=missing-bin-create]').count()).toBe(0);
    expect(await page.locator('[data-testid=error-toast]').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
