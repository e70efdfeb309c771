/**
 * Your own scheme in the inspector, in Chromium against the real server:
 * the Secrets tab's scheme editor refuses a bad definition with the API's
 * own sentence, defines `acme`, a secret names it in the scheme picker, and
 * deliveries signed the acme way over real HTTP come out valid, and invalid
 * with a reason when the signature is wrong.
 */
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Bin, CapturePage } from '../../server/common/types.js';
import { browserSkipReason } from './browser.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

const LIVE = { timeout: 10_000, interval: 50 };
const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/custom-schemes.test.ts: ${skip}`);

const SECRET = 'acme-e2e-secret';

/** A body signed the acme way: `X-Acme-Signature: v1=` base64 HMAC-SHA512 of `{timestamp}.{body}`. */
function acmeSigned(secret: string, body: string): [string, string][] {
  const ts = String(Math.floor(Date.now() / 1000));
  const mac = createHmac('sha512', secret).update(`${ts}.${body}`).digest('base64');
  return [
    ['Content-Type', 'application/json'],
    ['X-Acme-Timestamp', ts],
    ['X-Acme-Signature', `v1=${mac}`],
  ];
}

describe.skipIf(skip !== null)('your own scheme in Chromium', () => {
  const env = useBrowserFreshServers();

  const badge = (page: Page, id: string) => page.locator(`[data-testid=capture-row][data-capture-id="${id}"] [data-testid=verdict-badge]`);

  it('defines acme in the Secrets tab, a secret names it, and acme deliveries are judged valid and invalid with a reason', async () => {
    const server = await env.start();
    const { page, errors } = await env.open(server);
    const binId = server.defaultBinId;

    await page.locator('[data-testid=view-secrets]').click();
    const form = page.locator('[data-testid=scheme-form]');
    await form.waitFor();
    await page.locator('[data-testid=scheme-id]').fill('acme');
    await page.locator('[data-testid=scheme-header]').fill('X-Acme-Signature');
    await page.locator('[data-testid=scheme-algorithm]').selectOption('sha512');
    await page.locator('[data-testid=scheme-encoding]').selectOption('base64');
    await page.locator('[data-testid=scheme-prefix]').fill('v1=');
    await page.locator('[data-testid=scheme-signed]').fill('{timestamp}.{payload}');
    await page.locator('[data-testid=scheme-timestampHeader]').fill('X-Acme-Timestamp');
    await page.locator('[data-testid=scheme-toleranceSec]').fill('300');
    await page.locator('[data-testid=scheme-save]').click();
    // The form says what the API would, before sending anything.
    const apiSays = await server.api(`/api/bins/${binId}`, {
      method: 'PATCH',
      body: JSON.stringify({ schemes: [{ id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=', signed: '{timestamp}.{payload}', timestampHeader: 'X-Acme-Timestamp', toleranceSec: 300 }] }),
    });
    expect(apiSays.status).toBe(400);
    const sentence = ((await apiSays.json()) as { error: { message: string } }).error.message;
    expect(await page.locator('[data-testid=scheme-error]').textContent()).toBe(sentence.replace(/^invalid [^:]+: (schemes: )?/, ''));

    await page.locator('[data-testid=scheme-signed]').fill('{timestamp}.{body}');
    await page.locator('[data-testid=scheme-save]').click();
    await page.locator('[data-testid=scheme-row]').waitFor();
    expect(((await (await server.api(`/api/bins/${binId}`)).json()) as Bin).schemes).toEqual([
      { id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=', signed: '{timestamp}.{body}', timestampHeader: 'X-Acme-Timestamp', toleranceSec: 300 },
    ]);

    // The secret's scheme picker lists it.
    await page.locator('[data-testid=secret-name]').fill('acme-key');
    await page.locator('[data-testid=secret-value]').fill(SECRET);
    await page.locator('[data-testid=secret-scheme]').selectOption('acme');
    await page.locator('[data-testid=secret-add]').click();
    const secretRow = page.locator('[data-testid=secret-row][data-name=acme-key]');
    await secretRow.waitFor();
    expect(await secretRow.locator('[data-testid=secret-row-scheme]').inputValue()).toBe('acme');

    await page.locator('[data-testid=view-captures]').click();
    const body = '{"order":42}';
    const good = await sendHook(server.binUrl, { headers: acmeSigned(SECRET, body), body });
    await expect.poll(() => badge(page, good.captureId).getAttribute('data-verdict'), LIVE).toBe('valid');

    const bad = await sendHook(server.binUrl, { headers: acmeSigned('not-the-secret', body), body });
    await expect.poll(() => badge(page, bad.captureId).getAttribute('data-verdict'), LIVE).toBe('invalid');
    await page.locator(`[data-testid=capture-row][data-capture-id="${bad.captureId}"]`).click();
    const sig = page.locator('[data-testid=signature][data-scheme=acme]');
    await expect.poll(() => sig.getAttribute('data-status'), LIVE).toBe('invalid');
    expect(await sig.locator('[data-testid=signature-diagnosis]').textContent()).toMatch(/no secret matches \(tried "acme-key"\)/);

    // The Send tab's scheme picker lists acme; a delivery signed with it into this bin is valid.
    await page.locator('[data-testid=view-send]').first().click();
    await page.locator('[data-testid=composer]').waitFor();
    await page.locator('[data-testid=composer-url]').fill(server.binUrl);
    await page.locator('[data-testid=composer-body]').fill('{"order":43}');
    await page.locator('[data-testid=composer-scheme]').selectOption('acme');
    await page.locator('[data-testid=composer-secret]').fill('acme-key');
    await page.locator('[data-testid=composer-send]').click();
    const delivery = page.locator('[data-testid=delivery][data-last=true]');
    await expect.poll(() => delivery.getAttribute('data-state'), { timeout: 15_000 }).toBe('delivered');
    const page1 = (await (await server.api(`/api/bins/${binId}/captures`)).json()) as CapturePage;
    expect(page1.captures[0]).toMatchObject({ verdict: 'valid' });
    expect(errors).toEqual([]);
  });
});
