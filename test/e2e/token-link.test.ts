/**
 * A `/?token=` link cannot sign the inspector out. The page checks a link's
 * token with hookbin before storing it: a wrong one (a stale banner URL, or
 * any site navigating to `http://127.0.0.1:PORT/?token=x`) leaves the good
 * token in place and says the link's token was refused; a tab signed out
 * picks up the token another tab stores, without a reload.
 */
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/token-link.test.ts: ${skip}`);

const LIVE = '[data-testid=connection-status][data-status=live]';

describe.skipIf(skip !== null)('a link with a token in a real browser', () => {
  const env = useBrowserFreshServers();

  it('a link with a wrong token keeps the good one: the first tab keeps working, the new tab says the link was refused', async () => {
    const server = await env.start();
    const first = await env.open(server);
    const tab = await first.context.newPage();
    await tab.goto(`${server.origin}/?token=wrong-token`);
    await tab.locator('[data-testid=link-token-refused]').waitFor();
    // The token is out of the address, the stored one is the good one, and this tab works with it.
    expect(new URL(tab.url()).searchParams.has('token')).toBe(false);
    expect(await tab.evaluate(() => localStorage.getItem('hookbin.token'))).toBe(server.token);
    await tab.locator(LIVE).waitFor();
    expect(await tab.locator('[data-testid=auth-required]').count()).toBe(0);
    // The first tab is still signed in: a capture arrives live, and a reload still works.
    const hook = await sendHook(`${server.binUrl}/after`, { method: 'POST', body: 'x' });
    await first.page.locator(`[data-testid=capture-row][data-capture-id="${hook.captureId}"]`).waitFor();
    await first.page.reload();
    await first.page.locator(LIVE).waitFor();
    expect(await first.page.locator('[data-testid=auth-required]').count()).toBe(0);
    // The right link in the new tab: accepted, no note.
    await tab.goto(server.inspectorUrl);
    await tab.locator(LIVE).waitFor();
    expect(await tab.locator('[data-testid=link-token-refused]').count()).toBe(0);
    expect(first.errors.filter((e) => !/401/.test(e))).toEqual([]);
  }, 60_000);

  it('without a token: "no token yet" and "the link was refused" are told apart, and a signed-out tab signs in when another tab opens the right link', async () => {
    const server = await env.start();
    const signedOut = await openInspector(env.browser(), server, { url: `${server.origin}/`, waitLive: false });
    try {
      const page = signedOut.page;
      await page.locator('[data-testid=auth-required][data-reason=no-token]').waitFor();
      expect(await page.locator('[data-testid=auth-reason]').textContent()).toMatch(/no hookbin token yet/);
      const tab = await signedOut.context.newPage();
      await tab.goto(`${server.origin}/?token=wrong-token`);
      await tab.locator('[data-testid=auth-required][data-reason=link-refused]').waitFor();
      expect(await tab.locator('[data-testid=auth-reason]').textContent()).toMatch(/refused the token in the link/);
      expect(await tab.evaluate(() => localStorage.getItem('hookbin.token'))).toBeNull();
      // The right link in the second tab signs it in, and the first tab too (the storage event), without a reload.
      await tab.goto(server.inspectorUrl);
      await tab.locator(LIVE).waitFor();
      await page.locator(LIVE).waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid=auth-required]').count()).toBe(0);
      await page.locator('[data-testid=bins-pane]').waitFor();
    } finally {
      await signedOut.context.close();
    }
  }, 60_000);
});
