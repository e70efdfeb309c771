/**
 * The Send tab's "Check endpoint" panel in Chromium against the real server
 * and two local node:http endpoints: one that accepts everything (its report
 * fails wrong-signature, missing-signature and tampered-body, shown in a
 * 420 px window and driven from the keyboard, its markup answer shown as
 * text), and one that verifies with Stripe's own library (every judged check
 * passes, its secret picked by name and never on the page).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import Stripe from 'stripe';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { openInspector, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/check.test.ts: ${skip}`);

const STRIPE_SECRET = 'whsec_check_panel_0123456789abcdef';
const MARKUP = `<img src=x onerror="document.title='pwned'">accepted`;
const stripe = new Stripe('sk_test_hookbin_check_panel');

/** A local endpoint on port 0: `answer` decides each reply; while `held` is set, every request waits for it. */
class Endpoint {
  readonly received: { headers: IncomingMessage['headers']; body: string }[] = [];
  held: Promise<void> | null = null;
  url = '';
  private server: Server;

  constructor(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: req.headers, body });
        void (this.held ?? Promise.resolve()).then(() => answer(req, body, res));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Answers 200 with markup to anything: the receiver that never checks a signature. */
const acceptAll = () =>
  new Endpoint((_req, _body, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(MARKUP);
  });

/** Verifies as Stripe documents it (`constructEvent`, its 300 s tolerance): 400 with the library's reason, else 200. */
const stripeVerifying = () =>
  new Endpoint((req, body, res) => {
    try {
      stripe.webhooks.constructEvent(body, String(req.headers['stripe-signature'] ?? ''), STRIPE_SECRET);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"received":true}');
    } catch (err) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`Webhook Error: ${(err as Error).message}`);
    }
  });

/** Verifies as Twilio documents it: `validateRequest` against the URL Twilio is configured with (a tunnel's), 403 when it fails. */
const twilioVerifying = (authToken: string, configuredUrl: string) =>
  new Endpoint((req, body, res) => {
    const ok = twilio.validateRequest(authToken, String(req.headers['x-twilio-signature'] ?? ''), configuredUrl, Object.fromEntries(new URLSearchParams(body)));
    res.writeHead(ok ? 200 : 403, { 'Content-Type': 'text/xml' });
    res.end(ok ? '<Response/>' : 'bad signature');
  });

const JUDGED = ['valid', 'wrong-signature', 'missing-signature', 'tampered-body', 'stale-timestamp', 'replay', 'timeout'];

describe.skipIf(skip !== null)('the Check endpoint panel in Chromium', () => {
  const ctx = useBrowserAndServer();
  const open: InspectorPage[] = [];
  const endpoints: Endpoint[] = [];
  const start = async (e: Endpoint) => {
    endpoints.push(e);
    return e.start();
  };
  const openPanel = async (opts: Parameters<typeof openInspector>[2] = {}): Promise<Page> => {
    const ip = await openInspector(ctx.browser(), ctx.server(), opts);
    open.push(ip);
    await ip.page.locator('[data-testid=view-send]').first().click();
    await ip.page.locator('[data-testid=check-panel]').waitFor();
    return ip.page;
  };
  const outcomes = (page: Page) =>
    page.locator('[data-testid=check-result]').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-outcome')])));

  afterEach(async () => {
    for (const ip of open.splice(0)) {
      expect(ip.errors).toEqual([]);
      await ip.context.close();
    }
    for (const e of endpoints.splice(0)) await e.close();
  });

  it('an endpoint that accepts everything fails wrong-signature, missing-signature and tampered-body: run and read from the keyboard in a 420 px window, its answer as text', async () => {
    const endpoint = await start(acceptAll());
    const page = await openPanel({ viewport: { width: 420, height: 800 } });
    await page.locator('[data-testid=check-url]').fill(endpoint.url);
    await page.locator('[data-testid=check-scheme]').selectOption('stripe');
    await page.locator('[data-testid=check-secret]').fill('whsec_the_endpoint_never_checks');

    // Held at its first request: the run shows it is under way, and the button cannot start another.
    let release!: () => void;
    endpoint.held = new Promise((resolve) => (release = resolve));
    await page.locator('[data-testid=check-url]').press('Enter');
    await expect.poll(() => endpoint.received.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const run = page.locator('[data-testid=check-run]');
    expect(await run.isDisabled()).toBe(true);
    expect(await run.textContent()).toBe('Running checks…');
    expect(await page.locator('[data-testid=check-panel]').getAttribute('aria-busy')).toBe('true');
    endpoint.held = null;
    release();

    const verdict = page.locator('[data-testid=check-verdict]');
    await page.locator('[data-testid=check-report]').waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-passed')).toBe('false');
    expect(await verdict.textContent()).toMatch(/^\d+ of \d+ checks failed$/);
    expect(await run.isDisabled()).toBe(false);
    const got = await outcomes(page);
    expect(got).toMatchObject({ valid: 'pass', 'wrong-signature': 'fail', 'missing-signature': 'fail', 'tampered-body': 'fail' });
    const wrong = page.locator('[data-testid=check-result][data-check=wrong-signature]');
    expect(await wrong.locator('.check-badge').textContent()).toBe('FAIL');
    expect(await wrong.locator('[data-testid=check-why]').textContent()).not.toBe('');

    // The keyboard opens a failing row on what was sent and what came back, all of it text.
    await wrong.locator('summary').focus();
    await page.keyboard.press('Enter');
    const sent = wrong.locator('[data-testid=check-sent]');
    await sent.waitFor();
    expect(await sent.textContent()).toMatch(new RegExp(`^POST ${endpoint.url.replace(/[.?]/g, '\\$&')}\\n(.+\\n)*Stripe-Signature: t=\\d+,v1=[0-9a-f]{64}\\n`, 'i'));
    expect(await wrong.locator('[data-testid=check-reply-status]').textContent()).toMatch(/^200 in \d+ ms$/);
    expect(await wrong.locator('[data-testid=check-reply-body]').textContent()).toBe(MARKUP);
    expect(await page.locator('[data-testid=check-panel] img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');

    const missing = page.locator('[data-testid=check-result][data-check=missing-signature]');
    await missing.locator('summary').focus();
    await page.keyboard.press('Space');
    expect(await missing.locator('[data-testid=check-sent]').textContent()).not.toMatch(/stripe-signature/i);

    // Nothing sticks out sideways at 420 px: the page scrolls only down.
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await page.evaluate(() => document.querySelector('[data-testid=bin-view]')!.scrollWidth)).toBeLessThanOrEqual(420);
  });

  it('an endpoint that verifies with Stripe’s constructEvent passes every judged check, the bin’s secret picked by name and never shown', async () => {
    const server = ctx.server();
    await server.api(`/api/bins/${server.defaultBinId}`, {
      method: 'PATCH',
      body: JSON.stringify({ secrets: [{ name: 'stripe-endpoint', value: STRIPE_SECRET, scheme: 'stripe' }] }),
    });
    const endpoint = await start(stripeVerifying());
    const page = await openPanel();
    await page.locator('[data-testid=check-url]').fill(endpoint.url);
    await page.locator('[data-testid=check-scheme]').selectOption('stripe');
    await page.locator('[data-testid=check-secret-name] option', { hasText: 'stripe-endpoint' }).waitFor({ state: 'attached' });
    await page.locator('[data-testid=check-secret-name]').selectOption('stripe-endpoint');
    expect(await page.locator('[data-testid=check-secret]').count()).toBe(0);
    await page.locator('[data-testid=check-run]').click();

    const verdict = page.locator('[data-testid=check-verdict]');
    await page.locator('[data-testid=check-report]').waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-passed')).toBe('true');
    expect(await verdict.textContent()).toMatch(/^all \d+ checks passed$/);
    const got = await outcomes(page);
    for (const id of JUDGED) expect([id, got[id]]).toEqual([id, 'pass']);
    expect(Object.values(got)).not.toContain('fail');
    // The endpoint refused the forgeries with the library's own reason, which the row shows.
    const tampered = page.locator('[data-testid=check-result][data-check=tampered-body]');
    await tampered.locator('summary').click();
    expect(await tampered.locator('[data-testid=check-reply-status]').textContent()).toMatch(/^400 in \d+ ms$/);
    expect(await tampered.locator('[data-testid=check-reply-body]').textContent()).toMatch(/^Webhook Error: /);
    expect(await page.content()).not.toContain(STRIPE_SECRET);
  });

  it('a scheme that signs the URL asks for the public URL the provider has, and a Twilio endpoint behind a tunnel passes with it', async () => {
    const token = 'twilio-auth-token-check-panel-01';
    const publicUrl = 'https://abc.tunnel.example/hooks';
    const endpoint = await start(twilioVerifying(token, publicUrl));
    const page = await openPanel();
    await page.locator('[data-testid=check-url]').fill(endpoint.url);
    await page.locator('[data-testid=check-scheme]').selectOption('stripe');
    expect(await page.locator('[data-testid=check-public-url]').count()).toBe(0);
    await page.locator('[data-testid=check-scheme]').selectOption('twilio');
    await page.locator('[data-testid=check-public-url]').fill(publicUrl);
    await page.locator('[data-testid=check-secret]').fill(token);
    await page.locator('[data-testid=check-run]').click();

    await page.locator('[data-testid=check-report]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=check-verdict]').textContent()).toMatch(/^all \d+ checks passed$/);
    expect(await outcomes(page)).toMatchObject({ valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', replay: 'pass' });
    // The requests went to the endpoint; the report says so, and which URL was signed.
    expect(endpoint.received.length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=check-report] p').first().textContent()).toContain(`${endpoint.url} as twilio, signed for ${publicUrl} (twilio)`);
  });

  it('a request hookbin refuses (400) is told in the panel in one sentence, and the form is kept for another try', async () => {
    const endpoint = await start(acceptAll());
    const page = await openPanel();
    await page.locator('[data-testid=check-url]').fill(endpoint.url);
    await page.locator('[data-testid=check-scheme]').selectOption('github');
    await page.locator('[data-testid=check-secret]').fill('a-github-secret');
    await page.locator('[data-testid=check-timeout]').fill('600000');
    await page.locator('[data-testid=check-run]').click();
    const error = page.locator('[data-testid=check-error]');
    await error.waitFor();
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.textContent()).toMatch(/^[^\n]*timeoutMs is at most 60000[^\n]*$/);
    expect(await page.locator('[data-testid=check-report]').count()).toBe(0);
    expect(endpoint.received).toEqual([]);
    expect(await page.locator('[data-testid=check-url]').inputValue()).toBe(endpoint.url);
    // Before asking hookbin, the panel says what is missing itself.
    await page.locator('[data-testid=check-secret]').fill('');
    await page.locator('[data-testid=check-run]').click();
    await expect.poll(() => error.textContent()).toMatch(/^Give the secret/);
    // The browser logs the refused request itself; that is the only thing it logged.
    expect(open[0]!.errors.splice(0)).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
