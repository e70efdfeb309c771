/**
 * The Answers tab in Chromium against the real server: every `respond`
 * setting, the event key and the CORS switch set in the page, refused with a
 * sentence when wrong, and the bin then answering that way to a real HTTP
 * client (and, with CORS on, to a page on another origin).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Bin } from '../../server/common/types.js';
import type { TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

const LIVE = { timeout: 10_000, interval: 50 };

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/answers.test.ts: ${skip}`);

/** A page on another origin (another port), as a browser-based sender's would be. */
async function otherOrigin(): Promise<{ origin: string; close: () => Promise<void> }> {
  const srv: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>sender</title>');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(() => r())) };
}

/** What a page's fetch to the bin got: the status and the capture id it could read, or the error's name. */
function postFromPage(page: Page, url: string) {
  return page.evaluate(async (u) => {
    try {
      const res = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': 'abc' }, body: '{"id":"from-page"}' });
      return { status: res.status, captureId: res.headers.get('x-hookbin-capture-id'), body: await res.text() };
    } catch (err) {
      return { error: (err as Error).name };
    }
  }, url);
}

describe.skipIf(skip !== null)('the Answers tab in Chromium', () => {
  const env = useBrowserFreshServers();
  let server: TestServer;
  const binOf = async (id: string) => (await (await server.api(`/api/bins/${id}`)).json()) as Bin;
  const field = (page: Page, id: string) => page.locator(`[data-testid=answer-form] [data-testid=${id}]`);
  const answerText = (page: Page) => page.locator('[data-testid=answer-box] [data-testid=answer-text]');

  it('sets status, body, headers, failFirst with its status, Retry-After and the event key; the bin answers so over HTTP', async () => {
    server = await env.start();
    const { page, errors } = await env.open(server);
    const binId = server.defaultBinId;
    await page.locator('[data-testid=view-answers]').click();
    await page.locator('[data-testid=answer-form]').waitFor();
    expect(await field(page, 'answer-type-note').textContent()).toBe('Sent as application/json, inferred from the body; a Content-Type header of yours wins.');
    // The headers' example is not a hand-set CORS header: alone it lets no browser post JSON (its preflight is captured
    // and gets no Access-Control-Allow-Headers); the CORS switch below is what does.
    expect(await field(page, 'answer-headers').getAttribute('placeholder')).not.toMatch(/access-control/i);

    // A 204 carries no body (the server drops it), so the note promises no type.
    await field(page, 'answer-status-code').fill('204');
    expect(await field(page, 'answer-type-note').textContent()).toBe('A 204 answer carries no body, so no Content-Type.');
    await field(page, 'answer-status-code').fill('202');
    await field(page, 'answer-body').fill('accepted for later');
    expect(await field(page, 'answer-type-note').textContent()).toBe('Sent as text/plain; charset=utf-8, inferred from the body; a Content-Type header of yours wins.');
    await field(page, 'answer-headers').fill('X-Trace:   demo  \n');
    await field(page, 'answer-fail-count').fill('2');
    await field(page, 'answer-fail-status').fill('503');
    await field(page, 'answer-retry-after').fill('30');
    await field(page, 'answer-key-header').fill('X-Order');
    // A wrong field is refused in the page with a sentence, and nothing is sent.
    await field(page, 'answer-sequence').fill('500, boom');
    await field(page, 'answer-save').click();
    expect(await field(page, 'answer-error').textContent()).toBe('Sequence: "boom" is not a status 200–599, reset or hang.');
    expect((await binOf(binId)).respond.status).toBe(200);
    await field(page, 'answer-sequence').fill('');
    await field(page, 'answer-save').click();
    await expect.poll(() => answerText(page).textContent(), LIVE).toBe('Fails attempts 1–2 of each event with 503, then answers 202 · Retry-After 30 on 429/503');
    expect(await field(page, 'answer-error').count()).toBe(0);
    const saved = await binOf(binId);
    expect(saved.respond).toMatchObject({ status: 202, body: 'accepted for later', headers: { 'X-Trace': 'demo' }, failFirst: { count: 2, status: 503 }, retryAfter: 30 });
    expect(saved.eventKey).toEqual({ header: 'X-Order', pointer: null });
    expect(await field(page, 'answer-save').isDisabled()).toBe(true);
    // The quick toggle beside it shows the same failFirst.
    expect(await page.locator('[data-testid=toggle-fail-first]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid=fail-first-status]').inputValue()).toBe('503');

    // One order delivered three times with different bodies: one event by its X-Order, attempts 1–3.
    const got = [];
    for (const n of [1, 2, 3]) {
      const r = await sendHook(server.binUrl, { headers: [['X-Order', 'order-7'], ['Content-Type', 'application/json']], body: `{"try":${n}}` });
      got.push([r.status, r.headers['retry-after'] ?? null, r.headers['x-trace'], r.headers['content-type'], r.status === 202 ? r.body : null]);
    }
    expect(got).toEqual([
      [503, '30', 'demo', 'application/json', null],
      [503, '30', 'demo', 'application/json', null],
      [202, null, 'demo', 'text/plain; charset=utf-8', 'accepted for later'],
    ]);

    // The quick toggle fails with the status typed beside it.
    await page.locator('[data-testid=fail-first-count]').fill('1');
    await page.locator('[data-testid=fail-first-status]').fill('429');
    await page.locator('[data-testid=toggle-fail-first]').click();
    await expect.poll(async () => (await binOf(binId)).respond.failFirst, LIVE).toEqual({ count: 1, status: 429 });
    await expect.poll(() => page.locator('[data-testid=toggle-fail-first]').getAttribute('aria-pressed')).toBe('true');
    // The form follows a change made elsewhere while it has no edits.
    await expect.poll(() => field(page, 'answer-fail-status').inputValue(), LIVE).toBe('429');
    const throttled = await sendHook(server.binUrl, { headers: [['X-Order', 'order-8']], body: '{}' });
    expect([throttled.status, throttled.headers['retry-after']]).toEqual([429, '30']);
    expect(errors).toEqual([]);
  });

  it('sets a sequence, a random share with a pattern, a fault, a delay, a JSON pointer key and a rule’s headers', async () => {
    server = await env.start();
    const { page, errors } = await env.open(server);
    const binId = server.defaultBinId;
    await page.locator('[data-testid=view-answers]').click();
    await page.locator('[data-testid=answer-form]').waitFor();

    await field(page, 'answer-sequence').fill('500, reset, 200');
    await field(page, 'answer-key-pointer').fill('/order/id');
    await field(page, 'answer-headers').fill('X-Bin: yes');
    await field(page, 'answer-save').click();
    await expect.poll(async () => (await binOf(binId)).respond.sequence, LIVE).toEqual([500, 'reset', 200]);
    expect((await binOf(binId)).eventKey).toEqual({ header: null, pointer: '/order/id' });
    const order = (n: number) => ({ headers: [['Content-Type', 'application/json']] as [string, string][], body: JSON.stringify({ order: { id: 'o-1' }, n }) });
    expect((await sendHook(server.binUrl, order(1))).status).toBe(500);
    await expect(sendHook(server.binUrl, order(2))).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await sendHook(server.binUrl, order(3))).status).toBe(200);

    // A rule whose headers add to the bin's.
    await page.locator('[data-testid=rule-add]').click();
    const rule = page.locator('[data-testid=rule]').first();
    await rule.locator('[data-testid=rule-path]').fill('/ruled');
    await rule.locator('[data-testid=rule-status]').fill('201');
    await rule.locator('[data-testid=rule-headers]').fill('Set-Cookie: a=1');
    await page.locator('[data-testid=rules-save]').click();
    expect(await page.locator('[data-testid=rules-error]').textContent()).toBe(
      "Rule 1: headers: a bin answer cannot set Set-Cookie: bins answer on hookbin's own origin, where it would act on the inspector (cookies, stored token).",
    );
    await rule.locator('[data-testid=rule-headers]').fill('X-Rule: ruled');
    await page.locator('[data-testid=rules-save]').click();
    await expect.poll(async () => (await binOf(binId)).respond.rules, LIVE).toEqual([{ match: { path: '/ruled' }, respond: { status: 201, headers: { 'X-Rule': 'ruled' } } }]);
    const ruled = await sendHook(`${server.binUrl}/ruled`, { body: 'x' });
    expect([ruled.status, ruled.headers['x-rule'], ruled.headers['x-bin']]).toEqual([201, 'ruled', 'yes']);

    // Random: every request fails with 502, the same ones on every run; then a delay and a fault for all.
    await field(page, 'answer-sequence').fill('');
    await field(page, 'answer-random-rate').fill('100');
    await field(page, 'answer-random-status').fill('502');
    await field(page, 'answer-random-pattern').fill('7');
    await field(page, 'answer-save').click();
    await expect.poll(async () => (await binOf(binId)).respond.random, LIVE).toEqual({ rate: 1, status: 502, seed: 7 });
    // The page shows what it saved once the save's answer is back, which may be after the API already has it.
    await expect.poll(() => answerText(page).textContent()).toBe('Fails 100 % at random with 502 (repeatable, pattern 7), otherwise answers 200 · 1 rule takes precedence');
    expect((await sendHook(server.binUrl, { body: '{"id":"r"}' })).status).toBe(502);

    await field(page, 'answer-random-rate').fill('');
    await field(page, 'answer-delay').fill('200');
    await field(page, 'answer-fault').selectOption('hang');
    await field(page, 'answer-save').click();
    await expect.poll(async () => (await binOf(binId)).respond, LIVE).toMatchObject({ random: null, delayMs: 200, fault: 'hang' });
    await expect.poll(() => page.locator('[data-testid=toggle-hang]').getAttribute('aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
  });

  it('switches CORS on: a page on another origin can then post to the bin and read its answer', async () => {
    server = await env.start();
    const { page, context, errors } = await env.open(server);
    const binId = server.defaultBinId;
    const other = await otherOrigin();
    try {
      const sender = await context.newPage();
      await sender.goto(other.origin);
      // Off: the browser's preflight gets no leave, so the page cannot post with its own headers.
      expect(await postFromPage(sender, server.binUrl)).toEqual({ error: 'TypeError' });

      await page.locator('[data-testid=view-answers]').click();
      await field(page, 'answer-cors').check();
      await field(page, 'answer-save').click();
      await expect.poll(async () => (await binOf(binId)).cors, LIVE).toBe(true);
      const before = (await binOf(binId)).captureCount;
      const posted = await postFromPage(sender, server.binUrl);
      expect(posted).toMatchObject({ status: 200, body: '{"ok":true}' });
      expect((posted as { captureId: string }).captureId).toMatch(/^[0-9a-z]+$/);
      // The preflight was answered, not captured: one capture, the POST.
      expect((await binOf(binId)).captureCount).toBe(before + 1);
      await sender.close();
    } finally {
      await other.close();
    }
    expect(errors).toEqual([]);
  });

  it('fits a 420 px window in the dark theme', async () => {
    server = await env.start();
    const { page, errors } = await env.open(server, { viewport: { width: 420, height: 800 }, colorScheme: 'dark' });
    await page.locator('[data-testid=view-answers]').click();
    const form = page.locator('[data-testid=answer-form]');
    await form.waitFor();
    const box = await form.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(420);
    // Nothing sticks out sideways: the view scrolls only down.
    expect(await page.evaluate(() => document.querySelector('[data-testid=bin-view]')!.scrollWidth)).toBeLessThanOrEqual(420);
    await field(page, 'answer-retry-after').fill('5');
    await field(page, 'answer-save').click();
    await expect.poll(async () => (await binOf(server.defaultBinId)).respond.retryAfter, LIVE).toBe(5);
    expect(errors).toEqual([]);
  });
});
