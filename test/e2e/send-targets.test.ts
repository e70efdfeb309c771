/**
 * The sender's defaults in Chromium against the real server: a bin's Send
 * view starts aimed at the bin itself, "Send to this bin" goes through
 * hookbin's own sender to its own bin URL (signed, verified, live in the
 * bin), and the targets used last are remembered per bin across a reload,
 * never one with a secret in it.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startTarget, type TestTarget } from '../support/target.js';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/send-targets.test.ts: ${skip}`);

const GITHUB_SECRET = 'gh-send-to-bin-secret';

describe.skipIf(skip !== null)('send targets in Chromium', () => {
  const ctx = useBrowserAndServer();
  const open: InspectorPage[] = [];
  const targets: TestTarget[] = [];
  afterEach(async () => {
    for (const ip of open.splice(0)) {
      expect(ip.errors).toEqual([]);
      await ip.context.close();
    }
    for (const t of targets.splice(0)) await t.close();
  });

  const inspector = async () => {
    const ip = await openInspector(ctx.browser(), ctx.server());
    open.push(ip);
    return ip;
  };
  /** A bin of its own for a test, made through the API; its URL as the inspector sees it. */
  const makeBin = async (id: string, secrets: unknown[] = []) => {
    const server = ctx.server();
    await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
    if (secrets.length > 0) await server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ secrets }) });
    return `${server.origin}/b/${id}`;
  };
  const selectBin = async (page: Page, id: string) => {
    await page.locator(`[data-testid=bin-item][data-bin-id="${id}"]`).click();
    await page.locator(`[data-testid=bin-item][data-bin-id="${id}"][aria-current=true]`).waitFor();
  };
  const openSend = async (page: Page) => {
    await page.locator('[data-testid=view-send]').first().click();
    await page.locator('[data-testid=composer]').waitFor();
  };
  const openCapture = async (page: Page, id: string) => {
    await page.locator('[data-testid=view-captures]').first().click();
    await page.locator(`[data-testid=capture-row][data-capture-id="${id}"]`).click();
    await page.locator(`[data-testid=capture-detail][data-capture-id="${id}"]`).waitFor();
  };
  const reload = async (page: Page) => {
    await page.reload();
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor();
  };

  it('the Send view starts aimed at the bin itself; "Send to this bin" sends a signed template through hookbin’s sender and the capture arrives live, its signature valid', async () => {
    const binUrl = await makeBin('to-self', [{ name: 'gh', value: GITHUB_SECRET, scheme: 'github' }]);
    const { page } = await inspector();
    await selectBin(page, 'to-self');
    await openSend(page);
    const url = page.locator('[data-testid=composer-url]');
    expect(await url.inputValue()).toBe(binUrl);
    expect(await page.locator('[data-testid=composer-to-bin]').textContent()).toContain('This bin’s own URL');

    // Even with another target typed, the button sends to the bin.
    await url.fill('http://localhost:3000/webhook');
    expect(await page.locator('[data-testid=composer-to-bin]').count()).toBe(0);
    await page.locator('[data-testid=composer-template] option[value=github]').waitFor({ state: 'attached' });
    await page.locator('[data-testid=composer-template]').selectOption('github');
    await expect.poll(() => page.locator('[data-testid=composer-body]').inputValue()).toContain('"ref"');
    await page.locator('[data-testid=composer-secret-name]').selectOption('gh');
    await page.locator('[data-testid=composer-send-to-bin]').click();

    const delivery = page.locator('[data-testid=delivery][data-last=true]');
    await expect.poll(() => delivery.getAttribute('data-state'), { timeout: 10_000 }).toBe('delivered');
    // The target typed stays: the next Send goes to the app, as it would have.
    expect(await url.inputValue()).toBe('http://localhost:3000/webhook');
    // Live, while the Send view is still open: the bin counts the capture.
    await expect.poll(() => page.locator('[data-testid=bin-item][data-bin-id="to-self"] [data-testid=bin-count]').textContent()).toBe('1');

    await page.locator('[data-testid=view-captures]').first().click();
    const row = page.locator('[data-testid=capture-row]');
    await expect.poll(() => row.count()).toBe(1);
    await row.first().click();
    await page.locator('[data-testid=signature][data-scheme=github][data-status=valid]').waitFor();
  });

  it('remembers per bin, across a reload: the composer’s last target and the last resend URL; another bin keeps its own; a URL with a token is not kept', async () => {
    const app = await startTarget(() => ({ status: 200, body: 'ok' }));
    targets.push(app);
    const urlA = await makeBin('keep-a');
    const urlB = await makeBin('keep-b');
    const capA = (await sendHook(urlA, { body: '{"a":1}' })).captureId;
    const capB = (await sendHook(urlB, { body: '{"b":1}' })).captureId;
    const { page } = await inspector();

    await selectBin(page, 'keep-a');
    await openCapture(page, capA);
    const resendUrl = page.locator('[data-testid=resend-url]');
    expect(await resendUrl.inputValue()).toBe('');
    // A URL the API would refuse is explained before anything is sent.
    await resendUrl.fill('localhost:3000/hook');
    await page.locator('[data-testid=resend]').click();
    expect(await page.locator('[data-testid=resend-error]').textContent()).toBe('The target must be an http:// or https:// URL.');
    await resendUrl.fill(`${app.origin}/resent`);
    await page.locator('[data-testid=resend]').click();
    await expect.poll(() => app.requests.length).toBe(1);

    await openSend(page);
    await page.locator('[data-testid=composer-url]').fill(`${app.origin}/composed`);
    await page.locator('[data-testid=composer-body]').fill('{"n":1}');
    await page.locator('[data-testid=composer-send]').click();
    await expect.poll(() => app.requests.length).toBe(2);
    // Sent with a token in its query: sent, but not kept in the browser's storage.
    await page.locator('[data-testid=composer-url]').fill(`${app.origin}/composed?token=s3cret-value`);
    await page.locator('[data-testid=composer-send]').click();
    await expect.poll(() => app.requests.length).toBe(3);

    await reload(page);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain('s3cret-value');
    await selectBin(page, 'keep-a');
    await openCapture(page, capA);
    expect(await resendUrl.inputValue()).toBe(`${app.origin}/resent`);
    await openSend(page);
    expect(await page.locator('[data-testid=composer-url]').inputValue()).toBe(`${app.origin}/composed`);

    await selectBin(page, 'keep-b');
    await expect.poll(() => page.locator('[data-testid=composer-url]').inputValue()).toBe(urlB);
    await openCapture(page, capB);
    expect(await resendUrl.inputValue()).toBe('');
  });
});
