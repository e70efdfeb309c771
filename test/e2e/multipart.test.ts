/**
 * A multipart/form-data webhook in Chromium, sent as a real client sends a
 * form with a file: the Parts tab opens first and shows each part's name,
 * filename, size, headers, and its content as text or a hex dump; each part
 * downloads as its exact bytes; the Text tab shows any body as text, bytes
 * that are not UTF-8 marked; hostile names and contents stay text.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/multipart.test.ts: ${skip}`);

const BOUNDARY = '----hookbinFormBoundary3xYz';
/** A tiny PNG's first bytes and more that are not UTF-8, a CRLF and dashes among them. */
const FILE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe, 0x0d, 0x0a, 0x2d, 0x2d, 0x41]);
/** Markup in a part's name and content: no double quote, so it stays one quoted name. */
const XSS = `<img src=x onerror=document.title='pwned'>`;

function formBody(): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhello, wörld ${XSS}\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${XSS}"; filename="../../pixel.png"\r\nContent-Type: image/png\r\n\r\n`),
    FILE,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

describe.skipIf(skip !== null)('multipart bodies in Chromium', () => {
  const env = useBrowserFreshServers();

  it('open on their parts: names, filename, size, headers, text or hex, a download per part; and as text', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server, { bypassCSP: true });
    const body = formBody();
    const sent = await sendHook(`${server.binUrl}/upload`, { headers: [['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`]], body });
    await page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`).click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${sent.captureId}"]`);
    await detail.waitFor();

    // The Parts tab opens first, beside Hex and Text.
    const tabs = detail.locator('[data-testid=body-tabs] [role=tab]');
    expect(await tabs.allTextContents()).toEqual(['Parts', 'Hex', 'Text']);
    expect(await detail.locator('[data-testid=tab-parts]').getAttribute('aria-selected')).toBe('true');
    const parts = detail.locator('[data-testid=part]');
    expect(await parts.count()).toBe(2);
    expect(await detail.locator('[data-testid=parts-summary]').textContent()).toBe(`2 parts · boundary ${BOUNDARY}`);
    expect(await detail.locator('[data-testid=parts-notes]').count()).toBe(0);

    const field = parts.nth(0);
    expect(await field.locator('[data-testid=part-name]').textContent()).toBe('comment');
    expect(await field.locator('[data-testid=part-filename]').count()).toBe(0);
    expect(await field.locator('[data-testid=part-size]').textContent()).toBe(`${Buffer.byteLength(`hello, wörld ${XSS}`)} B`);
    expect(await field.locator('[data-testid=part-text]').textContent()).toBe(`hello, wörld ${XSS}`);

    const file = parts.nth(1);
    expect(await file.locator('[data-testid=part-name]').textContent()).toBe(XSS);
    expect(await file.locator('[data-testid=part-filename]').textContent()).toBe('../../pixel.png');
    expect(await file.locator('[data-testid=part-size]').textContent()).toBe(`${FILE.length} B · image/png`);
    expect(await file.locator('[data-testid=part-headers] tr[data-name="content-type"] td').textContent()).toBe('image/png');
    const hexLine = file.locator('[data-testid=hex-view] .hex-line').first();
    expect(await hexLine.textContent()).toContain('89 50 4e 47 0d 0a 1a 0a');

    // Each part downloads as its exact bytes, under a name with no directory in it.
    const [fileDownload] = await Promise.all([page.waitForEvent('download'), file.locator('[data-testid=part-download]').click()]);
    expect(fileDownload.suggestedFilename()).toBe('pixel.png');
    expect(readFileSync((await fileDownload.path())!).equals(FILE)).toBe(true);
    const [fieldDownload] = await Promise.all([page.waitForEvent('download'), field.locator('[data-testid=part-download]').click()]);
    expect(fieldDownload.suggestedFilename()).toBe(`capture-${sent.captureId}-part-1.bin`);
    expect(readFileSync((await fieldDownload.path())!).toString('utf8')).toBe(`hello, wörld ${XSS}`);

    // The Text tab shows the whole body as text, each byte that is not UTF-8 marked.
    await detail.locator('[data-testid=tab-text]').click();
    const text = detail.locator('[data-testid=text-view]');
    const expected = new TextDecoder().decode(body);
    expect(await text.textContent()).toBe(expected);
    const marks = [...expected].filter((ch) => ch === '\uFFFD').length;
    expect(marks).toBeGreaterThan(0);
    expect(await text.locator('mark.bad-byte').count()).toBe(marks);
    expect(await detail.locator('[data-testid=lossy-note]').textContent()).toContain(`${marks} places that did not decode`);

    // Captured markup stayed text everywhere, even with the CSP off.
    expect(await detail.locator('img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(errors).toEqual([]);
  });

  it('open on their parts once decoded when sent gzip-compressed, a part saved under the capture\'s name', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server);
    const sent = await sendHook(server.binUrl, {
      headers: [
        ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
        ['Content-Encoding', 'gzip'],
      ],
      body: gzipSync(formBody()),
    });
    await page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`).click();
    const decoded = page.locator(`[data-testid=capture-detail][data-capture-id="${sent.captureId}"] [data-testid=decoded-view]`);
    await decoded.waitFor();
    expect(await decoded.locator('[data-testid=decoded-tab-parts]').getAttribute('aria-selected')).toBe('true');
    expect(await decoded.locator('[data-testid=part-name]').allTextContents()).toEqual(['comment', XSS]);
    const [download] = await Promise.all([page.waitForEvent('download'), decoded.locator('[data-testid=part-download]').first().click()]);
    expect(download.suggestedFilename()).toBe(`capture-${sent.captureId}-part-1.bin`);
    expect(errors).toEqual([]);
  });

  it('say what is odd about a malformed body and still show what parses', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server);
    // No boundary in the Content-Type, bare LFs, and no closing boundary.
    const body = Buffer.from('--xyz\nContent-Disposition: form-data; name="a"\n\none\n--xyz\nContent-Disposition: form-data; name="b"\n\ntwo, cut sh');
    const sent = await sendHook(server.binUrl, { headers: [['Content-Type', 'multipart/form-data']], body });
    await page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`).click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${sent.captureId}"]`);
    await detail.locator('[data-testid=parts-view]').waitFor();
    // A text body still has its text before the hex dump.
    expect(await detail.locator('[data-testid=body-tabs] [role=tab]').allTextContents()).toEqual(['Parts', 'Text', 'Hex']);
    expect(await detail.locator('[data-testid=part-name]').allTextContents()).toEqual(['a', 'b']);
    expect(await detail.locator('[data-testid=part-text]').allTextContents()).toEqual(['one', 'two, cut sh']);
    expect(await detail.locator('[data-testid=parts-notes] li').allTextContents()).toEqual([
      'the Content-Type names no boundary',
      "read the boundary from the body's first line instead (--xyz)",
      'no closing boundary: the body ends inside the last part',
    ]);
    expect(await detail.locator('[data-testid=part]').nth(1).locator('[data-testid=part-size]').textContent()).toContain('cut short');
    expect(errors).toEqual([]);
  });

  it('show a filename disguised by a right-to-left override as it is, and save it under a name without it', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server);
    // Read right to left after U+202E, "invoice\u202Efdp.exe" looks like "invoiceexe.pdf".
    const name = 'invoice\u202Efdp.exe';
    const body = Buffer.from(`--b\r\nContent-Disposition: form-data; name="f\u200Bx"; filename="${name}"\r\n\r\nMZ\r\n--b--\r\n`);
    const sent = await sendHook(server.binUrl, { headers: [['Content-Type', 'multipart/form-data; boundary=b']], body });
    await page.locator(`[data-testid=capture-row][data-capture-id="${sent.captureId}"]`).click();
    const detail = page.locator(`[data-testid=capture-detail][data-capture-id="${sent.captureId}"]`);
    await detail.locator('[data-testid=parts-view]').waitFor();
    expect(await detail.locator('[data-testid=part-filename]').textContent()).toBe('invoice[U+202E]fdp.exe');
    expect(await detail.locator('[data-testid=part-name]').textContent()).toBe('f[U+200B]x');
    expect(await detail.locator('[data-testid=part-headers] td').first().textContent()).toBe('form-data; name="f[U+200B]x"; filename="invoice[U+202E]fdp.exe"');
    const [download] = await Promise.all([page.waitForEvent('download'), detail.locator('[data-testid=part-download]').click()]);
    expect(download.suggestedFilename()).toBe('invoice_fdp.exe');
    expect(errors).toEqual([]);
  });
});
