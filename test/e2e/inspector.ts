/**
 * Helpers for the inspector's browser tests: open the inspector the way a
 * user does (the banner URL), send webhooks with a real HTTP client, and
 * collect whatever the page reports as an error so a test can fail on it.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { HeaderPair } from '../../server/common/types.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WEB_ROOT, cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';
import { launchBrowser } from './browser.js';

/** The viewport of the README screenshot and of most tests. */
export const DESKTOP = { width: 1280, height: 800 } as const;

/** A page on the inspector plus the errors it reported. */
export interface InspectorPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and `console.error` lines, in order. */
  errors: string[];
}

/** Options of `openInspector`. */
export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** The browser's time zone (an IANA name); the machine's by default. */
  timezoneId?: string;
  /**
   * Turns the page's CSP off, so a test of the rendering proves that captured
   * markup is never parsed as HTML even without the CSP to stop it running.
   */
  bypassCSP?: boolean;
  /** Open this URL instead of the banner's inspector URL. */
  url?: string;
  /** Wait for the live feed (default true). */
  waitLive?: boolean;
  /**
   * Runs on the new page before it loads the inspector: for routes the page
   * must use from its first request (a WebSocket route added after load
   * misses the live feed, which keeps the WebSocket class it found at load).
   */
  beforeGoto?: (page: Page) => Promise<unknown>;
}

/**
 * Fails fast when the inspector is not built: the server would serve its
 * "not built" page and every browser test would time out instead.
 */
export function assertWebBuilt(): void {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    throw new Error(`the inspector is not built (${WEB_ROOT} has no index.html): run "npm run build" first`);
  }
}

/**
 * Opens the banner's inspector URL (`/?token=T`) in a fresh browser context
 * (its own storage, so no token from another test) with clipboard access, and
 * waits until the live feed says "Live" (hookbin greeted its socket, so the
 * token was accepted). The caller closes `context`.
 */
export async function openInspector(browser: Browser, server: TestServer, opts: OpenOptions = {}): Promise<InspectorPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? 'light',
    timezoneId: opts.timezoneId,
    bypassCSP: opts.bypassCSP ?? false,
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  await opts.beforeGoto?.(page);
  await page.goto(opts.url ?? server.inspectorUrl);
  if (opts.waitLive ?? true) await page.locator('[data-testid=connection-status][data-status=live]').waitFor();
  return { context, page, errors };
}

/** What a bin answered to `sendHook`. */
export interface HookReply {
  status: number;
  /** `X-Hookbin-Capture-Id`. */
  captureId: string;
  body: string;
  /** The reply's headers as node:http reads them (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Sends one request with node:http, a real HTTP client, with the header
 * pairs exactly as given: order, case and duplicates (fetch would merge
 * duplicates into one line).
 */
export function sendHook(url: string, opts: { method?: string; headers?: HeaderPair[]; body?: string | Buffer } = {}): Promise<HookReply> {
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  // With headers as an array node:http adds no Host of its own, so it comes first, as a client would send it.
  const raw: string[] = ['Host', new URL(url).host];
  for (const [n, v] of opts.headers ?? []) raw.push(n, v);
  if (body !== undefined && !(opts.headers ?? []).some(([n]) => n.toLowerCase() === 'content-length')) raw.push('Content-Length', String(body.length));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: raw, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          captureId: String(res.headers['x-hookbin-capture-id'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The rows of the capture list that are in the DOM, as their capture ids, top to bottom. */
export function renderedRowIds(page: Page): Promise<string[]> {
  return page.locator('[data-testid=capture-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-capture-id') ?? ''));
}

/**
 * Registers `beforeAll`/`afterAll` for a suite that shares one browser and
 * one real server (port 0, temp data dir); the getters are valid inside its
 * tests. Both are closed, and temp dirs removed, after the suite.
 */
export function useBrowserAndServer(): { browser: () => Browser; server: () => TestServer } {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    assertWebBuilt();
    browser = await launchBrowser();
    server = await startServer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });
  return { browser: () => browser!, server: () => server! };
}

/**
 * For files whose tests each need a server of their own: one Chromium for the
 * file; `start` gives a fresh server and `open` an inspector page on it, and
 * both are closed after each test (pages first).
 */
export function useBrowserFreshServers(): {
  browser: () => Browser;
  start: (overrides?: Parameters<typeof startServer>[0]) => Promise<TestServer>;
  open: (server: TestServer, opts?: Parameters<typeof openInspector>[2]) => Promise<InspectorPage>;
} {
  let browser: Browser | undefined;
  const servers: TestServer[] = [];
  const pages: InspectorPage[] = [];
  beforeAll(async () => {
    assertWebBuilt();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    cleanupTempDirs();
  });
  afterEach(async () => {
    for (const ip of pages.splice(0)) await ip.context.close();
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    browser: () => browser!,
    async start(overrides) {
      const s = await startServer(overrides);
      servers.push(s);
      return s;
    },
    async open(server, opts) {
      const ip = await openInspector(browser!, server, opts);
      pages.push(ip);
      return ip;
    },
  };
}
