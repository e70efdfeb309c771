/**
 * A bin answer is not a page of hookbin's: bins answer on the inspector's
 * origin with HTML a bin's settings or a relayed app chose. Opened as a
 * top-level page in the browser where the inspector is logged in, its
 * script must not run as hookbin (read the token, call /api): the answer's
 * `Content-Security-Policy: sandbox` gives it an opaque origin and no
 * script at all. Also reached by a cross-site form post to a relaying bin
 * whose app reflects its input.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bin } from '../../server/common/types.js';
import { browserSkipReason } from './browser.js';
import { openInspector, useBrowserAndServer } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/bin-sandbox.test.ts: ${skip}`);

/**
 * Script that, run as hookbin, would drive the control API: it marks the
 * title first (synchronously, so a script that runs at all is seen even if
 * the rest fails), then reads the inspector's token from localStorage and
 * sends it as `Authorization: Bearer` to create a bin, as an attack on the
 * token-in-localStorage inspector would.
 */
const PAYLOAD = `<script>
document.title = 'ran';
(async () => {
  let token = null;
  try { token = localStorage.getItem('hookbin.token'); } catch {}
  try { await fetch('/api/bins', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: '{"id":"pwned"}' }); } catch {}
  document.title = 'ran: origin=' + self.origin + ' token=' + (token === null ? 'none' : 'read');
})();
</script>`;

describe.skipIf(skip !== null)('bin answers opened in the logged-in browser', () => {
  const ctx = useBrowserAndServer();
  let app: Server;
  let appOrigin = '';

  beforeAll(async () => {
    // A developer's app that reflects what it is sent, as HTML (the worst case a relay passes on).
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = decodeURIComponent(Buffer.concat(chunks).toString('latin1').replace(/^[^=]*=/, '').replace(/\+/g, ' '));
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<!doctype html><title>reflected</title><body>${text}</body>`);
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => app?.close(r));
  });

  async function noBinsAdded(): Promise<void> {
    const bins = ((await (await ctx.server().api('/api/bins')).json()) as { bins: Bin[] }).bins;
    expect(bins.map((b) => b.id)).not.toContain('pwned');
  }

  it('a bin configured to answer HTML with a script: the script gets no hookbin origin', async () => {
    const server = ctx.server();
    await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'html' }) });
    const patched = await server.api('/api/bins/html', {
      method: 'PATCH',
      body: JSON.stringify({ respond: { headers: { 'content-type': 'text/html' }, body: `<!doctype html><title>bin page</title>${PAYLOAD}` } }),
    });
    expect(patched.status).toBe(200);
    const ip = await openInspector(ctx.browser(), server);
    try {
      const page = await ip.context.newPage();
      await page.goto(`${server.origin}/b/html`);
      await page.waitForLoadState('load');
      // Long enough for the script to have run and its fetch to have settled, had it run.
      await page.waitForTimeout(500);
      expect(await page.title()).toBe('bin page');
      await noBinsAdded();
    } finally {
      await ip.context.close();
    }
  }, 30_000);

  it('a cross-site form post to a relaying bin whose app reflects it: the reflected script gets no hookbin origin', async () => {
    const server = ctx.server();
    await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'relay' }) });
    await server.api('/api/bins/relay', { method: 'PATCH', body: JSON.stringify({ forwardTo: appOrigin, forward: { relay: true } }) });
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><form id="f" method="POST" action="${server.origin}/b/relay"><input name="q" value="${PAYLOAD.replace(/"/g, '&quot;')}"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const ip = await openInspector(ctx.browser(), server);
    try {
      const page = await ip.context.newPage();
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      await page.waitForURL(`${server.origin}/b/relay`);
      await page.waitForLoadState('load');
      await page.waitForTimeout(500);
      expect(await page.title()).toBe('reflected');
      await noBinsAdded();
    } finally {
      await ip.context.close();
      await new Promise((r) => evil.close(r));
    }
  }, 30_000);
});
