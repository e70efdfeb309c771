/**
 * Export and import in Chromium: the bin header's Export menu downloads
 * NDJSON and HAR under hookbin's file names with the exact bytes, and Import
 * adds a file's captures to another bin (the list reloads, the header says
 * how many) or, for a bad line, says which line and adds nothing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectJson } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/transfer.test.ts: ${skip}`);

describe.skipIf(skip !== null)('export and import in the inspector', () => {
  const env = useBrowserFreshServers();

  it('exports NDJSON and HAR as downloads, imports the NDJSON into another bin, and names a bad line', async () => {
    const server = await env.start();
    const binId = server.defaultBinId;
    const binary = randomBytes(1500);
    await sendHook(`${server.binUrl}/bytes`, { headers: [['Content-Type', 'application/octet-stream'], ['X-Dup', 'a'], ['X-Dup', 'b']], body: binary });
    await sendHook(`${server.binUrl}/json`, { headers: [['Content-Type', 'application/json']], body: '{"ok":1}' });
    await expectJson(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'imported' }) }), 201);
    const { page, errors } = await env.open(server);
    const rows = page.locator('[data-testid=capture-row]');
    await expect.poll(() => rows.count()).toBe(2);

    await page.locator('[data-testid=export-bin]').click();
    const [nd] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-ndjson]').click()]);
    expect(nd.suggestedFilename()).toMatch(new RegExp(`^hookbin-${binId}-\\d{4}-\\d\\d-\\d\\d\\.ndjson$`));
    const ndPath = (await nd.path())!;
    const lines = readFileSync(ndPath, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ hookbin: 'export', version: 1, bin: { id: binId } });
    const first = JSON.parse(lines[1]!) as { path: string; body: string; headers: string[][] };
    expect(first.path).toBe('/bytes');
    expect(Buffer.from(first.body, 'base64').equals(binary)).toBe(true);
    expect(first.headers.filter(([n]) => n === 'X-Dup')).toEqual([['X-Dup', 'a'], ['X-Dup', 'b']]);

    await page.locator('[data-testid=export-bin]').click();
    const [har] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-har]').click()]);
    expect(har.suggestedFilename()).toMatch(/\.har$/);
    const log = (JSON.parse(readFileSync((await har.path())!, 'utf8')) as { log: { version: string; entries: { request: { postData?: { encoding?: string } } }[] } }).log;
    expect(log.version).toBe('1.2');
    expect(log.entries[0]!.request.postData?.encoding).toBe('base64');

    // Into the other bin: the list reloads with both, the header says so.
    await page.locator('[data-testid=bin-item][data-bin-id=imported] [data-testid=bin-select]').click();
    await expect.poll(() => page.locator('[data-testid=capture-count]').textContent()).toBe('0 captures');
    await page.locator('[data-testid=import-file]').setInputFiles(ndPath);
    const noticeText = page.locator('[data-testid=transfer-notice-text]');
    await expect.poll(() => noticeText.textContent()).toMatch(/^Imported 2 captures from \S+\.$/);
    await expect.poll(() => rows.count()).toBe(2);
    await expect.poll(() => page.locator('[data-testid=capture-count]').textContent()).toBe('2 captures');
    await rows.filter({ hasText: '/bytes' }).click();
    await page.locator('[data-testid=capture-detail]').waitFor();
    // The sentence is about the bin imported into: another bin's header does not carry it.
    await page.locator(`[data-testid=bin-item][data-bin-id="${binId}"] [data-testid=bin-select]`).click();
    await expect.poll(() => page.locator('[data-testid=capture-count]').textContent()).toBe('2 captures');
    await expect.poll(() => page.locator('[data-testid=transfer-notice]').count()).toBe(0);
    await page.locator('[data-testid=bin-item][data-bin-id=imported] [data-testid=bin-select]').click();
    await expect.poll(() => noticeText.textContent()).toMatch(/^Imported 2 captures from \S+\.$/);
    await rows.filter({ hasText: '/bytes' }).click();

    // A bad line: the notice names it, nothing is added.
    const bad = `${lines[0]}\n${lines[1]}\n{"method":"POST"}\n`;
    await page.locator('[data-testid=import-file]').setInputFiles({ name: 'bad.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(bad) });
    const notice = page.locator('[data-testid=transfer-notice]');
    await expect.poll(() => notice.getAttribute('data-tone')).toBe('error');
    expect(await noticeText.textContent()).toMatch(/^bad\.ndjson was not imported: line 3: \S/);
    expect(await rows.count()).toBe(2);
    expect(((await (await server.api('/api/bins/imported')).json()) as { captureCount: number }).captureCount).toBe(2);
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  });

  it('an empty bin says there is nothing to export instead of saving an empty file; Escape closes the menu back onto Export', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server);
    await expect.poll(() => page.locator('[data-testid=capture-count]').textContent()).toBe('0 captures');
    let downloads = 0;
    page.on('download', () => downloads++);
    const exportButton = page.locator('[data-testid=export-bin]');
    await exportButton.click();
    await page.locator('[data-testid=export-ndjson]').click();
    await expect.poll(() => page.locator('[data-testid=transfer-notice-text]').textContent()).toBe('This bin has no captures yet: there is nothing to export.');
    expect(await page.locator('[data-testid=transfer-notice]').getAttribute('data-tone')).toBe('ok');

    // Keyboard: into the menu with Tab, out with Escape, the focus back on Export.
    await exportButton.focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=export-har]').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('export-ndjson');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=export-har]').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('export-bin');
    // An Escape pressed as soon as the menu is on the page, before the next frame, closes it too
    // (Preact renders in a microtask; an effect that waits for a frame would not be listening yet).
    const closedAtOnce = await page.evaluate(async () => {
      const microtasks = async () => {
        for (let i = 0; i < 3; i++) await Promise.resolve();
      };
      document.querySelector<HTMLButtonElement>('[data-testid=export-bin]')!.click();
      await microtasks();
      const opened = document.querySelector('[data-testid=export-har]') !== null;
      document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      await microtasks();
      return { opened, closed: document.querySelector('[data-testid=export-har]') === null };
    });
    expect(closedAtOnce).toEqual({ opened: true, closed: true });

    // The first capture makes it exportable.
    await sendHook(server.binUrl, { body: 'now there is one' });
    await expect.poll(() => page.locator('[data-testid=capture-count]').textContent()).toBe('1 capture');
    await exportButton.click();
    const [nd] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-ndjson]').click()]);
    expect(readFileSync((await nd.path())!, 'utf8').trimEnd().split('\n')).toHaveLength(2);
    expect(downloads).toBe(1);
    expect(errors).toEqual([]);
  });
});
