/**
 * Comparing two captures in Chromium against the real server: a GitHub
 * retry diffed against its first attempt (verdicts, header pairs, JSON paths
 * and lines marked), a gzip body compared decoded, "same JSON, different
 * bytes", and captured markup shown as text.
 */
import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../../server/common/types.js';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer } from './inspector.js';

const LIVE = { timeout: 10_000, interval: 50 };

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/diff.test.ts: ${skip}`);

const SECRET = 'gh-diff-secret';

/** A GitHub delivery of `body`, signed with `secret`, as delivery `id`. */
function github(id: string, body: string, secret: string, extra: HeaderPair[] = []): { headers: HeaderPair[]; body: string } {
  return {
    body,
    headers: [
      ['Content-Type', 'application/json'],
      ['X-GitHub-Event', 'issues'],
      ['X-GitHub-Delivery', id],
      ['X-Hub-Signature-256', `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`],
      ...extra,
    ],
  };
}

/** The rows of a table in the diff, as `change name` (headers) or `change` (lines). */
const changes = (page: Page, selector: string) => page.locator(selector).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-change')));

describe.skipIf(skip !== null)('diffing captures in the inspector', () => {
  const env = useBrowserAndServer();

  it('diffs a retry with its first attempt: verdicts, header pairs, JSON paths and lines marked; Esc closes', async () => {
    const server = env.server();
    const res = await server.api(`/api/bins/${server.defaultBinId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secrets: [{ name: 'gh', value: SECRET, scheme: 'github' }] }),
    });
    expect(res.status).toBe(200);
    const first = github('d-100', JSON.stringify({ action: 'opened', data: { attempt: 1, note: '<b>bold</b>' }, id: 'evt_1' }, null, 2), SECRET);
    // The retry: another body (and a stale signature over it), one more header.
    const retry = github('d-100', JSON.stringify({ action: 'opened', data: { attempt: 2, note: '<b>bold</b>', extra: true }, id: 'evt_1' }, null, 2), 'old-secret', [['X-Retry-Count', '1']]);
    const a = await sendHook(server.binUrl, first);
    const b = await sendHook(server.binUrl, retry);

    const { page, errors, context } = await openInspector(env.browser(), server);
    const row = page.locator(`[data-testid=capture-row][data-capture-id="${b.captureId}"]`);
    await row.waitFor(LIVE);
    await row.click();
    expect(await page.locator('[data-testid=capture-attempt]').textContent()).toBe('attempt 2');
    await page.locator('[data-testid=diff-first]').click();

    const view = page.locator('[data-testid=diff-view]');
    await view.waitFor(LIVE);
    // Attempt 1 on the left, the retry on the right.
    expect(await view.getAttribute('data-a')).toBe(a.captureId);
    expect(await view.getAttribute('data-b')).toBe(b.captureId);

    const heads = page.locator('[data-testid=diff-headers] tr');
    const sig = heads.filter({ has: page.locator('th', { hasText: /^Signature$/ }) });
    expect(await sig.getAttribute('data-change')).toBe('changed');
    expect(await sig.locator('td').allTextContents()).toEqual(['', 'github valid', 'github invalid']);
    const header = (name: string) => heads.filter({ has: page.locator('th', { hasText: new RegExp(`^${name}$`, 'i') }) });
    expect(await header('x-github-delivery').getAttribute('data-change')).toBe('same');
    expect(await header('x-hub-signature-256').getAttribute('data-change')).toBe('changed');
    expect(await header('x-retry-count').getAttribute('data-change')).toBe('added');
    expect(await header('x-retry-count').locator('td').allTextContents()).toEqual(['', '', '1']);
    // The marker is there beside the colour.
    expect(await header('x-retry-count').locator('.diff-mark').evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"+ "');

    const verdict = page.locator('[data-testid=diff-body-verdict]');
    expect(await verdict.getAttribute('data-verdict')).toBe('different');
    expect(await verdict.textContent()).toBe('Changed: 2 JSON paths, 3 lines.');
    expect(await page.locator('[data-testid=diff-json] li').allTextContents()).toEqual(['$.data.attempt: 1 → 2', '$.data.extra: true']);
    expect(await changes(page, '[data-testid=diff-json] li')).toEqual(['changed', 'added']);
    const lineChanges = await changes(page, '[data-testid=diff-lines] tr');
    expect(lineChanges).toContain('changed');
    expect(lineChanges).toContain('added');
    const changed = page.locator('[data-testid=diff-lines] tr[data-change=changed]').first();
    expect(await changed.textContent()).toContain('"attempt": 1,');
    expect(await changed.locator('mark').allTextContents()).toEqual(['1', '2']);
    // Captured markup is text: no <b> was made of it.
    expect(await page.locator('[data-testid=diff-view] b').count()).toBe(0);
    expect(await page.locator('[data-testid=diff-lines]').textContent()).toContain('<b>bold</b>');

    // Keyboard: Esc goes back to the capture.
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=capture-detail]').waitFor();
    expect(await view.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says what each attempt was answered; Close gives the focus back; deleting the compared capture ends the comparison and says so', async () => {
    const server = env.server();
    const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await server.api('/api/bins', json({ id: 'answered' }))).status).toBe(201);
    expect((await server.api('/api/bins/answered', { ...json({ respond: { failFirst: { count: 1, status: 503 } } }), method: 'PATCH' })).status).toBe(200);
    const url = `${server.origin}/b/answered`;
    const a = await sendHook(url, github('d-200', '{"n":1}', SECRET));
    const b = await sendHook(url, github('d-200', '{"n":2}', SECRET));
    expect([a.status, b.status]).toEqual([503, 200]);

    const { page, errors, context } = await openInspector(env.browser(), server, { url: `${server.inspectorUrl}#/answered/${b.captureId}` });
    await page.locator('[data-testid=diff-first]').click();
    const view = page.locator('[data-testid=diff-view]');
    await view.waitFor(LIVE);
    const row = (name: string) => page.locator('[data-testid=diff-headers] tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });
    // The answer is what made the provider retry: it is part of the comparison.
    expect(await row('Answered').getAttribute('data-change')).toBe('changed');
    expect(await row('Answered').locator('td').allTextContents()).toEqual(['', '503', '200']);
    expect(await row('Received').locator('td').count()).toBe(3);

    // Closing puts the focus back on the button that opened it, so the keyboard goes on from there.
    await page.locator('[data-testid=diff-close]').click();
    await page.locator('[data-testid=capture-detail]').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null), LIVE).toBe('diff-first');
    await page.keyboard.press('Enter');
    await view.waitFor(LIVE);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null), LIVE).toBe('diff-close');

    // The capture compared with is deleted elsewhere: no comparison with a capture that is gone.
    expect((await server.api(`/api/captures/${a.captureId}`, { method: 'DELETE' })).status).toBe(204);
    await page.locator('[data-testid=capture-detail]').waitFor(LIVE);
    expect(await view.count()).toBe(0);
    await page.locator('[data-testid=error-toast]', { hasText: 'The capture it was compared with was deleted.' }).waitFor(LIVE);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('"Compare with…" says when no other capture is in the list, and Escape closes its picker', async () => {
    const server = env.server();
    expect((await server.api('/api/bins', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"lone"}' })).status).toBe(201);
    const only = await sendHook(`${server.origin}/b/lone`, { body: 'x' });
    const { page, errors, context } = await openInspector(env.browser(), server, { url: `${server.inspectorUrl}#/lone/${only.captureId}` });
    await page.locator('[data-testid=compare-with]').click();
    await page.locator('[data-testid=compare-none]', { hasText: 'No other capture is in the list to compare with.' }).waitFor(LIVE);
    expect(await page.locator('[data-testid=compare-select]').count()).toBe(0);

    const two = await sendHook(`${server.origin}/b/lone`, { body: 'y' });
    await page.locator(`[data-testid=capture-row][data-capture-id="${two.captureId}"]`).waitFor(LIVE);
    // Twice: closes the empty note, opens the picker again, now with a choice.
    await page.locator('[data-testid=compare-with]').click();
    await page.locator('[data-testid=compare-with]').click();
    const select = page.locator('[data-testid=compare-select]');
    await select.waitFor(LIVE);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null), LIVE).toBe('compare-select');
    await page.keyboard.press('Escape');
    await expect.poll(() => select.count(), LIVE).toBe(0);
    // The focus goes back in the next frame (App.tsx), not in the render that closes the picker.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null), LIVE).toBe('compare-with');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('compares any two captures picked with the keyboard: a gzip body decoded, and the same JSON in other bytes', async () => {
    const server = env.server();
    const doc = { id: 'evt_9', items: [1, 2], nested: { z: true, a: 'x' } };
    const compact = JSON.stringify(doc);
    const reordered = JSON.stringify({ nested: { a: 'x', z: true }, items: [1, 2.0], id: 'evt_9' }, null, 4);
    const one = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json'], ['Content-Encoding', 'gzip']], body: gzipSync(compact) });
    const two = await sendHook(`${server.binUrl}/other`, { headers: [['Content-Type', 'application/json']], body: reordered });

    const { page, errors, context } = await openInspector(env.browser(), server);
    const row = page.locator(`[data-testid=capture-row][data-capture-id="${two.captureId}"]`);
    await row.waitFor(LIVE);
    await row.click();
    await page.locator('[data-testid=compare-with]').focus();
    await page.keyboard.press('Enter');
    const select = page.locator('[data-testid=compare-select]');
    await select.waitFor();
    await select.selectOption(one.captureId);
    await page.locator('[data-testid=compare-go]').focus();
    await page.keyboard.press('Enter');

    const view = page.locator('[data-testid=diff-view]');
    await view.waitFor(LIVE);
    expect(await view.getAttribute('data-a')).toBe(one.captureId);
    const verdict = page.locator('[data-testid=diff-body-verdict]');
    expect(await verdict.getAttribute('data-verdict')).toBe('same-json');
    expect(await verdict.textContent()).toBe('Same JSON, different bytes (formatting or key order).');
    expect(await page.locator('[data-testid=diff-json]').count()).toBe(0);
    // The decoded body was compared, not the gzip bytes: its one line is on the left.
    expect(await page.locator('[data-testid=diff-lines] td:nth-child(2)').first().textContent()).toBe(compact);
    const encoding = page.locator('[data-testid=diff-headers] tr').filter({ has: page.locator('th', { hasText: /^content-encoding$/i }) });
    expect(await encoding.getAttribute('data-change')).toBe('removed');
    await page.locator('[data-testid=diff-close]').click();
    await page.locator('[data-testid=capture-detail]').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('bounds a large body: compares its first 256 KiB and 10,000 lines, folds what is unchanged, and says so', async () => {
    const server = env.server();
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${String(i).padStart(5, '0')}`);
    const changed = [...lines];
    changed[5] = 'line five, changed';
    const one = await sendHook(`${server.binUrl}/big`, { headers: [['Content-Type', 'text/plain']], body: lines.join('\n') });
    const two = await sendHook(`${server.binUrl}/big`, { headers: [['Content-Type', 'text/plain']], body: changed.join('\n') });

    const { page, errors, context } = await openInspector(env.browser(), server);
    const row = page.locator(`[data-testid=capture-row][data-capture-id="${two.captureId}"]`);
    await row.waitFor(LIVE);
    await row.click();
    await page.locator('[data-testid=compare-with]').click();
    await page.locator('[data-testid=compare-select]').selectOption(one.captureId);
    await page.locator('[data-testid=compare-go]').click();
    const verdict = page.locator('[data-testid=diff-body-verdict]');
    await verdict.waitFor(LIVE);
    expect(await verdict.textContent()).toBe('Changed: 1 line. Compared the first 256 KiB and 10000 lines of each.');
    // One changed line in context; the rest of the 10,000 folded, not in the page.
    const same = (n: number) => Array<string>(n).fill('same');
    expect(await changes(page, '[data-testid=diff-lines] tr')).toEqual([...same(5), 'changed', ...same(3), 'fold', ...same(3)]);
    expect(await page.locator('[data-testid=diff-lines] tr[data-change=fold]').textContent()).toBe('… 9,988 unchanged lines');
    expect(errors).toEqual([]);
    await context.close();
  });
});
