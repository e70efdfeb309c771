/**
 * The events view in Chromium against the real server, for what a new user
 * meets first: hookbin's own deliveries judged at the preset and pace they
 * were sent with (and the view saying so), single deliveries as compact rows
 * with a "Retried only" filter that outlives a reload, and the view readable
 * at 420 px wide, light and dark, without anything past the window's edge.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { OutboxDelivery } from '../../server/common/types.js';
import { waitFor, type TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { DESKTOP, sendHook, useBrowserFreshServers } from './inspector.js';

/** Live updates travel WebSocket → refetch → render; on a busy 2-core machine give them time. */
const LIVE = { timeout: 10_000, interval: 50 };

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/events-view.test.ts: ${skip}`);

async function api<T>(server: TestServer, path: string, init?: RequestInit): Promise<T> {
  const res = await server.api(path, { headers: { 'content-type': 'application/json' }, ...init });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The run: hookbin's sender on makeplans at 60× into the bin, which fails the first 2 attempts; resolves once delivered. */
async function makeplansRun(server: TestServer): Promise<OutboxDelivery> {
  await api(server, `/api/bins/${server.defaultBinId}`, { method: 'PATCH', body: JSON.stringify({ respond: { failFirst: { count: 2, status: 500 } } }) });
  const { id } = await api<{ id: string }>(server, '/api/send', {
    method: 'POST',
    body: JSON.stringify({ url: server.binUrl, template: 'makeplans', retry: { preset: 'makeplans', timeScale: 60 } }),
  });
  const d = await waitFor(
    async () => {
      const got = await api<OutboxDelivery>(server, `/api/outbox/${id}`);
      return got.state === 'pending' ? null : got;
    },
    15_000,
    'the makeplans run to finish',
  );
  expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  return d;
}

/** Every element of the events view that reaches past the window's left or right edge (a timeline scrolls in its own box, so only that box counts). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of document.querySelectorAll('[data-testid=events-view] *')) {
      if (el.closest('.tl-scroll') && !el.classList.contains('tl-scroll')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -0.5 || r.right > width + 0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} ${r.left.toFixed(1)}–${r.right.toFixed(1)} (${el.textContent?.slice(0, 40)})`);
    }
    return out;
  });
}

describe.skipIf(skip !== null)('the events view as a new user meets it', () => {
  const env = useBrowserFreshServers();

  it('judges hookbin’s own makeplans run at 60× by default and says so; a picked pace still wins', async () => {
    const server = await env.start();
    const d = await makeplansRun(server);
    const { page, errors } = await env.open(server);
    await page.locator('[data-testid=view-events]').click();
    const card = page.locator('[data-testid=event]:not([data-compact])');
    await card.waitFor();
    expect(await page.locator('[data-testid=time-scale-picker]').inputValue()).toBe('');
    const basis = card.locator('[data-testid=comparison-basis]');
    expect(await basis.getAttribute('data-basis')).toBe('outbox');
    expect(await basis.getAttribute('title')).toContain(d.id);
    expect(await card.locator('[data-testid=comparison-preset]').getAttribute('data-preset')).toBe('makeplans');
    expect(await card.locator('[data-testid=comparison-summary]').textContent()).toMatch(/^As sent by hookbin: Makeplans at 60× · 2 of 2 gaps within tolerance/);
    expect(await card.locator('[data-testid=cmp-expected]').allTextContents()).toEqual(['—', '1 s', '2 s']);

    // Real time, picked: the outbox's preset stays, the pace is the user's, and both gaps are far too short.
    await page.locator('[data-testid=time-scale-picker]').selectOption('1');
    await expect.poll(() => basis.getAttribute('data-basis'), LIVE).toBe('query');
    expect(await card.locator('[data-testid=comparison-summary]').textContent()).toMatch(/^As sent by hookbin: Makeplans at real time · 0 of 2 gaps within tolerance/);
    await page.locator('[data-testid=time-scale-picker]').selectOption('');
    await expect.poll(() => basis.getAttribute('data-basis'), LIVE).toBe('outbox');
    expect(errors).toEqual([]);
  });

  it('shows a single delivery as one compact row, and “Retried only” hides it, across a reload', async () => {
    const server = await env.start();
    await makeplansRun(server);
    // Answer 200 again, then a provider delivers another event once.
    await api(server, `/api/bins/${server.defaultBinId}`, { method: 'PATCH', body: JSON.stringify({ respond: null }) });
    const once = await sendHook(`${server.binUrl}/hooks`, { headers: [['Content-Type', 'application/json']], body: '{"id":"evt_once","type":"order.paid"}' });
    expect(once.status).toBe(200);

    const { page, errors } = await env.open(server);
    await page.locator('[data-testid=view-events]').click();
    const row = page.locator('[data-testid=event][data-key=evt_once]');
    await row.waitFor();
    expect(await row.getAttribute('data-compact')).toBe('true');
    expect(await row.locator('[data-testid=timeline], [data-testid=comparison-table]').count()).toBe(0);
    expect(await row.locator('[data-testid=event-type]').textContent()).toBe('order.paid');
    expect(await row.locator('[data-testid=event-dot]').getAttribute('data-label')).toBe('200');
    // A row is a line, a card with a timeline and a table much more.
    const rowHeight = (await row.boundingBox())!.height;
    const cardHeight = (await page.locator('[data-testid=event]:not([data-compact])').boundingBox())!.height;
    expect(rowHeight).toBeLessThan(60);
    expect(cardHeight).toBeGreaterThan(2 * rowHeight);

    const retriedKey = await page.locator('[data-testid=event]:not([data-compact])').getAttribute('data-key');
    const filter = page.locator('[data-testid=retried-only]');
    expect(await filter.isChecked()).toBe(false);
    await filter.check();
    // Loaded again (not the moment in between, when no event shows): the retried event alone.
    const keys = () => page.locator('[data-testid=event]').evaluateAll((els) => els.map((el) => el.getAttribute('data-key')));
    await expect.poll(keys, LIVE).toEqual([retriedKey]);

    // The filter is the view's: it is still on after a reload.
    await page.reload();
    await page.locator('[data-testid=view-events]').click();
    expect(await page.locator('[data-testid=retried-only]').isChecked()).toBe(true);
    await expect.poll(keys, LIVE).toEqual([retriedKey]);
    await page.locator('[data-testid=retried-only]').uncheck();
    await expect.poll(() => page.locator('[data-testid=event][data-key=evt_once]').count(), LIVE).toBe(1);
    expect(errors).toEqual([]);
  });

  it('names the provider on its captures, and judges a GitHub redelivery by GitHub’s policy, saying why', async () => {
    const server = await env.start();
    const github: [string, string][] = [
      ['Content-Type', 'application/json'],
      ['User-Agent', 'GitHub-Hookshot/044aadd'],
      ['X-GitHub-Event', 'push'],
      ['X-GitHub-Delivery', 'gh-e2e-1'],
    ];
    const first = await sendHook(server.binUrl, { headers: github, body: '{"ref":"refs/heads/main"}' });
    // The redelivery, by hand from GitHub's delivery log: the same delivery id.
    await sendHook(server.binUrl, { headers: github, body: '{"ref":"refs/heads/main"}' });

    const { page, errors } = await env.open(server);
    const row = page.locator(`[data-testid=capture-row][data-capture-id="${first.captureId}"]`);
    await row.waitFor();
    expect(await row.locator('[data-testid=row-provider]').textContent()).toBe('GitHub');
    await row.click();
    expect(await page.locator('[data-testid=capture-provider]').textContent()).toBe('sent by GitHub');

    await page.locator('[data-testid=view-events]').click();
    const card = page.locator('[data-testid=event][data-key=gh-e2e-1]:not([data-compact])');
    await card.waitFor();
    expect(await card.locator('[data-testid=comparison-basis]').getAttribute('data-basis')).toBe('provider');
    expect(await card.locator('[data-testid=comparison-preset]').getAttribute('data-preset')).toBe('github');
    expect(await card.locator('[data-testid=comparison-summary]').textContent()).toMatch(/^Provider's schedule: GitHub · /);
    expect(await card.locator('[data-testid=comparison-reason]').textContent()).toBe("GitHub's policy: no automatic retries; this was a redelivery.");
    expect(await card.locator('[data-testid=event-flag][data-flag=past-schedule]').textContent()).toContain('Attempt 2 is a redelivery');
    // Picking a preset still wins, and the reason says so.
    await page.locator('[data-testid=preset-picker]').selectOption('slack');
    await expect.poll(() => card.locator('[data-testid=comparison-reason]').textContent(), LIVE).toBe('Slack Events API, as asked for (?preset=slack).');
    expect(errors).toEqual([]);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`is readable at 420 px (${colorScheme}): the gap table stacks, every column kept, nothing past the window`, async () => {
      const server = await env.start();
      await makeplansRun(server);
      const { page, errors } = await env.open(server, { colorScheme, viewport: DESKTOP });
      await page.locator('[data-testid=view-events]').click();
      const card = page.locator('[data-testid=event]:not([data-compact])');
      await card.waitFor();
      await page.setViewportSize({ width: 420, height: 800 });
      await card.locator('[data-testid=comparison-table]').waitFor();

      expect(await overflowing(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      // Every column of every attempt is on screen, with its heading beside it.
      const cells = await card.locator('[data-testid=comparison-row] td').evaluateAll((tds) =>
        tds.map((td) => {
          const r = td.getBoundingClientRect();
          return { label: td.getAttribute('data-label'), before: getComputedStyle(td, '::before').content, visible: r.width > 0 && r.right <= window.innerWidth };
        }),
      );
      expect(cells).toHaveLength(3 * 7);
      expect(cells.every((c) => c.visible)).toBe(true);
      expect(cells.slice(0, 7).map((c) => c.before)).toEqual(['Attempt', 'Received', 'Answered', 'Gap', 'Expected', 'Difference', 'Tolerance'].map((h) => `"${h}"`));
      expect(await card.locator('[data-testid=cmp-within]').allTextContents()).toEqual(['—', expect.stringMatching(/^✓ within ±/), expect.stringMatching(/^✓ within ±/)]);
      // Dark means dark: the card's text is light on the page's dark background.
      const fg = await card.evaluate((el) => getComputedStyle(el).color);
      const lightness = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).map(Number).reduce((s, v) => s + v, 0) / 3;
      if (colorScheme === 'dark') expect(lightness(fg)).toBeGreaterThan(150);
      else expect(lightness(fg)).toBeLessThan(100);
      await page.screenshot({ path: `test-results/events-420-${colorScheme}.png`, fullPage: false });
      expect(errors).toEqual([]);
    });
  }
});
