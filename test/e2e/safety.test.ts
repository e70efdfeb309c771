/**
 * Captured content is hostile. Markup in headers, path, query, JSON, form
 * fields and bodies must reach the screen as text and never run. The page's
 * CSP would stop inline script anyway, so these tests turn it off
 * (`bypassCSP`): what is checked is that the inspector never parses captured
 * content as HTML at all.
 */
import type { Browser } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { rawExchange, type TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/safety.test.ts: ${skip}`);

/** Each payload sets `window.__pwned` to say where it ran. */
const IMG = (where: string) => `<img src=x onerror="window.__pwned='${where}'">`;
const SCRIPT = (where: string) => `<script>window.__pwned='${where}'</script>`;
const IFRAME = (where: string) => `<iframe srcdoc="<script>parent.__pwned='${where}'</script>"></iframe>`;
const SVG = (where: string) => `<svg onload="window.__pwned='${where}'"></svg>`;

/** What the page must never contain: elements captured markup would create, or a flag a payload set. */
async function assertNothingRan(ip: InspectorPage): Promise<void> {
  // Let any error handler (a broken image) fire first.
  await ip.page.waitForTimeout(150);
  const report = await ip.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
    elements: document.querySelectorAll('img, iframe, svg, object, embed, video, audio, form[action], a[href^="javascript"]').length,
    scripts: [...document.scripts].map((s) => s.getAttribute('src') ?? 'inline'),
  }));
  expect(report.pwned).toBeNull();
  expect(report.elements).toBe(0);
  expect(report.scripts.every((src) => src.startsWith('/assets/'))).toBe(true);
  expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
}

describe.skipIf(skip !== null)('hostile captures in Chromium', () => {
  const env = useBrowserAndServer();
  let browser: Browser;
  let server: TestServer;
  beforeEach(() => {
    browser = env.browser();
    server = env.server();
  });

  it('shows markup in headers, path, query and an HTML body as text, and runs nothing', async () => {
    const ip = await openInspector(browser, server, { bypassCSP: true });
    const { page } = ip;
    const body = `${SCRIPT('body-script')}${IMG('body-img')}${IFRAME('body-iframe')}${SVG('body-svg')}`;
    const sent = await sendHook(`${server.binUrl}/hook?q=${encodeURIComponent(IMG('query'))}`, {
      headers: [
        ['Content-Type', 'text/html; charset=utf-8'],
        ['X-Evil', IMG('header-img')],
        ['X-Script', SCRIPT('header-script')],
      ],
      body,
    });
    // A raw request line can carry `<` and `"` unencoded in the path: no client would "fix" it.
    const rawPath = `/x/<img/src=x/onerror=window.__pwned='path'>`;
    const raw = (await rawExchange(server.port, `GET /b/${server.defaultBinId}${rawPath} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`)).toString('latin1');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    const rawId = /x-hookbin-capture-id: (\S+)/i.exec(raw)![1];

    const row = page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`);
    await row.click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${sent.captureId}"]`);
    await detail.waitFor();

    const headerValue = (name: string) => detail.locator(`[data-testid=headers-table] tr[data-name="${name}"] td`).textContent();
    expect(await headerValue('x-evil')).toBe(IMG('header-img'));
    expect(await headerValue('x-script')).toBe(SCRIPT('header-script'));
    expect(await detail.locator('[data-testid=query-table] td').textContent()).toBe(IMG('query'));
    // An HTML body opens as text: the markup, character for character.
    expect(await detail.locator('[data-testid=tab-text]').getAttribute('aria-selected')).toBe('true');
    expect(await detail.locator('[data-testid=text-view]').textContent()).toBe(body);
    await detail.locator('[data-testid=show-curl]').click();
    expect(await detail.locator('[data-testid=curl-text]').textContent()).toContain(`-H 'X-Evil: <img src=x onerror="window.__pwned=`);
    await detail.locator('[data-testid=tab-hex]').click();
    await detail.locator('[data-testid=hex-view]').waitFor();
    await assertNothingRan(ip);

    const rawRow = page.locator(`[data-testid=capture-row][data-capture-id="${rawId}"]`);
    expect(await rawRow.locator('.row-path').textContent()).toBe(rawPath);
    await rawRow.click();
    expect(await page.locator(`[data-testid=capture-detail][data-capture-id="${rawId}"] [data-testid=request-line] .target`).textContent()).toBe(
      `/b/${server.defaultBinId}${rawPath}`,
    );
    await assertNothingRan(ip);
    await ip.context.close();
  });

  it('shows markup in JSON keys and values and in form fields as text, and runs nothing', async () => {
    const ip = await openInspector(browser, server, { bypassCSP: true });
    const { page } = ip;
    const json = JSON.stringify({ [IMG('json-key')]: SCRIPT('json-value'), nested: [IFRAME('json-array')] });
    const j = await sendHook(`${server.binUrl}/json`, { headers: [['Content-Type', 'application/json']], body: json });
    const form = `${encodeURIComponent(IMG('form-name'))}=${encodeURIComponent(SVG('form-value'))}`;
    const f = await sendHook(`${server.binUrl}/form`, { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: form });

    await page.locator(`[data-testid=capture-row][data-capture-id="${j.captureId}"]`).click();
    const tree = page.locator(`[data-testid=capture-detail][data-capture-id="${j.captureId}"] [data-testid=json-tree]`);
    await tree.waitFor();
    const treeText = (await tree.textContent()) ?? '';
    // JSON strings are shown as JSON literals: quoted, with their inner quotes escaped.
    expect(treeText).toContain(`${JSON.stringify(IMG('json-key'))}: ${JSON.stringify(SCRIPT('json-value'))}`);
    expect(treeText).toContain(JSON.stringify(IFRAME('json-array')));
    await assertNothingRan(ip);

    await page.locator(`[data-testid=capture-row][data-capture-id="${f.captureId}"]`).click();
    const table = page.locator(`[data-testid=capture-detail][data-capture-id="${f.captureId}"] [data-testid=form-table]`);
    await table.waitFor();
    expect(await table.locator('th').textContent()).toBe(IMG('form-name'));
    expect(await table.locator('td').textContent()).toBe(SVG('form-value'));
    await assertNothingRan(ip);
    await ip.context.close();
  });
});
