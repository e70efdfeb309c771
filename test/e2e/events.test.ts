/**
 * Failing answers and retry timelines in the inspector, in Chromium against
 * the real server: the quick toggles (one click each, the bin's answer shown
 * in words), deliveries from a real HTTP client answered accordingly, the
 * events view with its dots, gaps and the preset comparison, and the rule
 * editor.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../server/retries/timeline.js';
import type { Bin, EventPage, RespondSettings } from '../../server/common/types.js';
import type { TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { githubPush } from './fixtures.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

/** Live updates travel WebSocket → refetch → render; on a busy 2-core machine give them time. */
const LIVE = { timeout: 10_000, interval: 50 };

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/events.test.ts: ${skip}`);

/** `HOOKBIN_UPDATE_SCREENSHOT=1` refreshes the README's picture of the events view; otherwise it goes to test-results/. */
const SCREENSHOT = fileURLToPath(
  new URL(process.env.HOOKBIN_UPDATE_SCREENSHOT === '1' ? '../../docs/events.png' : '../../test-results/events.png', import.meta.url),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One delivery of an event, as a provider sends it: same id on every attempt. */
const delivery = (id: string, type = 'invoice.paid') => ({
  headers: [['Content-Type', 'application/json']] as [string, string][],
  body: JSON.stringify({ id, type, data: { object: { id: 'in_1' } } }),
});

/** A POST that gives up after `timeoutMs`: resolves 'timeout', or the status if one came. */
function postWithTimeout(url: string, timeoutMs: number): Promise<number | 'timeout'> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end('{}');
  });
}

describe.skipIf(skip !== null)('failing answers and retry timelines in Chromium', () => {
  const env = useBrowserFreshServers();
  let server: TestServer;

  const respondOf = async (binId: string) => ((await (await server.api(`/api/bins/${binId}`)).json()) as Bin).respond;
  const answerText = (page: Page) => page.locator('[data-testid=answer-box] [data-testid=answer-text]');
  const pressed = (page: Page, id: string) => page.locator(`[data-testid=${id}]`).getAttribute('aria-pressed');

  it('"fail first 2 with 500" in one click; three deliveries get 500, 500, 200 and show as dots with their gaps; a preset’s comparison', async () => {
    server = await env.start();
    const ip = await env.open(server);
    const { page, errors } = ip;
    const binId = server.defaultBinId;

    // An event delivered once, before the bin fails on purpose.
    expect((await sendHook(`${server.binUrl}/github`, githubPush())).status).toBe(200);
    // The captures view says what the bin answers, and leads to the toggles.
    expect(await page.locator('[data-testid=answer-line] [data-testid=answer-text]').textContent()).toBe('Answers 200');
    await page.locator('[data-testid=view-events]').click();
    await page.locator('[data-testid=event]').first().waitFor();
    expect(await pressed(page, 'toggle-ok')).toBe('true');
    await page.locator('[data-testid=fail-first-count]').fill('2');
    await page.locator('[data-testid=toggle-fail-first]').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Fails attempts 1–2 of each event with 500, then answers 200');
    expect(await pressed(page, 'toggle-fail-first')).toBe('true');
    expect(await pressed(page, 'toggle-ok')).toBe('false');
    expect((await respondOf(binId)).failFirst).toEqual({ count: 2, status: 500 });

    // A provider delivers one event three times, retrying after each 500.
    const statuses: number[] = [];
    for (const wait of [0, 700, 1600]) {
      await sleep(wait);
      statuses.push((await sendHook(`${server.binUrl}/webhooks`, delivery('evt_retry_1'))).status);
    }
    expect(statuses).toEqual([500, 500, 200]);

    // The view follows live: one event, three dots colored and labelled by the answer.
    const card = page.locator('[data-testid=event][data-key=evt_retry_1]');
    const dots = card.locator('[data-testid=event-dot]');
    await expect.poll(() => dots.count(), LIVE).toBe(3);
    expect(await dots.evaluateAll((els) => els.map((el) => [el.getAttribute('data-label'), el.getAttribute('data-cls'), el.textContent]))).toEqual([
      ['500', 'error', '500'],
      ['500', 'error', '500'],
      ['200', 'ok', '200'],
    ]);
    expect(await card.locator('[data-testid=event-type]').textContent()).toBe('invoice.paid');
    // Left to right, in time order, and drawn in different shapes, not only colors.
    const xs = await dots.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().x));
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
    const radii = await dots.evaluateAll((els) => els.map((el) => getComputedStyle(el.querySelector('.tl-dot-mark')!).borderRadius));
    expect(radii[0]).not.toBe(radii[2]);

    // The gaps, labelled with the real durations the server measured.
    const api = (await (await server.api(`/api/bins/${binId}/events`)).json()) as EventPage;
    const gaps = api.events[0]!.attempts.slice(1).map((a) => a.gapMs!);
    expect(gaps[0]).toBeGreaterThanOrEqual(650);
    expect(gaps[1]).toBeGreaterThanOrEqual(1550);
    expect(await card.locator('[data-testid=gap-label]').allTextContents()).toEqual(gaps.map(formatDuration));

    // Best match by default; then Slack's schedule (immediately, 1 min, 5 min): the first retry is on time, the second early.
    expect(await card.locator('[data-testid=comparison-summary]').textContent()).toContain('Best match: ');
    await page.locator('[data-testid=preset-picker]').selectOption('slack');
    await expect.poll(() => card.locator('[data-testid=comparison-preset]').getAttribute('data-preset'), LIVE).toBe('slack');
    expect(await card.locator('[data-testid=comparison-preset]').textContent()).toBe('Slack Events API');
    expect(await page.locator('[data-testid=preset-info]').textContent()).toContain('Slack Events API retries on');
    const slack = ((await (await server.api(`/api/bins/${binId}/events?preset=slack`)).json()) as EventPage).events[0]!.comparison!;
    expect(slack.attempts.map((a) => [a.expectedGapMs, a.withinTolerance])).toEqual([
      [null, null],
      [0, true],
      [60_000, false],
    ]);
    const rows = card.locator('[data-testid=comparison-row]');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-within')))).toEqual([null, 'true', 'false']);
    expect(await rows.locator('[data-testid=cmp-expected]').allTextContents()).toEqual(['—', '0 ms', '1 min']);
    expect(await rows.locator('[data-testid=cmp-observed]').allTextContents()).toEqual(['—', ...gaps.map(formatDuration)]);
    expect(await rows.locator('[data-testid=cmp-within]').allTextContents()).toEqual(['—', '✓ within ±2 s', '✗ outside ±12 s']);
    expect(await card.locator('[data-testid=gap-expected]').allTextContents()).toEqual(['exp. 0 ms ✓', 'exp. 1 min ✗']);
    expect(await card.locator('[data-testid=comparison-summary]').textContent()).toContain('1 of 2 gaps within tolerance');
    expect(await card.locator('[data-testid=event-flag]').count()).toBe(0);
    // The README's picture of the events view.
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, await page.screenshot({ type: 'png' }));

    // Sent at 60× speed (hookbin send --time-scale 60): Slack's 1 min becomes 1 s, and the comparison follows the server's.
    await page.locator('[data-testid=time-scale-picker]').selectOption('60');
    const slack60 = ((await (await server.api(`/api/bins/${binId}/events?preset=slack&timeScale=60`)).json()) as EventPage).events[0]!.comparison!;
    expect(slack60.attempts.map((a) => a.expectedGapMs)).toEqual([null, 0, 1000]);
    await expect.poll(() => rows.locator('[data-testid=cmp-expected]').allTextContents(), LIVE).toEqual(['—', '0 ms', '1 s']);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-within')))).toEqual(
      slack60.attempts.map((a) => (a.withinTolerance === null ? null : String(a.withinTolerance))),
    );
    expect(await page.locator('[data-testid=time-scale-info]').textContent()).toContain('divided by 60');
    await page.locator('[data-testid=time-scale-picker]').selectOption('1');
    await expect.poll(() => rows.locator('[data-testid=cmp-expected]').allTextContents(), LIVE).toEqual(['—', '0 ms', '1 min']);
    expect(await page.locator('[data-testid=time-scale-info]').count()).toBe(0);

    // GitHub never retries: the retries are flagged with the server's own sentence.
    await page.locator('[data-testid=preset-picker]').selectOption('github');
    await expect.poll(() => card.locator('[data-testid=comparison-preset]').getAttribute('data-preset'), LIVE).toBe('github');
    const github = ((await (await server.api(`/api/bins/${binId}/events?preset=github`)).json()) as EventPage).events[0]!.comparison!;
    expect(await card.locator('[data-testid=event-flag]').allTextContents()).toEqual(github.flags.map((f) => `!${f.message}`));
    expect(github.flags[0]!.message).toContain('does not retry');

    // The list and the detail say which attempt each capture was; a dot opens its capture.
    await dots.nth(1).click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${api.events[0]!.attempts[1]!.captureId}"]`);
    await detail.waitFor();
    expect(await detail.locator('[data-testid=capture-attempt]').textContent()).toBe('attempt 2');
    expect(await detail.locator('[data-testid=capture-event-key]').textContent()).toBe('evt_retry_1');
    expect(await detail.locator('[data-testid=response-reason]').textContent()).toBe('Answered 500 · because: failFirst 2/2');
    expect(await page.locator('[data-testid=row-attempt]').allTextContents()).toEqual(['attempt 3', 'attempt 2', 'attempt 1', 'attempt 1']);

    // "Answer 200" puts the bin back.
    await page.locator('[data-testid=answer-status]').click();
    await page.locator('[data-testid=toggle-ok]').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Answers 200');
    expect(await respondOf(binId)).toMatchObject({ status: 200, failFirst: null, fault: null });

    // On a phone-sized window the timeline scrolls inside its card; the page does not.
    await page.locator('[data-testid=view-events]').click();
    await page.setViewportSize({ width: 400, height: 800 });
    await card.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await card.isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows a hostile event key and type as text in the events view and the detail, with the CSP off', async () => {
    server = await env.start();
    const ip = await env.open(server, { bypassCSP: true });
    const { page, errors } = ip;
    const key = `<img src=x onerror="window.__pwned='event-key'">`;
    const type = `<script>window.__pwned='event-type'</script>`;
    const sent = await sendHook(server.binUrl, { headers: [['X-GitHub-Delivery', key], ['X-GitHub-Event', type]], body: '{}' });
    await page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`).click();
    expect(await page.locator('[data-testid=capture-event-key]').textContent()).toBe(key);
    await page.locator('[data-testid=view-events]').click();
    const card = page.locator('[data-testid=event]');
    await card.waitFor();
    expect(await card.locator('[data-testid=event-key]').textContent()).toBe(key);
    expect(await card.locator('[data-testid=event-type]').textContent()).toBe(type);
    await page.waitForTimeout(150);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null)).toBeNull();
    expect(await page.locator('img, iframe, svg, object, embed, script:not([src])').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reset, hang and delay in one click each, as a real client sees them; rules added, reordered, removed and saved', async () => {
    server = await env.start();
    const ip = await env.open(server);
    const { page, errors } = ip;
    const binId = server.defaultBinId;
    await page.locator('[data-testid=view-answers]').click();
    await page.locator('[data-testid=answers-view]').waitFor();

    await page.locator('[data-testid=toggle-reset]').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Resets the connection (no reply)');
    expect(await pressed(page, 'toggle-reset')).toBe('true');
    expect((await respondOf(binId)).fault).toBe('reset');
    await expect(sendHook(server.binUrl, { body: '{}' })).rejects.toThrow(/socket hang up|ECONNRESET/);

    await page.locator('[data-testid=toggle-hang]').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Never replies (hangs until the client gives up, at most 10 min, then resets)');
    expect(await pressed(page, 'toggle-hang')).toBe('true');
    expect(await pressed(page, 'toggle-reset')).toBe('false');
    expect(await postWithTimeout(server.binUrl, 600)).toBe('timeout');

    await page.locator('[data-testid=toggle-ok]').click();
    await page.locator('[data-testid=delay-ms]').fill('400');
    await page.locator('[data-testid=toggle-delay]').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Answers 200 · after 400 ms');
    expect(await pressed(page, 'toggle-delay')).toBe('true');
    expect(await page.locator('[data-testid=toggle-delay]').textContent()).toBe('No delay');
    const started = Date.now();
    expect((await sendHook(server.binUrl, { body: '{}' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    await page.locator('[data-testid=toggle-delay]').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Answers 200');
    expect((await respondOf(binId)).delayMs).toBe(0);

    // Rules: two added, an invalid one refused with a sentence, reordered, one removed.
    const rules = page.locator('[data-testid=rule]');
    await page.locator('[data-testid=rule-add]').click();
    await page.locator('[data-testid=rule-add]').click();
    await rules.nth(0).locator('[data-testid=rule-method]').selectOption('POST');
    await rules.nth(0).locator('[data-testid=rule-path]').fill('/health/**');
    await rules.nth(0).locator('[data-testid=rule-status]').fill('99');
    await rules.nth(1).locator('[data-testid=rule-header-name]').fill('X-Test');
    await rules.nth(1).locator('[data-testid=rule-header-value]').fill('fail*');
    await rules.nth(1).locator('[data-testid=rule-fault]').selectOption('reset');
    await page.locator('[data-testid=rules-save]').click();
    expect(await page.locator('[data-testid=rules-error]').textContent()).toBe('Rule 1: a status is 200–599.');
    expect((await respondOf(binId)).rules).toEqual([]);
    await rules.nth(0).locator('[data-testid=rule-status]').fill('503');
    await page.locator('[data-testid=rules-save]').click();
    const first: RespondSettings['rules'] = [
      { match: { method: 'POST', path: '/health/**' }, respond: { status: 503 } },
      { match: { header: { name: 'X-Test', value: 'fail*' } }, respond: { fault: 'reset' } },
    ];
    await expect.poll(async () => (await respondOf(binId)).rules, LIVE).toEqual(first);
    // The page settles once the save's answer is back, which may be after the API already has it.
    await expect.poll(() => page.locator('[data-testid=rules-save]').isDisabled()).toBe(true);
    await expect.poll(() => answerText(page).textContent()).toBe('Answers 200 · 2 rules take precedence');
    const ruled = await sendHook(`${server.binUrl}/health/db`, { body: '{}' });
    expect(ruled.status).toBe(503);
    await expect(sendHook(`${server.binUrl}/health/db`, { headers: [['X-Test', 'fail-now']], body: '{}' })).resolves.toMatchObject({ status: 503 });

    // The header rule first: now it wins for a request both match.
    await rules.nth(1).locator('[data-testid=rule-up]').click();
    expect(await rules.nth(0).locator('[data-testid=rule-header-name]').inputValue()).toBe('X-Test');
    await page.locator('[data-testid=rules-save]').click();
    await expect.poll(async () => (await respondOf(binId)).rules, LIVE).toEqual([first[1], first[0]]);
    await expect(sendHook(`${server.binUrl}/health/db`, { headers: [['X-Test', 'fail-now']], body: '{}' })).rejects.toThrow(/socket hang up|ECONNRESET/);

    await rules.nth(0).locator('[data-testid=rule-remove]').click();
    await page.locator('[data-testid=rules-save]').click();
    await expect.poll(async () => (await respondOf(binId)).rules, LIVE).toEqual([first[0]]);
    expect(await rules.count()).toBe(1);
    // The capture says which rule decided its answer.
    await page.locator('[data-testid=view-captures]').click();
    await page.locator(`[data-testid=capture-row][data-capture-id="${ruled.captureId}"]`).click();
    expect(await page.locator('[data-testid=response-reason]').textContent()).toBe('Answered 503 · because: rule 1');
    expect(errors).toEqual([]);
  });
});
