/**
 * The inspector's token stays with the inspector. In the browser that opened
 * the banner URL, a bin URL and a server on another port of 127.0.0.1 (a
 * plain node:http server that records every request) never receive the
 * token, a page on that other port cannot read it, and the cookies it sets
 * for 127.0.0.1 cannot lock the inspector out.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../server/common/types.js';
import { TOKEN } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/token-isolation.test.ts: ${skip}`);

/** What the other server's page found and did, posted back to it. */
interface Report {
  cookie: string;
  storage: Record<string, string>;
  cookieAfter: string;
}

/**
 * The other local server's page: it reads what it can (its cookies, its
 * localStorage), then plants cookies for 127.0.0.1 that would shadow or
 * replace a token cookie of the hookbin on `port`, and reports.
 */
function otherPage(port: number): string {
  return `<!doctype html><html><body><p>another local app</p><script>
const storage = {};
for (let i = 0; i < localStorage.length; i++) storage[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
const cookie = document.cookie;
for (const c of [
  'hookbin_token_${port}=planted-wrong-token; path=/',
  'hookbin_token_${port}=planted-wrong-token; path=/api',
  'hookbin_token_${port}=planted-wrong-token; path=/api/ws',
  'hookbin_token=planted-wrong-token; path=/',
  'token=planted-wrong-token; path=/',
]) document.cookie = c;
fetch('/report', { method: 'POST', body: JSON.stringify({ cookie, storage, cookieAfter: document.cookie }) });
</script></body></html>`;
}

describe.skipIf(skip !== null)('the token in a real browser', () => {
  const env = useBrowserFreshServers();
  let other: Server;
  let otherPort: number;
  /** Every request the other server received: its target and raw header lines. */
  const seen: Array<{ url: string; headers: IncomingHttpHeaders; raw: string[] }> = [];
  let reports: Report[] = [];
  let hookbinPort = 0;

  beforeAll(async () => {
    other = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers, raw: req.rawHeaders });
      if (req.url === '/report') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Report);
          res.end('ok');
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(otherPage(hookbinPort));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    otherPort = (other.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => other?.close(r));
  });

  it('a bin URL opened in the logged-in browser stores a capture with no token in any header', async () => {
    const server = await env.start();
    const { context, page } = await env.open(server);
    // Logged in: the bins are listed.
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"]`).waitFor();

    const tab = await context.newPage();
    const res = await tab.goto(`${server.binUrl}/opened-in-browser?x=1`);
    const captureId = (await res!.allHeaders())['x-hookbin-capture-id'];
    expect(captureId).toBeTruthy();
    const capture = (await (await server.api(`/api/captures/${captureId}`)).json()) as Capture;
    expect(capture.path).toBe('/opened-in-browser');
    expect(capture.headers.filter(([, v]) => v.includes(TOKEN))).toEqual([]);
    expect(capture.headers.filter(([n]) => n.toLowerCase() === 'cookie')).toEqual([]);
    expect(capture.query).not.toContain(TOKEN);

    // A fetch from the bin's page carries no token either. (The bin's answer is
    // sandboxed, so the page has an opaque origin: a no-cors fetch still goes out.)
    await tab.evaluate(async (url) => void (await fetch(url, { method: 'POST', body: 'from the page', credentials: 'include', mode: 'no-cors' })), `${server.binUrl}/from-page`);
    const list = (await (await server.api(`/api/bins/${server.defaultBinId}/captures?limit=10`)).json()) as { captures: { id: string; path: string }[] };
    const fromPage = list.captures.find((c) => c.path === '/from-page');
    expect(fromPage).toBeTruthy();
    const second = (await (await server.api(`/api/captures/${fromPage!.id}`)).json()) as Capture;
    expect(second.headers.filter(([, v]) => v.includes(TOKEN))).toEqual([]);
  });

  it('a server on another port of 127.0.0.1 neither receives nor reads the token, and its cookies do not lock the inspector out', async () => {
    const server = await env.start();
    hookbinPort = server.port;
    expect(new URL(server.origin).hostname).toBe('127.0.0.1');
    const { context, page, errors } = await env.open(server);
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"]`).waitFor();
    seen.length = 0;
    reports = [];

    // The user opens the other local app in a tab of the same browser (its page then fetches /report).
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${otherPort}/`);
    const deadline = Date.now() + 10_000;
    while (reports.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(reports).toHaveLength(1);
    expect(seen.map((s) => s.url)).toEqual(expect.arrayContaining(['/', '/report']));

    // Nothing it received carries the token.
    for (const s of seen) expect(s.raw.join('\n'), s.url).not.toContain(TOKEN);
    // Its script could read neither cookie nor storage holding the token.
    const report = reports[0]!;
    expect(report.cookie).not.toContain(TOKEN);
    expect(JSON.stringify(report.storage)).not.toContain(TOKEN);
    expect(report.cookieAfter).toContain('planted-wrong-token');

    // The planted cookies do reach hookbin (cookies ignore ports), yet the inspector still works after a reload.
    expect((await context.cookies(server.origin)).some((c) => c.value === 'planted-wrong-token')).toBe(true);
    await page.reload();
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor({ timeout: 10_000 });
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"]`).waitFor();
    expect(await page.locator('[data-testid=auth-required]').count()).toBe(0);
    // And it still acts: a bin made in the UI exists on the server.
    await page.locator('[data-testid=create-bin-id]').fill('after-cookies');
    await page.locator('[data-testid=create-bin-submit]').click();
    await page.locator('[data-testid=bin-item][data-bin-id="after-cookies"][aria-current=true]').waitFor();
    expect((await server.api('/api/bins/after-cookies')).status).toBe(200);
    expect(errors).toEqual([]);
  });
});
