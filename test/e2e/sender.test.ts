/**
 * The sender in the inspector, in Chromium against the real server and a
 * local node:http "app": compose a Makeplans-signed booking.created with
 * the Makeplans retry policy and watch each attempt and reply; resend a
 * capture with one click (identical bytes); edit and resend, re-signed;
 * cancel a pending delivery; forward a bin to the app and see its reply
 * beside the capture.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTarget } from '../support/target.js';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/sender.test.ts: ${skip}`);

/** What the app received. */
interface Received {
  method: string;
  url: string;
  headers: [string, string][];
  body: Buffer;
}

/** A local app on port 0 that records every request and answers with `answer(n)` for the n-th (1-based). */
class App {
  readonly received: Received[] = [];
  answer: (n: number) => { status: number; body: string } = () => ({ status: 200, body: '{"ok":true}' });
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: [string, string][] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers, body: Buffer.concat(chunks) });
        const a = this.answer(this.received.length);
        res.writeHead(a.status, { 'Content-Type': 'text/html', 'X-App': 'test-app' });
        res.end(a.body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  header(r: Received, name: string): string | undefined {
    return r.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const MAKEPLANS_SECRET = 'mp-test-secret-0123456789';
const makeplansSignature = (secret: string, body: Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.skipIf(skip !== null)('the sender in Chromium', () => {
  const ctx = useBrowserAndServer();
  const open: InspectorPage[] = [];
  const apps: App[] = [];
  const newApp = async () => {
    const app = await new App().start();
    apps.push(app);
    return app;
  };
  const inspector = async (opts: Parameters<typeof openInspector>[2] = {}) => {
    const ip = await openInspector(ctx.browser(), ctx.server(), opts);
    open.push(ip);
    return ip;
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

  beforeAll(() => undefined);
  afterEach(async () => {
    for (const ip of open.splice(0)) {
      expect(ip.errors).toEqual([]);
      await ip.context.close();
    }
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(() => undefined);

  it('composes a Makeplans-signed booking.created with the Makeplans preset at 60×: the outbox shows attempts 500, 500, 200 with their replies as text, and the app got a valid X-MakePlans-Signature each time', async () => {
    const app = await newApp();
    app.answer = (n) => (n <= 2 ? { status: 500, body: `<img src=x onerror="document.title='pwned'">boom ${n}` } : { status: 200, body: 'thanks' });
    const { page } = await inspector();
    await openSend(page);

    await page.locator('[data-testid=composer-url]').fill(`${app.url}/webhook`);
    await page.locator('[data-testid=composer-template] option[value=makeplans]').waitFor({ state: 'attached' });
    await page.locator('[data-testid=composer-template]').selectOption('makeplans');
    await expect.poll(() => page.locator('[data-testid=composer-body]').inputValue()).toContain('booking.created');
    const firstBody = await page.locator('[data-testid=composer-body]').inputValue();
    // The template brings its scheme and retry preset; picking it again renders fresh ids.
    expect(await page.locator('[data-testid=composer-scheme]').inputValue()).toBe('makeplans');
    expect(await page.locator('[data-testid=composer-preset]').inputValue()).toBe('makeplans');
    await page.locator('[data-testid=composer-template]').selectOption('');
    await page.locator('[data-testid=composer-template]').selectOption('makeplans');
    await expect.poll(() => page.locator('[data-testid=composer-body]').inputValue()).not.toBe(firstBody);

    await page.locator('[data-testid=composer-secret]').fill(MAKEPLANS_SECRET);
    await page.locator('[data-testid=composer-scale]').selectOption('60');
    expect(await page.locator('[data-testid=composer-schedule]').textContent()).toContain('1 s, 2 s, 4 s');
    await page.locator('[data-testid=composer-send]').click();

    const delivery = page.locator('[data-testid=delivery][data-last=true]');
    await delivery.waitFor();
    // Live: pending and retrying first, delivered on the third attempt (waits of 1 s and 2 s at 60×).
    await expect.poll(() => delivery.getAttribute('data-state'), { timeout: 15_000 }).toBe('delivered');
    const attempts = delivery.locator('[data-testid=attempt]');
    await expect.poll(() => attempts.count()).toBe(3);
    expect(await attempts.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['500', '500', '200']);
    expect(await delivery.locator('[data-testid=delivery-state]').textContent()).toBe('delivered on attempt 3 of 6');

    // Each attempt: the exact request sent and the reply, as text (the markup does not render).
    await attempts.nth(0).locator('summary').click();
    const reply = attempts.nth(0).locator('[data-testid=attempt-reply-body]');
    expect(await reply.textContent()).toBe(`<img src=x onerror="document.title='pwned'">boom 1`);
    expect(await attempts.nth(0).locator('img').count()).toBe(0);
    const sentHeaders = attempts.nth(0).locator('[data-testid=attempt-request-headers] tr[data-name=x-makeplans-signature] td');
    expect(await sentHeaders.textContent()).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await page.title()).not.toBe('pwned');

    expect(app.received).toHaveLength(3);
    for (const r of app.received) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/webhook');
      expect(JSON.parse(r.body.toString('utf8')).event).toBe('booking.created');
      expect(app.header(r, 'X-MakePlans-Signature')).toBe(makeplansSignature(MAKEPLANS_SECRET, r.body));
    }
    // Retries carry the same bytes, and the gaps follow the scaled schedule (1 s, then 2 s).
    expect(app.received[1]!.body.equals(app.received[0]!.body)).toBe(true);
    const d = (await (await ctx.server().api(`/api/outbox/${await delivery.getAttribute('data-id')}`)).json()) as { attempts: { at: string }[] };
    const gaps = d.attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(d.attempts[i]!.at));
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(1900);
    await page.screenshot({ path: 'test-results/sender-light.png' });
  });

  it('retries on waits of your own: 0,400,800 ms at 1× gives up after three 500s, spaced as typed; a bad entry is refused before sending', async () => {
    const app = await newApp();
    app.answer = () => ({ status: 500, body: 'no' });
    const { page } = await inspector();
    await openSend(page);
    await page.locator('[data-testid=composer-url]').fill(`${app.url}/hook`);
    await page.locator('[data-testid=composer-body]').fill('{"custom":true}');
    await page.locator('[data-testid=composer-preset]').selectOption(':custom');
    await page.locator('[data-testid=composer-scale]').selectOption('1');
    const waits = page.locator('[data-testid=composer-waits]');
    await waits.fill('0,400,4s');
    expect(await page.locator('[data-testid=composer-schedule]').textContent()).toContain('Schedule entry 3 ("4s")');
    await page.locator('[data-testid=composer-send]').click();
    expect(await page.locator('[data-testid=composer-error]').textContent()).toContain('Schedule entry 3');
    expect(app.received).toHaveLength(0);

    await waits.fill('0,400,800');
    expect(await page.locator('[data-testid=composer-schedule]').textContent()).toContain('3 attempts, waits 400 ms, 800 ms');
    await page.locator('[data-testid=composer-send]').click();
    const delivery = page.locator('[data-testid=delivery][data-last=true]');
    await expect.poll(() => delivery.getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    expect(await delivery.locator('[data-testid=attempt]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['500', '500', '500']);
    expect(app.received).toHaveLength(3);
    const d = (await (await ctx.server().api(`/api/outbox/${await delivery.getAttribute('data-id')}`)).json()) as {
      retry: { schedule: number[] };
      attempts: { at: string }[];
    };
    expect(d.retry.schedule).toEqual([0, 400, 800]);
    const gaps = d.attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(d.attempts[i]!.at));
    expect(gaps[0]).toBeGreaterThanOrEqual(350);
    expect(gaps[1]).toBeGreaterThanOrEqual(750);
  });

  it('an https app with a self-signed certificate: the composer and the forward form offer not to verify it, and then it is reached', async () => {
    const app = await startTarget(() => ({ status: 200, body: 'tls ok' }), { tls: true });
    try {
      const { page } = await inspector();
      await openSend(page);
      const check = page.locator('[data-testid=composer-insecure]');
      await page.locator('[data-testid=composer-url]').fill('http://localhost:3000/hook');
      expect(await check.count()).toBe(0);
      await page.locator('[data-testid=composer-url]').fill(`${app.origin}/hook`);
      await page.locator('[data-testid=composer-body]').fill('{"tls":true}');
      await page.locator('[data-testid=composer-send]').click();
      const delivery = page.locator('[data-testid=delivery][data-last=true]');
      await expect.poll(() => delivery.getAttribute('data-state'), { timeout: 10_000 }).toBe('failed');
      expect(await delivery.locator('[data-testid=attempt]').first().getAttribute('data-status')).not.toBe('200');
      expect(app.requests).toHaveLength(0);

      await check.check();
      await page.locator('[data-testid=composer-send]').click();
      await expect.poll(() => delivery.getAttribute('data-state'), { timeout: 10_000 }).toBe('delivered');
      expect(await delivery.locator('[data-testid=delivery-insecure]').textContent()).toBe('certificate not verified');
      expect(app.requests.map((r) => r.body.toString())).toEqual(['{"tls":true}']);

      // The forward form: the option shows for an https target, is saved, and the next capture reaches the app.
      await page.locator('[data-testid=forward-url]').fill(`${app.origin}/in`);
      await page.locator('[data-testid=forward-insecure]').check();
      await page.locator('[data-testid=forward-save]').click();
      await expect.poll(() => page.locator('[data-testid=forward-status]').textContent()).toContain('Its certificate is not verified.');
      expect((await sendHook(ctx.server().binUrl, { body: 'fwd' })).status).toBe(200);
      await expect.poll(() => app.requests.length, { timeout: 10_000 }).toBe(2);
      expect(app.requests[1]!.body.toString()).toBe('fwd');
      await page.locator('[data-testid=forward-stop]').click();
      await expect.poll(() => page.locator('[data-testid=forward-status]').textContent()).toContain('Not forwarding');
    } finally {
      await app.close();
    }
  });

  it('a pending delivery shows its next attempt and can be cancelled', async () => {
    const app = await newApp();
    app.answer = () => ({ status: 503, body: 'down' });
    const { page } = await inspector();
    await openSend(page);
    await page.locator('[data-testid=composer-url]').fill(`${app.url}/hook`);
    await page.locator('[data-testid=composer-body]').fill('{"hello":"world"}');
    await page.locator('[data-testid=composer-preset] option[value=makeplans]').waitFor({ state: 'attached' });
    await page.locator('[data-testid=composer-preset]').selectOption('makeplans');
    await page.locator('[data-testid=composer-scale]').selectOption('1');
    await page.locator('[data-testid=composer-send]').click();
    const delivery = page.locator('[data-testid=delivery][data-last=true]');
    await expect.poll(() => delivery.locator('[data-testid=attempt]').count(), { timeout: 10_000 }).toBe(1);
    expect(await delivery.getAttribute('data-state')).toBe('pending');
    expect(await delivery.locator('[data-testid=delivery-state]').textContent()).toBe('retrying: attempt 1 of 6 got 503');
    await delivery.locator('[data-testid=delivery-cancel]').click();
    await delivery.locator('[data-testid=delivery-cancel-yes]').click();
    await expect.poll(() => delivery.getAttribute('data-state')).toBe('cancelled');
    expect(app.received).toHaveLength(1);
  });

  it('Resend sends a capture to the app with one click, byte for byte, and lists the resend beside the capture', async () => {
    const app = await newApp();
    const { page } = await inspector();
    const server = ctx.server();
    // Bytes that a re-serialization would change: odd spacing, key order, a non-ASCII character, a trailing newline.
    const body = '{ "z":1,  "a" : [1.50, "é"] }\n';
    const sent = await sendHook(`${server.binUrl}/from/provider?x=1`, { headers: [['Content-Type', 'application/json'], ['X-Custom', 'Keep Me'], ['x-custom', 'twice']], body });
    await openCapture(page, sent.captureId);
    await page.locator('[data-testid=resend-url]').fill(`${app.url}/resent`);
    await page.locator('[data-testid=resend]').click();
    await expect.poll(() => app.received.length).toBe(1);
    const r = app.received[0]!;
    expect(r.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(r.url).toBe('/resent');
    expect(r.headers.filter(([n]) => n.toLowerCase() === 'x-custom')).toEqual([
      ['X-Custom', 'Keep Me'],
      ['x-custom', 'twice'],
    ]);
    const row = page.locator('[data-testid=resend-row]');
    await expect.poll(() => row.first().getAttribute('data-state')).toBe('delivered');
    expect(await row.count()).toBe(1);
  });

  it('Edit and resend opens the composer on the capture, re-signed with the bin’s secret by name; the edited body arrives with a valid signature', async () => {
    const app = await newApp();
    const server = ctx.server();
    const binId = server.defaultBinId;
    await server.api(`/api/bins/${binId}`, { method: 'PATCH', body: JSON.stringify({ secrets: [{ name: 'mp', value: MAKEPLANS_SECRET, scheme: 'makeplans' }] }) });
    const { page } = await inspector();
    const body = Buffer.from('{"event":"booking.created","id":1}');
    const sent = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json'], ['X-MakePlans-Signature', makeplansSignature(MAKEPLANS_SECRET, body)]], body });
    await openCapture(page, sent.captureId);
    await page.locator('[data-testid=resend-url]').fill(`${app.url}/edited`);
    await page.locator('[data-testid=edit-resend]').click();
    const composer = page.locator('[data-testid=composer][data-mode=resend]');
    await composer.waitFor();
    expect(await page.locator('[data-testid=composer-url]').inputValue()).toBe(`${app.url}/edited`);
    expect(await page.locator('[data-testid=composer-body]').inputValue()).toBe(body.toString());
    expect(await page.locator('[data-testid=composer-scheme]').inputValue()).toBe('makeplans');
    expect(await page.locator('[data-testid=composer-secret-name]').inputValue()).toBe('mp');
    // No Host or Content-Length of the bin is carried over.
    const names = await page.locator('[data-testid=composer-header-name]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value.toLowerCase()));
    expect(names).not.toContain('host');
    expect(names).not.toContain('content-length');
    await page.locator('[data-testid=composer-body]').fill('{"event":"booking.created","id":2}');
    await page.locator('[data-testid=composer-send]').click();
    await expect.poll(() => app.received.length).toBe(1);
    const r = app.received[0]!;
    expect(r.body.toString()).toBe('{"event":"booking.created","id":2}');
    expect(app.header(r, 'X-MakePlans-Signature')).toBe(makeplansSignature(MAKEPLANS_SECRET, r.body));
    // The outbox knows it as a resend of that capture.
    const delivery = page.locator('[data-testid=delivery][data-last=true]');
    await expect.poll(() => delivery.getAttribute('data-state')).toBe('delivered');
    await server.api(`/api/bins/${binId}`, { method: 'PATCH', body: JSON.stringify({ secrets: [] }) });
  });

  it('a forward target set in the UI sends the next capture to the app, and its reply shows beside the capture; with relay the provider gets the app’s answer', async () => {
    const app = await newApp();
    app.answer = () => ({ status: 202, body: '<b>accepted by app</b>' });
    const server = ctx.server();
    const { page } = await inspector();
    await openSend(page);
    await page.locator('[data-testid=forward-url]').fill(`${app.url}/hooks`);
    await page.locator('[data-testid=forward-save]').click();
    await expect.poll(() => page.locator('[data-testid=forward-status]').textContent()).toContain(`${app.url}/hooks`);

    const sent = await sendHook(`${server.binUrl}/github?x=1`, { headers: [['Content-Type', 'application/json']], body: '{"a":1}' });
    expect(sent.status).toBe(200);
    await openCapture(page, sent.captureId);
    const status = page.locator('[data-testid=forward-reply-status]');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('202');
    expect(await page.locator('[data-testid=forward-reply-body]').textContent()).toBe('<b>accepted by app</b>');
    expect(await page.locator('[data-testid=forward-section] b').count()).toBe(0);
    expect(app.received[0]!.url).toBe('/hooks/github?x=1');
    expect(app.received[0]!.body.toString()).toBe('{"a":1}');
    await page.screenshot({ path: 'test-results/sender-capture.png' });

    // Relay: the provider now gets the app's status.
    await openSend(page);
    await page.locator('[data-testid=forward-relay]').check();
    await page.locator('[data-testid=forward-save]').click();
    await expect.poll(() => page.locator('[data-testid=forward-status]').textContent()).toContain('relaying');
    const relayed = await sendHook(server.binUrl, { body: 'x' });
    expect(relayed.status).toBe(202);
    expect(relayed.body).toBe('<b>accepted by app</b>');

    // One click resends to the forward target when no URL is typed.
    await openCapture(page, sent.captureId);
    // The list row of the relayed capture says what the provider got: the app's 202, not the bin's own 200.
    const relayedRow = page.locator(`[data-testid=capture-row][data-capture-id="${relayed.captureId}"] .status`);
    await expect.poll(() => relayedRow.textContent(), { timeout: 10_000 }).toBe('202');
    expect(await page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"] .status`).textContent()).toBe('200');
    await page.locator('[data-testid=resend]').click();
    await expect.poll(() => app.received.length).toBe(3);
    expect(app.received[2]!.url).toBe('/hooks/github?x=1');
    expect(app.received[2]!.body.toString()).toBe('{"a":1}');

    await openSend(page);
    await page.locator('[data-testid=forward-stop]').click();
    await expect.poll(() => page.locator('[data-testid=forward-status]').textContent()).toContain('Not forwarding');
  });

  it('looks right dark and narrow (screenshots)', async () => {
    const app = await newApp();
    for (const [name, opts] of [
      ['dark', { colorScheme: 'dark' as const }],
      ['narrow', { viewport: { width: 390, height: 800 } }],
    ] as const) {
      const { page } = await inspector(opts);
      await openSend(page);
      await page.locator('[data-testid=composer-url]').fill(`${app.url}/x`);
      await page.locator('[data-testid=composer-template] option[value=github]').waitFor({ state: 'attached' });
      await page.locator('[data-testid=composer-template]').selectOption('github');
      await page.locator('[data-testid=composer-secret]').fill('a-github-secret');
      await page.locator('[data-testid=composer-send]').click();
      await page.locator('[data-testid=delivery][data-last=true][data-state=delivered]').waitFor();
      await page.locator('[data-testid=delivery][data-last=true] [data-testid=attempt] summary').first().click();
      await page.screenshot({ path: `test-results/sender-${name}.png`, fullPage: false });
    }
  });
});
