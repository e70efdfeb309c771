/**
 * Signatures in the inspector, in Chromium against the real server: the
 * verdict badge, the signature panel with its diagnosis, the secrets editor
 * (add, change scheme without the value, remove) re-judging captures already
 * shown without a reload, the verdict filter with live captures, and no
 * secret value anywhere in the page.
 */
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Bin, Capture } from '../../server/common/types.js';
import type { TestServer } from '../support/helpers.js';
import { browserSkipReason } from './browser.js';
import { GITHUB_SECRET, githubPush } from './fixtures.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

/** Live updates travel WebSocket → refetch → render; on a busy 2-core machine give them time. */
const LIVE = { timeout: 10_000, interval: 50 };

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/signatures.test.ts: ${skip}`);

/** A body signed the seed-004 way (`X-Signature`: hex HMAC-SHA256 of the raw body). */
function xSigned(secret: string, body: string): { headers: [string, string][]; body: string } {
  return { body, headers: [['Content-Type', 'application/json'], ['X-Signature', createHmac('sha256', secret).update(body).digest('hex')]] };
}

/** Every place a secret could leak into the page: markup, attributes, text, form values. */
async function pageContains(page: Page, needle: string): Promise<boolean> {
  return page.evaluate((n) => {
    const values = [...document.querySelectorAll('input, textarea, select')].map((el) => (el as HTMLInputElement).value);
    return document.documentElement.outerHTML.includes(n) || document.body.innerText.includes(n) || values.some((v) => v.includes(n));
  }, needle);
}

describe.skipIf(skip !== null)('signatures in Chromium', () => {
  const env = useBrowserFreshServers();
  let server: TestServer;

  const row = (page: Page, id: string) => page.locator(`[data-testid=capture-row][data-capture-id="${id}"]`);
  const badge = (page: Page, id: string) => row(page, id).locator('[data-testid=verdict-badge]');
  const getCapture = async (id: string) => (await (await server.api(`/api/captures/${id}`)).json()) as Capture;
  const getBin = async (id: string) => (await (await server.api(`/api/bins/${id}`)).json()) as Bin;

  it('a secret added in the editor turns an earlier capture from "no secret" to "valid" without a reload; its scheme changes without the value; the value never reaches the page', async () => {
    server = await env.start();
    const ip = await env.open(server);
    const { page, errors } = ip;
    const binId = server.defaultBinId;
    // Every PATCH the page sends, to check what left the browser.
    const patches: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'PATCH') patches.push(req.postData() ?? '');
    });

    const hook = githubPush();
    const sent = await sendHook(server.binUrl, { headers: hook.headers, body: hook.body });
    await expect.poll(() => badge(page, sent.captureId).getAttribute('data-verdict'), LIVE).toBe('no-secret');
    expect(await badge(page, sent.captureId).textContent()).toBe('?no secret');
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    // The detail's signature panel: scheme, header, status and the sentence.
    await row(page, sent.captureId).click();
    const sig = page.locator('[data-testid=signature][data-scheme=github]');
    await sig.waitFor();
    expect(await sig.getAttribute('data-status')).toBe('no-secret');
    expect(await sig.locator('[data-testid=signature-header]').textContent()).toBe('X-Hub-Signature-256');
    expect(await sig.locator('[data-testid=signature-diagnosis]').textContent()).toContain('add a secret to check this signature');

    // The editor: add "gh" for GitHub. The value goes out once, in that PATCH, and is gone from the form after.
    await page.locator('[data-testid=open-secrets]').click();
    await page.locator('[data-testid=secrets-editor]').waitFor();
    await page.locator('[data-testid=secret-name]').fill('gh');
    await page.locator('[data-testid=secret-value]').fill(GITHUB_SECRET);
    await page.locator('[data-testid=secret-scheme]').selectOption('github');
    await page.locator('[data-testid=secret-add]').click();
    const ghRow = page.locator('[data-testid=secret-row][data-name=gh]');
    await ghRow.waitFor();
    const masked = (await getBin(binId)).secrets[0]!.value;
    expect(masked).not.toContain('Secret');
    expect(await ghRow.locator('[data-testid=secret-row-value]').textContent()).toBe(masked);
    expect(await ghRow.locator('[data-testid=secret-row-scheme]').inputValue()).toBe('github');
    expect(await page.locator('[data-testid=secret-value]').inputValue()).toBe('');
    expect(await pageContains(page, GITHUB_SECRET)).toBe(false);
    expect(await pageContains(page, 'Secret to Everybody')).toBe(false);

    // Back to the captures: the same row now says valid, and the open capture names the secret.
    await page.locator('[data-testid=view-captures]').click();
    await expect.poll(() => badge(page, sent.captureId).getAttribute('data-verdict'), LIVE).toBe('valid');
    expect(await badge(page, sent.captureId).textContent()).toBe('✓valid');
    await expect.poll(() => sig.getAttribute('data-status'), LIVE).toBe('valid');
    expect(await sig.locator('[data-testid=signature-secret]').textContent()).toBe('secret gh');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // Limit "gh" to Stripe, without typing the value: GitHub signatures have no secret then …
    await page.locator('[data-testid=view-secrets]').click();
    await ghRow.locator('[data-testid=secret-row-scheme]').selectOption('stripe');
    await page.locator('[data-testid=view-captures]').click();
    await expect.poll(() => badge(page, sent.captureId).getAttribute('data-verdict'), LIVE).toBe('no-secret');
    // … and back to GitHub: valid again, so the stored value was kept, not replaced by the mask.
    await page.locator('[data-testid=view-secrets]').click();
    await ghRow.locator('[data-testid=secret-row-scheme]').selectOption('github');
    await page.locator('[data-testid=view-captures]').click();
    await expect.poll(() => badge(page, sent.captureId).getAttribute('data-verdict'), LIVE).toBe('valid');
    expect((await getCapture(sent.captureId)).signatures[0]).toMatchObject({ status: 'valid', secret: 'gh' });

    // Remove it: no secret again.
    await page.locator('[data-testid=view-secrets]').click();
    await ghRow.locator('[data-testid=secret-remove]').click();
    await ghRow.locator('[data-testid=secret-remove-yes]').click();
    await page.locator('[data-testid=secrets-empty]').waitFor();
    await page.locator('[data-testid=view-captures]').click();
    await expect.poll(() => badge(page, sent.captureId).getAttribute('data-verdict'), LIVE).toBe('no-secret');

    // What left the browser: the value exactly once (the add), never a masked value sent back as one.
    expect(patches).toHaveLength(4);
    expect(patches.filter((b) => b.includes('Secret to Everybody'))).toHaveLength(1);
    for (const body of patches.slice(1)) {
      const secrets = (JSON.parse(body) as { secrets: { value?: string }[] }).secrets;
      expect(secrets.every((s) => s.value === undefined)).toBe(true);
    }
    expect(patches.some((b) => b.includes('…'))).toBe(false);
    expect(await pageContains(page, 'Secret to Everybody')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('a wrong secret set elsewhere shows "invalid" with the diagnosis live; the verdict filter keeps to its verdict as captures arrive; global secrets are read-only', async () => {
    const globalValue = 'whsec_c2VjcmV0LWZvci1ldmVyeS1iaW4tMDEyMzQ1Njc4OQ==';
    server = await env.start({ secrets: [{ name: 'ci-global', value: globalValue }] });
    const ip = await env.open(server);
    const { page, errors } = ip;
    const binId = server.defaultBinId;

    const gh = await sendHook(server.binUrl, githubPush());
    const plain = await sendHook(`${server.binUrl}/plain`, { headers: [['Content-Type', 'text/plain']], body: 'no signature here' });
    await row(page, plain.captureId).waitFor();
    // Only the global secret so far: it does not match, so the GitHub signature is invalid already.
    await expect.poll(() => badge(page, gh.captureId).getAttribute('data-verdict'), LIVE).toBe('invalid');
    expect(await badge(page, plain.captureId).getAttribute('data-verdict')).toBe('unsigned');
    expect(await badge(page, plain.captureId).textContent()).toBe('unsigned');

    await row(page, gh.captureId).click();
    const sig = page.locator('[data-testid=signature][data-scheme=github]');
    await sig.waitFor();

    // Another client (a script, a teammate's tab) sets the bin's secrets: a wrong one for GitHub and one for X-Signature.
    const res = await server.api(`/api/bins/${binId}`, {
      method: 'PATCH',
      body: JSON.stringify({ secrets: [{ name: 'gh', value: 'not-the-github-secret', scheme: 'github' }, { name: 'xs', value: 'x-signature-secret-42' }] }),
    });
    expect(res.status).toBe(200);
    // Live (captures.reverified): the open capture's diagnosis is refetched and names the secrets it tried.
    await expect.poll(async () => (await sig.locator('[data-testid=signature-diagnosis]').textContent()) ?? '', LIVE).toContain('"gh"');
    const stored = (await getCapture(gh.captureId)).signatures[0]!;
    expect(stored.status).toBe('invalid');
    expect(await sig.getAttribute('data-status')).toBe('invalid');
    expect(await sig.locator('[data-testid=signature-status]').textContent()).toBe('✗invalid');
    expect(await sig.locator('[data-testid=signature-diagnosis]').textContent()).toBe(stored.diagnosis);
    expect(stored.diagnosis).toMatch(/\.$/);
    expect(await sig.locator('[data-testid=signature-secret]').count()).toBe(0);

    const valid = await sendHook(`${server.binUrl}/x`, xSigned('x-signature-secret-42', '{"id":"evt_x1"}'));
    await expect.poll(() => badge(page, valid.captureId).getAttribute('data-verdict'), LIVE).toBe('valid');

    // The filter asks the server (?verdict=), so a page holds only matches; live captures join only when they match.
    const list = page.locator('[data-testid=capture-list]');
    const shown = () => page.locator('[data-testid=capture-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-capture-id')));
    const filter = page.locator('[data-testid=verdict-filter]');
    await filter.selectOption('invalid');
    await expect.poll(shown, LIVE).toEqual([gh.captureId]);
    await filter.selectOption('unsigned');
    await expect.poll(shown, LIVE).toEqual([plain.captureId]);
    await filter.selectOption('valid');
    await expect.poll(shown, LIVE).toEqual([valid.captureId]);
    const valid2 = await sendHook(`${server.binUrl}/x`, xSigned('x-signature-secret-42', '{"id":"evt_x2"}'));
    const unsigned2 = await sendHook(`${server.binUrl}/plain`, { body: 'again unsigned' });
    const wrong2 = await sendHook(`${server.binUrl}/x`, xSigned('a-wrong-one', '{"id":"evt_x3"}'));
    await expect.poll(shown, LIVE).toEqual([valid2.captureId, valid.captureId]);
    expect(await list.getAttribute('data-count')).toBe('2');
    // The bin's count still counts every capture.
    expect(await page.locator('[data-testid=capture-count]').textContent()).toContain('6 captures');
    await filter.selectOption('expired');
    await page.locator('[data-testid=detail-placeholder]', { hasText: 'No capture is expired.' }).waitFor();
    await filter.selectOption('');
    await expect.poll(shown, LIVE).toEqual([wrong2.captureId, unsigned2.captureId, valid2.captureId, valid.captureId, plain.captureId, gh.captureId]);
    expect(await badge(page, wrong2.captureId).getAttribute('data-verdict')).toBe('invalid');

    // The global secret: listed masked, read-only; the value appears nowhere.
    await page.locator('[data-testid=view-secrets]').click();
    const globals = page.locator('[data-testid=global-secrets]');
    await globals.waitFor();
    expect(await globals.locator('[data-testid=global-secret-row]').evaluateAll((trs) => trs.map((tr) => tr.textContent))).toEqual([
      'ci-global' + 'whsec_…OQ==' + 'any scheme',
    ]);
    expect(await globals.locator('input, select, button').count()).toBe(0);
    expect(await page.locator('[data-testid=secret-row]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-name')))).toEqual(['gh', 'xs']);
    for (const secret of [globalValue, 'not-the-github-secret', 'x-signature-secret-42']) expect(await pageContains(page, secret)).toBe(false);
    expect(errors).toEqual([]);
  });
});
