/**
 * The inspector as a user drives it, in real Chromium against the real
 * server (port 0, SQLite in a temp dir): the banner URL, a bin made in the
 * UI, webhooks sent with a real HTTP client arriving live, the detail views,
 * keyboard and filter, and every bin and capture action.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Capture } from '../../server/common/types.js';
import { TOKEN, type TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { GITHUB_SECRET, githubPush, stripeInvoicePaid } from './fixtures.js';
import { DESKTOP, sendHook, useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/inspector.test.ts: ${skip}`);

/** `HOOKBIN_UPDATE_SCREENSHOT=1` refreshes the README's screenshot; otherwise it goes to test-results/. */
const SCREENSHOT = fileURLToPath(
  new URL(process.env.HOOKBIN_UPDATE_SCREENSHOT === '1' ? '../../docs/inspector.png' : '../../test-results/inspector.png', import.meta.url),
);

describe.skipIf(skip !== null)('inspector in Chromium', () => {
  const env = useBrowserFreshServers();
  let server: TestServer;

  const inspector = (opts?: Parameters<typeof env.open>[1]) => env.open(server, opts);
  /** Makes a bin through the UI's form and waits until it is the selected one. */
  const createBin = async (page: Page, id: string) => {
    await page.locator('[data-testid=create-bin-id]').fill(id);
    await page.locator('[data-testid=create-bin-submit]').click();
    await page.locator(`[data-testid=bin-item][data-bin-id="${id}"][aria-current=true]`).waitFor();
  };
  const getCapture = async (id: string) => (await (await server.api(`/api/captures/${id}`)).json()) as Capture;

  beforeEach(async () => {
    server = await env.start();
  });

  it('opens from the banner URL: keeps the token in this origin\'s storage (no cookie), drops it from the address bar, serves a strict CSP', async () => {
    const { page, context, errors } = await inspector();
    const address = new URL(page.url());
    expect(address.origin + address.pathname + address.search).toBe(`${server.origin}/`);
    expect(page.url()).not.toContain(TOKEN);
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('hookbin.token'))).toBe(TOKEN);
    // The default bin is there and selected.
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"][aria-current=true]`).waitFor();

    const res = await page.reload();
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    // No inline script or style in the page itself.
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(await page.locator('style').count()).toBe(0);
    expect(errors).toEqual([]);

    // A browser without the token is told how to sign in, not shown an empty app; so is one with a wrong token.
    const stranger = await inspector({ url: `${server.origin}/`, waitLive: false });
    await stranger.page.locator('[data-testid=auth-required]').waitFor();
    expect(await stranger.page.locator('[data-testid=bins-pane]').count()).toBe(0);
    const wrong = await inspector({ url: `${server.origin}/?token=wrong-token`, waitLive: false });
    await wrong.page.locator('[data-testid=auth-required]').waitFor();
    expect(wrong.page.url()).toBe(`${server.origin}/`);
    await wrong.page.locator('[data-testid=connection-status][data-status=signed-out]').waitFor();
  });

  it('a link with malformed percent-encoding in its hash still opens the app (the part that does not decode names nothing)', async () => {
    for (const hash of ['#/%', '#/%E0%A4%A', '#/%zz/!events', `#/${server.defaultBinId}/%`, `#/${server.defaultBinId}/!%`, '#/%ED%A0%80']) {
      const { page, errors } = await inspector({ url: `${server.inspectorUrl}${hash}` });
      await page.locator('[data-testid=bins-pane]').waitFor();
      await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"]`).waitFor();
      expect(await page.locator('[data-testid=auth-required]').count()).toBe(0);
      expect(errors, hash).toEqual([]);
    }
    // The bin part, when it decodes, still opens that bin.
    const { page } = await inspector({ url: `${server.inspectorUrl}#/${server.defaultBinId}/%` });
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"][aria-current=true]`).waitFor();
  });

  it('creates a bin, shows a webhook the moment it arrives (no reload), and reads it back exactly: headers, JSON tree, hex', async () => {
    const { page, errors } = await inspector();
    await createBin(page, 'gh-demo');
    const binUrl = `${server.origin}/b/gh-demo`;
    // The empty bin says where to send and how.
    expect(await page.locator('[data-testid=empty-bin-url]').textContent()).toBe(binUrl);
    expect(await page.locator('[data-testid=empty-bin-curl]').textContent()).toContain(`'${binUrl}'`);

    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const hook = githubPush();
    const reply = await sendHook(`${binUrl}/github?source=hookshot`, { headers: hook.headers, body: hook.body });
    expect(reply.status).toBe(200);
    const row = page.locator(`[data-testid=capture-row][data-capture-id="${reply.captureId}"]`);
    await row.waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await row.locator('.row-path').textContent()).toBe('/github?source=hookshot');
    expect(await page.locator('[data-testid=bin-item][data-bin-id="gh-demo"] [data-testid=bin-count]').textContent()).toBe('1');

    await row.click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${reply.captureId}"]`);
    await detail.waitFor();
    expect(await detail.locator('[data-testid=request-line] .target').textContent()).toBe('/b/gh-demo/github?source=hookshot');

    // Headers: every pair as received, in order, case kept, the duplicate visible twice and marked.
    const stored = await getCapture(reply.captureId);
    const shown = await detail.locator('[data-testid=headers-table] tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]),
    );
    expect(shown).toEqual(stored.headers);
    const sent = hook.headers.map(([n, v]) => `${n}: ${v}`);
    const seen = shown.map(([n, v]) => `${n}: ${v}`);
    expect(seen.filter((l) => sent.includes(l))).toEqual(sent);
    const xff = detail.locator('[data-testid=headers-table] tr[data-name="x-forwarded-for"] th');
    expect(await xff.count()).toBe(2);
    expect(await xff.evaluateAll((ths) => ths.every((th) => th.classList.contains('dup')))).toBe(true);
    expect(await detail.locator('[data-testid=headers-table] tr[data-name="x-github-event"] th.dup').count()).toBe(0);

    // Query table.
    expect(await detail.locator('[data-testid=query-table] tr').evaluateAll((trs) => trs.map((tr) => tr.textContent))).toEqual(['sourcehookshot']);

    // JSON tree: opens first, keys and values as sent, containers collapse.
    const tree = detail.locator('[data-testid=json-tree]');
    await tree.waitFor();
    expect(await detail.locator('[data-testid=tab-json]').getAttribute('aria-selected')).toBe('true');
    const treeText = (await tree.textContent()) ?? '';
    expect(treeText).toContain('"full_name": "octo-org/hello-world"');
    expect(treeText).toContain('"stargazers_count": 42');
    expect(treeText).toContain('"message": "Retry failed deliveries with backoff"');
    const repoRow = tree.locator('.j-row', { has: page.locator('.j-key', { hasText: '"repository"' }) });
    expect(await repoRow.count()).toBe(1);
    await repoRow.locator('.j-toggle').click();
    expect(await repoRow.locator('..').getAttribute('data-open')).toBe('false');
    expect(await repoRow.locator('.j-more').textContent()).toBe('9 keys');
    expect(await tree.textContent()).not.toContain('"full_name"');

    // The Text tab is the body exactly; hex is its bytes.
    await detail.locator('[data-testid=tab-text]').click();
    expect(await detail.locator('[data-testid=text-view]').textContent()).toBe(hook.body);
    await detail.locator('[data-testid=tab-hex]').click();
    const first = detail.locator('[data-testid=hex-view] .hex-line').first();
    const bytes = Buffer.from(hook.body).subarray(0, 16);
    expect(await first.locator('.hex-off').textContent()).toBe('00000000');
    expect((await first.locator('.hex-bytes').textContent())?.replace(/\s+/g, '')).toBe(bytes.toString('hex'));
    expect(await first.locator('.hex-ascii').textContent()).toBe(bytes.toString('latin1'));
    const lines = await detail.locator('[data-testid=hex-view] .hex-line').count();
    expect(lines).toBe(Math.ceil(Buffer.byteLength(hook.body) / 16));

    // What hookbin answered.
    expect(await detail.locator('[data-testid=response-section] .status').textContent()).toBe('200');
    expect(await detail.locator('[data-testid=response-body]').textContent()).toBe('{"ok":true}');
    expect(errors).toEqual([]);
  });

  it('moves with j/k and the arrow keys, opens with Enter, and filters by text and method', async () => {
    const { page, errors } = await inspector();
    const a = await sendHook(`${server.binUrl}/stripe/events`, { ...stripeInvoicePaid() });
    const b = await sendHook(`${server.binUrl}/github`, { ...githubPush() });
    const c = await sendHook(`${server.binUrl}/orders/7`, { method: 'PUT', headers: [['Content-Type', 'text/plain']], body: 'shipped' });
    const list = page.locator('[data-testid=capture-list]');
    await page.locator(`[data-capture-id="${a.captureId}"]`).waitFor();
    await page.locator(`[data-capture-id="${c.captureId}"]`).waitFor();
    const selected = () => page.locator('[data-testid=capture-row][aria-selected=true]').getAttribute('data-capture-id');
    const shownDetail = () => page.locator('[data-testid=capture-detail]').getAttribute('data-capture-id');

    await page.locator('body').press('j');
    expect(await selected()).toBe(c.captureId);
    await page.locator(`[data-testid=capture-detail][data-capture-id="${c.captureId}"]`).waitFor();
    await page.locator('body').press('j');
    expect(await selected()).toBe(b.captureId);
    await page.locator('body').press('ArrowDown');
    expect(await selected()).toBe(a.captureId);
    await page.locator('body').press('j'); // clamped at the end
    expect(await selected()).toBe(a.captureId);
    await page.locator('body').press('k');
    expect(await selected()).toBe(b.captureId);
    await page.locator(`[data-testid=capture-detail][data-capture-id="${b.captureId}"]`).waitFor();
    expect(await shownDetail()).toBe(b.captureId);
    expect(await page.locator('main.layout').getAttribute('data-pane')).toBe('list');
    await page.locator('body').press('Enter');
    expect(await page.locator('main.layout').getAttribute('data-pane')).toBe('detail');

    const filter = page.locator('[data-testid=filter-input]');
    await filter.fill('stripe');
    // hookbin searches it (the path here), a moment after typing stops.
    await page.locator('[data-testid=capture-list][data-count="1"]').waitFor();
    expect(await page.locator('[data-testid=capture-row]').getAttribute('data-capture-id')).toBe(a.captureId);
    // Keys typed into the filter are text, not navigation.
    await filter.press('k');
    expect(await filter.inputValue()).toBe('stripek');
    await filter.press('Escape');
    await page.locator('[data-testid=capture-list][data-count="3"]').waitFor();

    await page.locator('[data-testid=method-filter]').selectOption('PUT');
    expect(await list.getAttribute('data-count')).toBe('1');
    expect(await page.locator('[data-testid=capture-row]').getAttribute('data-capture-id')).toBe(c.captureId);
    expect(await page.locator('[data-testid=filter-count]').textContent()).toContain('1 of 3');
    await filter.fill('nothing-matches');
    await page.locator('[data-testid=detail-placeholder]', { hasText: 'No capture holds “nothing-matches”' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('copies the bin URL, copies a cURL that replays the request byte-exactly, downloads the raw body, renames, deletes, clears', async () => {
    const { page, errors } = await inspector();
    await createBin(page, 'actions');
    const binUrl = `${server.origin}/b/actions`;
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

    await page.locator('[data-testid=copy-bin-url]').click();
    await page.locator('[data-testid=copy-bin-url][data-copied=ok]').waitFor();
    expect(await clipboard()).toBe(binUrl);

    // A body no shell or terminal would carry as text: NUL, invalid UTF-8, a quote, a trailing newline.
    const body = Buffer.concat([Buffer.from("it's \u00e9\0"), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('\n')]);
    const sent = await sendHook(`${binUrl}/raw/path%2Fkept?a=1&a=2&q=%E2%9C%93`, {
      method: 'PATCH',
      headers: [
        ['Content-Type', 'application/octet-stream'],
        ['X-Quote', `it's "quoted" $HOME \`id\``],
        ['x-dup', 'one'],
        ['X-Dup', 'two'],
        ['X-Empty', ''],
      ],
      body,
    });
    const row = page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`);
    await row.click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${sent.captureId}"]`);
    await detail.waitFor();

    // Copy as cURL, then run exactly what was copied: the bin gets the same request again.
    const replayOf = async (captureId: string) => {
      const detailOf = page.locator(`[data-testid=capture-detail][data-capture-id="${captureId}"]`);
      await detailOf.locator('[data-testid=copy-curl]').click();
      await detailOf.locator('[data-testid=copy-curl][data-copied=ok]').waitFor();
      const command = await clipboard();
      // Async: the server runs in this process, so a synchronous spawn would deadlock it.
      const { stdout } = await promisify(execFile)('sh', ['-c', `${command} --silent --include`], { timeout: 10_000 });
      const replayId = /x-hookbin-capture-id: (\S+)/i.exec(stdout)?.[1];
      expect(replayId).toBeTruthy();
      await page.locator(`[data-testid=capture-row][data-capture-id="${replayId}"]`).waitFor();
      const original = await getCapture(captureId);
      const replay = await getCapture(replayId!);
      expect(replay.bodyBase64).toBe(original.bodyBase64);
      expect([replay.method, replay.path, replay.query]).toEqual([original.method, original.path, original.query]);
      // curl owns the connection headers (Host, Content-Length, Connection); every other pair is the same, in order.
      const own = new Set(['host', 'content-length', 'connection']);
      const app = (h: Capture['headers']) => h.filter(([n]) => !own.has(n.toLowerCase()));
      expect(app(replay.headers)).toEqual(app(original.headers));
      return command;
    };
    const binaryCommand = await replayOf(sent.captureId);
    expect(binaryCommand).toContain(`'${binUrl}/raw/path%2Fkept?a=1&a=2&q=%E2%9C%93'`);
    expect(binaryCommand).toMatch(/^printf '%s' '[A-Za-z0-9+/=]+' \| base64 -d \| curl /);
    // A JSON webhook goes inline, readable, and still arrives byte for byte.
    const gh = await sendHook(`${binUrl}/github`, githubPush());
    await page.locator(`[data-testid=capture-row][data-capture-id="${gh.captureId}"]`).click();
    const jsonCommand = await replayOf(gh.captureId);
    expect(jsonCommand).toContain(`--data-raw '${githubPush().body}'`);
    // Header values with C1 controls (NEL, CSI) and a byte over 0x7F: none of them raw in the command, all of them sent again.
    const c1 = await sendHook(`${binUrl}/c1`, { headers: [['X-Nel', 'a\u0085b'], ['X-Csi', '\u009b31mred'], ['X-Latin', 'caf\u00e9'], ['Content-Type', 'text/plain']], body: 'c1' });
    await page.locator(`[data-testid=capture-row][data-capture-id="${c1.captureId}"]`).click();
    expect((await getCapture(c1.captureId)).headers).toEqual(expect.arrayContaining([['X-Nel', 'a\u0085b'], ['X-Csi', '\u009b31mred']]));
    const c1Command = await replayOf(c1.captureId);
    expect(c1Command).toMatch(/^[\x20-\x7e\n]*$/);
    await row.click();
    await detail.waitFor();

    // Download body: the exact bytes, fetched with the token in a header (no URL carries it).
    const [download] = await Promise.all([page.waitForEvent('download'), detail.locator('[data-testid=download-body]').click()]);
    expect(download.suggestedFilename()).toBe(`capture-${sent.captureId}.bin`);
    expect(readFileSync((await download.path())!).equals(body)).toBe(true);

    // Rename the bin.
    await page.locator('[data-testid=rename-bin]').click();
    await page.locator('[data-testid=rename-bin-input]').fill('Partner sandbox');
    await page.locator('[data-testid=rename-bin-input]').press('Enter');
    await page.locator('[data-testid=bin-item][data-bin-id="actions"] [data-testid=bin-select]', { hasText: 'Partner sandbox' }).waitFor();
    expect(((await (await server.api('/api/bins/actions')).json()) as { name: string }).name).toBe('Partner sandbox');

    // Delete one capture (asks first).
    await detail.locator('[data-testid=delete-capture]').click();
    await detail.locator('[data-testid=delete-capture-yes]').click();
    await row.waitFor({ state: 'detached' });
    expect((await server.api(`/api/captures/${sent.captureId}`)).status).toBe(404);
    // Left: the GitHub push and the C1 capture, with their replays.
    expect(await page.locator('[data-testid=bin-item][data-bin-id="actions"] [data-testid=bin-count]').textContent()).toBe('5');

    // Clear the bin: the empty state comes back.
    await page.locator('[data-testid=clear-bin]').click();
    await page.locator('[data-testid=clear-bin-yes]').click();
    await page.locator('[data-testid=empty-bin-hint]').waitFor();
    expect(((await (await server.api('/api/bins/actions/captures')).json()) as { captures: unknown[] }).captures).toEqual([]);

    // Delete the bin: it goes, and the inspector falls back to another.
    await page.locator('[data-testid=delete-bin]').click();
    await page.locator('[data-testid=delete-bin-yes]').click();
    await page.locator('[data-testid=bin-item][data-bin-id="actions"]').waitFor({ state: 'detached' });
    expect((await server.api('/api/bins/actions')).status).toBe(404);
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"][aria-current=true]`).waitFor();
    expect(errors).toEqual([]);
  });

  it('stays readable on narrow and medium windows: one pane or two, header names never squeezed', async () => {
    const { page, errors } = await inspector({ viewport: { width: 420, height: 800 } });
    const hook = githubPush();
    const sent = await sendHook(server.binUrl, { headers: hook.headers, body: hook.body });
    await page.locator(`[data-capture-id="${sent.captureId}"]`).click();
    await page.locator('[data-testid=capture-detail]').waitFor();
    expect(await page.locator('[data-testid=list-pane]').isVisible()).toBe(false);
    const th = page.locator('[data-testid=headers-table] tr[data-name="x-github-hook-installation-target-type"] th');
    const box = await th.boundingBox();
    // Before a fix, the name column shrank to one character a line.
    expect(box!.width).toBeGreaterThan(150);
    expect(box!.height).toBeLessThan(40);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await page.locator('[data-testid=back-to-list]').click();
    expect(await page.locator('[data-testid=list-pane]').isVisible()).toBe(true);

    // A medium window shows captures and detail; the bins give way rather than squeeze the detail to a sliver.
    await page.setViewportSize({ width: 900, height: 800 });
    const visible = async () =>
      Object.fromEntries(await Promise.all(['bins-pane', 'list-pane', 'detail-pane'].map(async (t) => [t, await page.locator(`[data-testid=${t}]`).isVisible()])));
    expect(await visible()).toEqual({ 'bins-pane': false, 'list-pane': true, 'detail-pane': true });
    expect((await page.locator('[data-testid=detail-pane]').boundingBox())!.width).toBeGreaterThan(450);
    await page.locator('[data-testid=back-to-bins]').click();
    expect(await visible()).toEqual({ 'bins-pane': true, 'list-pane': false, 'detail-pane': true });
    await page.locator(`[data-testid=bin-item][data-bin-id="${server.defaultBinId}"] [data-testid=bin-select]`).click();
    expect(await visible()).toEqual({ 'bins-pane': false, 'list-pane': true, 'detail-pane': true });
    expect(errors).toEqual([]);
  });

  it('renders a realistic bin at 1280×800, the request line staying in view over a scrolled detail (the README screenshot)', async () => {
    const { page, errors } = await inspector({ viewport: DESKTOP });
    await createBin(page, 'github-app');
    const url = `${server.origin}/b/github-app`;
    // The app's GitHub secret, so its push shows as verified.
    await server.api('/api/bins/github-app', { method: 'PATCH', body: JSON.stringify({ secrets: [{ name: 'github-app', value: GITHUB_SECRET, scheme: 'github' }] }) });
    await sendHook(`${url}/healthz`, { method: 'GET', headers: [['User-Agent', 'kube-probe/1.31']] });
    await sendHook(`${url}/stripe`, stripeInvoicePaid());
    await sendHook(`${url}/forms/contact`, {
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: 'name=Ada+Lovelace&email=ada%40example.com&topic=billing&topic=webhooks',
    });
    const gh = await sendHook(`${url}/github`, githubPush());
    await page.locator(`[data-capture-id="${gh.captureId}"]`).click();
    await page.locator('[data-testid=json-tree]').waitFor();
    expect(await page.locator('[data-testid=capture-row]').count()).toBe(4);
    // Read on to the body: the request line and its actions stay in view above it.
    await page.locator('[data-testid=detail-panel]').evaluate((scroller) => {
      const head = scroller.querySelector('.detail-head') as HTMLElement;
      const headers = scroller.querySelector('[data-testid=headers-section]') as HTMLElement;
      const row = headers.querySelector('tr[data-name="x-hub-signature-256"]') as HTMLElement;
      scroller.scrollTop = row.getBoundingClientRect().top - scroller.getBoundingClientRect().top - head.offsetHeight - 4;
    });
    const head = (await page.locator('[data-testid=capture-detail] .detail-head').boundingBox())!;
    const panel = (await page.locator('[data-testid=detail-panel]').boundingBox())!;
    expect(await page.locator('[data-testid=detail-panel]').evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
    expect(Math.abs(head.y - panel.y)).toBeLessThan(1);
    const png = await page.screenshot({ type: 'png' });
    // A PNG of exactly the viewport: width and height from the IHDR chunk.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([DESKTOP.width, DESKTOP.height]);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, png);
    expect(errors).toEqual([]);
  });
});
