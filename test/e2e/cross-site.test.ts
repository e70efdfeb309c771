/**
 * Browser attacks on a local server: a page on another origin, in the same
 * browser where the inspector is signed in, tries a cross-site form post and
 * no-cors fetches with credentials against the control API. Nothing may
 * change: no credential of the browser's own (a cookie) opens the API, and
 * the Origin check refuses them besides.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bin } from '../../server/common/types.js';
import { cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';
import { browserSkipReason, launchBrowser } from './browser.js';
import { assertWebBuilt, openInspector } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/cross-site.test.ts: ${skip}`);

/** The attacker's page: no-cors fetches with credentials, then an auto-submitting form. */
function evilPage(target: string, binId: string, captureId: string): string {
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${target}/api/bins" enctype="text/plain">
  <input name='{"id":"pwned-form","x":"' value='"}'>
</form>
<script>
(async () => {
  const opts = (method, body) => ({ method, mode: 'no-cors', credentials: 'include', body, headers: { 'content-type': 'text/plain' } });
  await fetch('${target}/api/bins', opts('POST', '{"id":"pwned-fetch"}')).catch(() => {});
  await fetch('${target}/api/bins/${binId}', opts('PATCH', '{"name":"pwned","respond":{"status":500}}')).catch(() => {});
  await fetch('${target}/api/captures/${captureId}', { method: 'DELETE', mode: 'no-cors', credentials: 'include' }).catch(() => {});
  await fetch('${target}/api/bins/${binId}/captures', { method: 'DELETE', mode: 'no-cors', credentials: 'include' }).catch(() => {});
  await fetch('/done');
  document.getElementById('f').submit();
})();
</script></body></html>`;
}

describe.skipIf(skip !== null)('cross-site requests from another page in the same browser', () => {
  let browser: Browser;
  let server: TestServer;
  let evil: Server;
  let evilPort: number;
  let captureId: string;
  let page = '';
  /** Set when the attacker's fetches have all settled (its page reports back to its own server). */
  let done = false;

  beforeAll(async () => {
    assertWebBuilt();
    browser = await launchBrowser();
    server = await startServer();
    const hook = await fetch(server.binUrl, { method: 'POST', body: 'keep me' });
    captureId = hook.headers.get('x-hookbin-capture-id')!;
    evil = createServer((req, res) => {
      if (req.url === '/done') done = true;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilPort = (evil.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((r) => evil?.close(r));
    cleanupTempDirs();
  });

  for (const host of ['127.0.0.1', 'localhost']) {
    it(`a page on http://${host}:<other port> changes nothing`, async () => {
      const ip = await openInspector(browser, server);
      try {
        page = evilPage(server.origin, server.defaultBinId, captureId);
        const attacker = await ip.context.newPage();
        done = false;
        const posted = attacker.waitForRequest((r) => r.method() === 'POST' && r.isNavigationRequest() && r.url() === `${server.origin}/api/bins`, { timeout: 10_000 });
        await attacker.goto(`http://${host}:${evilPort}/`);
        // The form post is the attacker's last move; let its answer land.
        await posted;
        await attacker.waitForLoadState('load');
        expect(done).toBe(true);

        const bins = ((await (await server.api('/api/bins')).json()) as { bins: Bin[] }).bins;
        expect(bins.map((b) => b.id)).toEqual([server.defaultBinId]);
        expect(bins[0]!.name).toBe('default');
        expect(bins[0]!.respond.status).toBe(200);
        const body = await server.api(`/api/captures/${captureId}/body`);
        expect(body.status).toBe(200);
        expect(await body.text()).toBe('keep me');
        // The inspector itself, same browser, still works: the attack did not need to be blocked by luck.
        const own = await ip.page.evaluate(
          async () =>
            (
              await fetch('/api/bins', {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('hookbin.token')}` },
                body: '{"id":"legit"}',
              })
            ).status,
        );
        expect(own).toBe(201);
        await server.api('/api/bins/legit', { method: 'DELETE' });
      } finally {
        await ip.context.close();
      }
    }, 30_000);
  }
});
