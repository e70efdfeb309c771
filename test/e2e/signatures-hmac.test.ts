/**
 * The signature panel in Chromium for the schemes of issue 17: a Paddle
 * delivery shows valid with the secret's name, and a Standard Webhooks
 * delivery dated ahead of the clock reads "ahead by N s", never "expired",
 * in the badge and in the diagnosis.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Capture } from '../../server/common/types.js';
import { schemeById } from '../../server/verify/index.js';
import { browserSkipReason } from './browser.js';
import { sendHook, useBrowserFreshServers } from './inspector.js';

const LIVE = { timeout: 10_000, interval: 50 };

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e/signatures-hmac.test.ts: ${skip}`);

describe.skipIf(skip !== null)('provider signatures in the signature panel', () => {
  const env = useBrowserFreshServers();
  const row = (page: Page, id: string) => page.locator(`[data-testid=capture-row][data-capture-id="${id}"]`);

  it('a Paddle delivery is valid; a Standard Webhooks one 10 minutes ahead reads "ahead by N s"', async () => {
    const paddleSecret = 'pdl_ntfset_01hv8x0m6kdx0vb2g1fsdp0qxq_e2e';
    const swSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const server = await env.start();
    const patched = await server.api(`/api/bins/${server.defaultBinId}`, {
      method: 'PATCH',
      body: JSON.stringify({
        secrets: [
          { name: 'paddle-live', value: paddleSecret, scheme: 'paddle' },
          { name: 'sw', value: swSecret, scheme: 'standard-webhooks' },
        ],
      }),
    });
    expect(patched.status).toBe(200);
    const { page, errors } = await env.open(server);
    const now = Math.floor(Date.now() / 1000);

    const paddleBody = '{"event_id":"evt_01e2e","event_type":"transaction.completed","data":{"id":"txn_01"}}';
    const paddleHeaders = schemeById('paddle')!.sign({ body: Buffer.from(paddleBody), secret: paddleSecret, now });
    const paddle = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json'], ...paddleHeaders], body: paddleBody });

    const swBody = '{"type":"invoice.paid"}';
    const ahead = 600;
    const swHeaders = schemeById('standard-webhooks')!.sign({ body: Buffer.from(swBody), secret: swSecret, now: now + ahead, id: 'msg_ahead' });
    const sw = await sendHook(server.binUrl, { headers: [['Content-Type', 'application/json'], ...swHeaders], body: swBody });

    await row(page, paddle.captureId).click();
    const paddleSig = page.locator('[data-testid=signature][data-scheme=paddle]');
    await paddleSig.waitFor(LIVE);
    expect(await paddleSig.getAttribute('data-status')).toBe('valid');
    expect(await paddleSig.locator('[data-testid=signature-status]').textContent()).toBe('✓valid');
    expect(await paddleSig.locator('[data-testid=signature-header]').textContent()).toBe('Paddle-Signature');
    expect(await paddleSig.locator('[data-testid=signature-secret]').textContent()).toContain('paddle-live');

    await row(page, sw.captureId).click();
    const swSig = page.locator('[data-testid=signature][data-scheme=standard-webhooks]');
    await swSig.waitFor(LIVE);
    // N as the server judged it on arrival (a little under 600 s on a slow machine).
    const stored = ((await (await server.api(`/api/captures/${sw.captureId}`)).json()) as Capture).signatures[0]!;
    expect(stored).toMatchObject({ scheme: 'standard-webhooks', status: 'expired' });
    const n = -stored.skewSeconds!;
    expect(n).toBeGreaterThan(300);
    expect(n).toBeLessThanOrEqual(ahead);
    const badge = (await swSig.locator('[data-testid=signature-status]').textContent()) ?? '';
    expect(badge).toBe(`✗ahead by ${n} s`);
    const diagnosis = (await swSig.locator('[data-testid=signature-diagnosis]').textContent()) ?? '';
    expect(diagnosis).toContain(`timestamp is ahead by ${n} s, over the 300 s allowed ahead`);
    expect(diagnosis).not.toMatch(/expired|ago/);
    expect(errors).toEqual([]);
  });
});
