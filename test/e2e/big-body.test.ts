/**
 * A 25 MiB capture in the inspector: the capture JSON carries its first
 * 256 KiB, the detail shows that part and loads the whole on demand, and the
 * hex view reads pages past it with Range requests. A body just over the
 * inline cap loads whole by itself (its JSON tree appears).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { openInspector, sendHook, useBrowserAndServer, type InspectorPage } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/big-body.test.ts: ${skip}`);

const MiB = 1024 * 1024;

/** Numbered lines of text, exactly `size` bytes, ending in a marker. */
function numberedText(size: number, end: string): Buffer {
  const line = (n: number) => `line ${String(n).padStart(8, '0')} ${'abcdefghij'.repeat(5)}\n`;
  const lineBytes = line(0).length;
  const count = Math.floor((size - end.length) / lineBytes);
  const text = Array.from({ length: count }, (_, i) => line(i + 1)).join('');
  return Buffer.from(text + '.'.repeat(size - end.length - text.length) + end);
}

async function openCapture(ip: InspectorPage, captureId: string) {
  const row = ip.page.locator(`[data-testid=capture-row][data-capture-id="${captureId}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  const detail = ip.page.locator(`[data-testid=capture-detail][data-capture-id="${captureId}"]`);
  await detail.waitFor({ timeout: 15_000 });
  return detail;
}

describe.skipIf(skip !== null)('a large capture in the inspector', () => {
  const env = useBrowserAndServer();

  it('shows the inline part, loads the whole body on demand, and pages the hex view by range', async () => {
    const server = env.server();
    const size = 25 * MiB;
    const body = numberedText(size, 'THE-END!');
    const reply = await sendHook(server.binUrl, { headers: [['Content-Type', 'text/plain']], body });
    expect(reply.status).toBe(200);
    const ip = await openInspector(env.browser(), server);
    const ranges: string[] = [];
    ip.page.on('request', (r) => {
      if (r.url().includes(`/api/captures/${reply.captureId}/body`)) ranges.push(r.headers()['range'] ?? 'whole');
    });
    try {
      const detail = await openCapture(ip, reply.captureId);
      const partial = detail.locator('[data-testid=body-partial]');
      await expect.poll(() => partial.textContent(), { timeout: 10_000 }).toMatch(/Showing the first 256 KiB of 25(\.0)? MiB/);
      const text = detail.locator('[data-testid=text-view]');
      expect(await text.textContent()).toContain('line 00000001 abcdefghij');
      expect(await text.textContent()).not.toContain('THE-END!');
      // Nothing was read past the inline part yet.
      expect(ranges).toEqual([]);

      // The hex view's last page comes from the server by range.
      await detail.locator('[data-testid=tab-hex]').click();
      await detail.locator('[data-testid=hex-last]').click();
      await expect.poll(() => detail.locator('[data-testid=hex-page-info]').textContent()).toMatch(/of 25(\.0)? MiB · page 6400\/6400/);
      const lastLine = detail.locator('[data-testid=hex-view] .hex-line').last();
      await expect.poll(() => lastLine.textContent(), { timeout: 10_000 }).toContain('THE-END!');
      expect(await lastLine.locator('.hex-off').textContent()).toBe((size - 16).toString(16).padStart(8, '0'));
      expect(ranges).toEqual([`bytes=${size - 4096}-${size - 1}`]);

      // The text view loads the whole body when asked.
      await detail.locator('[data-testid=tab-text]').click();
      await detail.locator('[data-testid=load-whole-body]').click();
      await partial.waitFor({ state: 'detached', timeout: 30_000 });
      expect(ranges.at(-1)).toBe('whole');
      await expect.poll(() => detail.textContent(), { timeout: 10_000 }).toContain(`Show all ${size.toLocaleString('en-US')} characters`);
      expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await ip.context.close();
    }
  }, 120_000);

  it('loads a body just over the inline part whole by itself: its JSON tree appears', async () => {
    const server = env.server();
    const items = Array.from({ length: 6000 }, (_, i) => ({ id: `item_${i}`, note: 'x'.repeat(80) }));
    const json = JSON.stringify({ id: 'evt_big', items, last: 'the-last-field' });
    expect(json.length).toBeGreaterThan(256 * 1024);
    expect(json.length).toBeLessThan(MiB);
    const reply = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json']], body: json });
    const ip = await openInspector(env.browser(), server);
    try {
      const detail = await openCapture(ip, reply.captureId);
      await detail.locator('[data-testid=tab-json]').waitFor({ timeout: 15_000 });
      expect(await detail.locator('[data-testid=body-partial]').count()).toBe(0);
      await expect.poll(() => detail.textContent(), { timeout: 10_000 }).toContain('the-last-field');
      expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await ip.context.close();
    }
  }, 60_000);

  it('decodes a large gzip body a first part at a time, and all of it when asked', async () => {
    const server = env.server();
    const plain = numberedText(2 * MiB, 'DECODED-END');
    const reply = await sendHook(server.binUrl, { headers: [['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], body: gzipSync(plain) });
    const ip = await openInspector(env.browser(), server);
    const asked: string[] = [];
    ip.page.on('request', (r) => {
      if (r.url().includes(`/api/captures/${reply.captureId}/body?decoded=true`)) asked.push(r.headers()['range'] ?? 'whole');
    });
    try {
      const detail = await openCapture(ip, reply.captureId);
      const view = detail.locator('[data-testid=decoded-view]');
      await expect.poll(() => view.textContent(), { timeout: 15_000 }).toContain('The first 256 KiB after undoing gzip');
      expect(await view.textContent()).not.toContain('DECODED-END');
      expect(asked).toEqual([`bytes=0-${256 * 1024}`]);
      await view.locator('[data-testid=load-whole-decoded]').click();
      await expect.poll(() => detail.locator('[data-testid=decoded-view]').textContent(), { timeout: 15_000 }).toMatch(/^2(\.0)? MiB after undoing gzip/);
      expect(asked.at(-1)).toBe('whole');
      expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await ip.context.close();
    }
  }, 60_000);
  it('a binary body over 1 MiB: the hex view says it shows a part and offers the whole, and cURL says where the body file comes from', async () => {
    const server = env.server();
    const size = 3 * MiB;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 13 + 0x80) & 0xff;
    const reply = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/octet-stream']], body });
    const ip = await openInspector(env.browser(), server);
    const reads: string[] = [];
    ip.page.on('request', (r) => {
      if (r.url().includes(`/api/captures/${reply.captureId}/body`)) reads.push(r.headers()['range'] ?? 'whole');
    });
    try {
      const detail = await openCapture(ip, reply.captureId);
      await detail.locator('[data-testid=hex-view]').waitFor();
      const partial = detail.locator('[data-testid=body-partial]');
      await expect.poll(() => partial.textContent(), { timeout: 10_000 }).toMatch(/Showing the first 256 KiB of 3(\.0)? MiB/);
      // Copy as cURL reads the body from the file Download body saves, and says so.
      expect(await detail.locator('[data-testid=curl-body-file]').textContent()).toContain(`capture-${reply.captureId}.bin`);
      await detail.locator('[data-testid=show-curl]').click();
      const curl = (await detail.locator('[data-testid=curl-text]').textContent()) ?? '';
      expect(curl.split('\n')[0]).toBe(`# the body is read from capture-${reply.captureId}.bin: save it with Download body first`);
      expect(curl).toContain(`--data-binary '@capture-${reply.captureId}.bin'`);
      await detail.locator('[data-testid=load-whole-body]').click();
      await partial.waitFor({ state: 'detached', timeout: 30_000 });
      expect(reads).toEqual(['whole']);
      // The last page is at hand now: no range read.
      await detail.locator('[data-testid=hex-last]').click();
      await expect.poll(() => detail.locator('[data-testid=hex-view] .hex-line').last().locator('.hex-off').textContent()).toBe((size - 16).toString(16).padStart(8, '0'));
      expect(reads).toEqual(['whole']);
      expect(ip.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await ip.context.close();
    }
  }, 60_000);

  it('the decoded view of an empty decoded body (gzip of nothing) shows it empty, not an error', async () => {
    const server = env.server();
    const reply = await sendHook(server.binUrl, { headers: [['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], body: gzipSync(Buffer.alloc(0)) });
    const ip = await openInspector(env.browser(), server);
    try {
      const detail = await openCapture(ip, reply.captureId);
      const view = detail.locator('[data-testid=decoded-view]');
      await expect.poll(() => view.textContent(), { timeout: 15_000 }).toMatch(/^0 B after undoing gzip/);
      expect(await view.textContent()).toContain('No body.');
      expect(await detail.locator('[data-testid=decoded-error]').count()).toBe(0);
    } finally {
      await ip.context.close();
    }
  }, 60_000);

  it('a body read still running when the capture is left is aborted', async () => {
    const server = env.server();
    const big = await sendHook(server.binUrl, { headers: [['Content-Type', 'text/plain']], body: numberedText(4 * MiB, 'END') });
    const other = await sendHook(server.binUrl, { method: 'POST', body: 'small' });
    const ip = await openInspector(env.browser(), server);
    const failed: string[] = [];
    ip.page.on('requestfailed', (r) => {
      if (r.url().includes(`/api/captures/${big.captureId}/body`)) failed.push(r.failure()?.errorText ?? '?');
    });
    // Hold the whole-body read: it stays pending until the page gives it up.
    await ip.page.route(`**/api/captures/${big.captureId}/body`, () => undefined);
    try {
      const detail = await openCapture(ip, big.captureId);
      await detail.locator('[data-testid=load-whole-body]').click();
      await detail.locator('[data-testid=body-loading]').waitFor();
      await openCapture(ip, other.captureId);
      await expect.poll(() => failed, { timeout: 10_000 }).toEqual(['net::ERR_ABORTED']);
    } finally {
      await ip.context.close();
    }
  }, 60_000);
});
