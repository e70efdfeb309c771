/**
 * The inspector's layout in real Chromium, light and dark: at 1280×800 and
 * 420 px wide every view fits its width (nothing runs out of a pane or is
 * cut off, bar the names and paths a row shortens on purpose), the sentence
 * of what the bin answers is shown whole, and every time says its zone.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { GITHUB_SECRET, githubPush } from './fixtures.js';
import { DESKTOP, openInspector, sendHook, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/layout.test.ts: ${skip}`);

const NARROW = { width: 420, height: 800 } as const;

/** A bin that answers in a long sentence: failures first, a delay, Retry-After and a rule. */
const LONG_ANSWER = {
  respond: { failFirst: { count: 3, status: 503 }, delayMs: 1500, retryAfter: 30, rules: [{ match: { method: 'GET' }, respond: { status: 204 } }] },
  secrets: [{ name: 'github-hookshot-production', value: GITHUB_SECRET, scheme: 'github' }],
};

/**
 * What runs out of the visible panes: the page itself scrolling sideways,
 * any clipping or scrolling box in a pane wider inside than it is (bar boxes
 * that shorten a line with an ellipsis on purpose), and an input whose hint
 * does not fit it.
 */
function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) out.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}`;
    const ctx = document.createElement('canvas').getContext('2d')!;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.pane, .pane *'))) {
      if (el.getClientRects().length === 0) continue;
      const cs = getComputedStyle(el);
      if (cs.overflowX !== 'visible' && cs.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
        out.push(`${name(el)} is ${el.scrollWidth} px wide inside, ${el.clientWidth} px shown`);
      }
      if (el instanceof HTMLInputElement && el.placeholder) {
        ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        if (ctx.measureText(el.placeholder).width > room + 1) out.push(`${name(el)}: its hint "${el.placeholder}" is cut off`);
      }
    }
    return out;
  });
}

/** The "This bin: …" line shows its whole sentence: nothing clipped either way. */
async function answerLineWhole(page: Page): Promise<void> {
  const line = page.locator('[data-testid=answer-line] [data-testid=answer-status]');
  await line.waitFor();
  const box = await line.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth, sh: el.scrollHeight, ch: el.clientHeight, text: el.textContent }));
  expect(box.text).toMatch(/^This bin: Fails attempts 1–3 of each event with 503, then answers 200 · after 1\.5 s · Retry-After 30 on 429\/503 · 1 rule takes precedence$/);
  expect(box.sw, 'the line is cut short').toBeLessThanOrEqual(box.cw);
  expect(box.sh, 'the line is cut short').toBeLessThanOrEqual(box.ch);
}

describe.skipIf(skip !== null)('the inspector\'s layout', () => {
  const env = useBrowserAndServer();
  let captureId = '';

  const prepare = async () => {
    if (captureId) return;
    const s = env.server();
    await s.api('/api/bins', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'layout' }) });
    const res = await s.api('/api/bins/layout', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LONG_ANSWER) });
    expect(res.status).toBe(200);
    const hook = githubPush();
    captureId = (await sendHook(`${s.origin}/b/layout/github/deliveries/production/hookshot?source=hookshot&attempt=1`, { headers: hook.headers, body: hook.body })).captureId;
  };
  const at = async (ip: InspectorPage, hash: string, ready: string) => {
    await ip.page.evaluate((h) => (location.hash = h), hash);
    await ip.page.locator(ready).first().waitFor();
  };

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows the whole "This bin" sentence with three panes at 1280×800 (${colorScheme})`, async () => {
      await prepare();
      const ip = await openInspector(env.browser(), env.server(), { viewport: DESKTOP, colorScheme, url: `${env.server().inspectorUrl}#/layout/${captureId}` });
      try {
        await ip.page.locator(`[data-testid=capture-detail][data-capture-id="${captureId}"]`).waitFor();
        await answerLineWhole(ip.page);
        expect(await overflows(ip.page)).toEqual([]);
        expect(ip.errors).toEqual([]);
      } finally {
        await ip.context.close();
      }
    });

    it(`fits every view in 420 px (${colorScheme})`, async () => {
      await prepare();
      const ip = await openInspector(env.browser(), env.server(), { viewport: NARROW, colorScheme, url: `${env.server().inspectorUrl}#/layout` });
      try {
        const { page } = ip;
        await page.locator('[data-testid=capture-row]').first().waitFor();
        await answerLineWhole(page);
        expect(await overflows(page), 'captures').toEqual([]);
        for (const [hash, ready] of [
          [`#/layout/${captureId}`, `[data-testid=capture-detail][data-capture-id="${captureId}"]`],
          ['#/layout/!events', '[data-testid=bin-view][data-view=events]'],
          ['#/layout/!answers', '[data-testid=answers-view]'],
          ['#/layout/!secrets', '[data-testid=bin-view][data-view=secrets]'],
          ['#/layout/!send', '[data-testid=bin-view][data-view=send]'],
          ['#/a-bin-whose-id-is-as-long-as-hookbin-allows-0123456789-abcdefg', '[data-testid=missing-bin]'],
        ] as const) {
          await at(ip, hash, ready);
          await page.waitForTimeout(0);
          expect(await overflows(page), hash).toEqual([]);
        }
        await page.locator('[data-testid=back-to-bins]').click();
        await page.locator('[data-testid=bins-pane]').waitFor();
        expect(await overflows(page), 'bins').toEqual([]);
        expect(ip.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
      } finally {
        await ip.context.close();
      }
    });
  }

  it('says the time zone of every time: on the page once, on an exact time, and in full on hover', async () => {
    await prepare();
    const ip = await openInspector(env.browser(), env.server(), { timezoneId: 'Asia/Kolkata', url: `${env.server().inspectorUrl}#/layout/${captureId}` });
    try {
      const { page } = ip;
      const zone = page.locator('[data-testid=time-zone]');
      expect(await zone.textContent()).toBe('UTC+5:30');
      // Chromium may name the zone by its older spelling.
      const name = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
      expect(name).toMatch(/^Asia\/(Kolkata|Calcutta)$/);
      expect(await zone.getAttribute('title')).toContain(name);
      const received = (await (await env.server().api(`/api/captures/${captureId}`)).json()).receivedAt as string;
      const local = new Date(Date.parse(received) + 330 * 60_000).toISOString();
      const exact = page.locator('[data-testid=capture-detail] .meta > span').first();
      expect(await exact.textContent()).toBe(`${local.slice(0, 10)} ${local.slice(11, 23)} UTC+5:30`);
      expect(await exact.getAttribute('title')).toBe(`${local.slice(0, 23)}+05:30, ${name}`);
      const rowTime = page.locator(`[data-testid=capture-row][data-capture-id="${captureId}"] time`);
      expect(await rowTime.getAttribute('title')).toBe(`${local.slice(0, 23)}+05:30, ${name}`);
      // West of Greenwich, and on UTC itself.
      for (const [timezoneId, label] of [['America/Los_Angeles', /^UTC−[78]$/], ['UTC', /^UTC$/]] as const) {
        const other = await openInspector(env.browser(), env.server(), { timezoneId, url: `${env.server().inspectorUrl}#/layout` });
        expect(await other.page.locator('[data-testid=time-zone]').textContent()).toMatch(label);
        await other.context.close();
      }
      expect(ip.errors).toEqual([]);
    } finally {
      await ip.context.close();
    }
  });
});
