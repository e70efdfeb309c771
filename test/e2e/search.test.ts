/**
 * The search box in Chromium against the real server: a capture is found by
 * a string deep in its JSON body, and one by a string inside its gzip body;
 * a search that finds nothing says so; a capture arriving live during a
 * search joins the list only when it matches; clearing the box shows every
 * capture again.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { renderedRowIds, sendHook, useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/search.test.ts: ${skip}`);

describe.skipIf(skip !== null)('searching captures in Chromium', () => {
  const env = useBrowserFreshServers();

  it('finds a capture by a string deep in its body or in its gzip body, says when none matches, and clearing shows all', async () => {
    const server = await env.start();
    const json: [string, string][] = [['Content-Type', 'application/json']];
    const deep = await sendHook(server.binUrl, {
      headers: json,
      body: JSON.stringify({ type: 'invoice.paid', data: { object: { lines: { data: [{ customer: { id: 'cus_9f8a7b2c' } }] } } } }),
    });
    const zipped = await sendHook(`${server.binUrl}/zipped`, {
      headers: [...json, ['Content-Encoding', 'gzip']],
      body: gzipSync(JSON.stringify({ note: 'only-inside-the-gzip' })),
    });
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await sendHook(`${server.binUrl}/other/${i}`, { headers: json, body: `{"n":${i}}` }));
    const { page, errors } = await env.open(server);
    const list = page.locator('[data-testid=capture-list]');
    await list.locator('[data-testid=capture-row]').nth(4).waitFor();

    const box = page.locator('[data-testid=filter-input]');
    expect(await box.getAttribute('placeholder')).toBe('Search bodies, headers, path');
    await box.fill('cus_9f8a7');
    await page.locator('[data-testid=capture-list][data-count="1"]').waitFor();
    expect(await renderedRowIds(page)).toEqual([deep.captureId]);

    await box.fill('INSIDE-THE-GZIP');
    await page.locator(`[data-testid=capture-row][data-capture-id="${zipped.captureId}"]`).waitFor();
    expect(await renderedRowIds(page)).toEqual([zipped.captureId]);

    // Live during a search: a capture that matches joins; one that does not, never.
    const live = await sendHook(`${server.binUrl}/later`, { headers: json, body: '{"again":"only-inside-the-gzip? no: plain"}' });
    const unrelated = await sendHook(`${server.binUrl}/unrelated`, { headers: json, body: '{}' });
    await page.locator(`[data-testid=capture-row][data-capture-id="${live.captureId}"]`).waitFor();
    expect(await renderedRowIds(page)).toEqual([live.captureId, zipped.captureId]);

    await box.fill('no-capture-has-this');
    await page.locator('[data-testid=detail-placeholder]', { hasText: 'No capture holds “no-capture-has-this” in its body, headers, path or query.' }).waitFor();
    expect(await page.locator('[data-testid=capture-row]').count()).toBe(0);

    await box.fill('ab');
    await page.locator('[data-testid=search-hint]', { hasText: 'at least 3 characters' }).waitFor();

    await box.fill('');
    await page.locator('[data-testid=capture-list][data-count="7"]').waitFor();
    expect(await renderedRowIds(page)).toEqual([unrelated, live, ...[...others].reverse(), zipped, deep].map((r) => r.captureId));
    expect(await page.locator('[data-testid=search-hint]').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
