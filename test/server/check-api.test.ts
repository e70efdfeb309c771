/**
 * `POST /api/check` through the app (`createApp` + `app.request`), against
 * local receivers over real HTTP: the report as the engine makes it,
 * secrets and schemes named by a bin or `--secret`/`--schemes`, and every
 * bad input refused with the API's error body.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../server/common/check.js';
import type { CustomSchemeDef } from '../../server/common/custom-scheme.js';
import { createApp } from '../../server/http/app.js';
import { hostPolicy } from '../../server/http/security.js';
import { openStore } from '../../server/store/index.js';
import { acceptAll, ownSchemeReceiver, stripeReceiver, useApps } from '../support/check-apps.js';

const TOKEN = 't0k3n-check-api';
const STRIPE_SECRET = 'whsec_check_api_secret';
const ACME: CustomSchemeDef = { id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha256', encoding: 'hex', signed: '{timestamp}.{body}', timestampHeader: 'X-Acme-Timestamp', toleranceSec: 60 };

const store = openStore({ file: null, maxCapturesPerBin: 100 });
const app = createApp({
  store,
  token: TOKEN,
  hosts: hostPolicy('127.0.0.1'),
  maxBody: 1024,
  webRoot: null,
  version: 'test',
  globalSecrets: [{ name: 'stripe-live', value: STRIPE_SECRET }],
  globalSchemes: [ACME],
});
afterAll(() => store.close());
const apps = useApps();

function check(body: unknown, token = TOKEN): Promise<Response> {
  return Promise.resolve(
    app.request('http://127.0.0.1/api/check', {
      method: 'POST',
      headers: { host: '127.0.0.1', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}
const outcomes = (r: CheckReport) => Object.fromEntries(r.results.map((x) => [x.check, x.outcome]));

describe('POST /api/check', () => {
  it('answers 200 with the report, the secret named by --secret', async () => {
    const a = await apps(stripeReceiver(STRIPE_SECRET));
    const res = await check({ to: a.url, scheme: 'stripe', secret: 'stripe-live', timeoutMs: 5000 });
    expect(res.status).toBe(200);
    const report = (await res.json()) as CheckReport;
    expect(report).toMatchObject({ to: a.url, scheme: 'stripe', template: 'stripe', timeoutMs: 5000, passed: true });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', 'stale-timestamp': 'pass', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    expect(report.results[0]!.sent).toMatchObject({ method: 'POST', url: a.url, headers: expect.arrayContaining([['Stripe-Signature', expect.stringMatching(/^t=\d+,v1=[0-9a-f]{64}$/)]]) });
  });

  it("reports the forgeries an endpoint accepts, and runs the retry check with retryHeader", async () => {
    const a = await apps((req) => (req.parsed['x-fail'] ? { status: 500 } : acceptAll()));
    const res = await check({ to: a.url, scheme: 'github', secret: 'gh-secret', template: 'github', retryHeader: 'X-Fail: yes' });
    const report = (await res.json()) as CheckReport;
    expect(report.passed).toBe(false);
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'fail', 'missing-signature': 'fail', 'tampered-body': 'fail', 'stale-timestamp': 'skip', replay: 'pass', timeout: 'pass', retry: 'info',
    });
    expect(report.results.at(-1)!.summary).toMatch(/^attempt 1 with X-Fail: yes got 500 in \d+ ms: GitHub makes no retry \(never: GitHub does not redeliver failed deliveries automatically; .*\)$/);
  });

  it("checks with a bin's secret and a user's own scheme (--schemes, or the bin's)", async () => {
    const b = store.createBin({ id: 'check-bin', name: 'check', createdAt: Date.now(), settings: { secrets: [{ name: 'acme-key', value: 'acme-secret' }], schemes: [{ ...ACME, id: 'acme-own' }] } as never });
    expect(b).toBeTruthy();
    const a = await apps(ownSchemeReceiver('acme-secret', ACME.header, ACME.timestampHeader!, 60));
    for (const scheme of ['acme', 'acme-own']) {
      const res = await check({ to: a.url, scheme, secret: 'acme-key', bin: 'check-bin' });
      expect(res.status).toBe(200);
      const report = (await res.json()) as CheckReport;
      expect(report.passed, scheme).toBe(true);
      expect(report.scheme).toBe(scheme);
    }
    // A bin's own scheme needs its bin.
    const res = await check({ to: a.url, scheme: 'acme-own', secret: 'acme-secret' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_request', message: expect.stringContaining('scheme "acme-own" is neither built in nor defined in --schemes') } });
  });

  it.each([
    ['no body', '', /to: /],
    ['not JSON', '{', /not valid JSON/],
    ['no to', { scheme: 'stripe', secret: 'x' }, /^invalid body: to: /],
    ['a relative to', { to: '/webhook', scheme: 'stripe', secret: 'x' }, /to: must be an absolute http:\/\/ or https:\/\/ URL/],
    ['an unknown scheme', { to: 'http://127.0.0.1:9/', scheme: 'Nope!', secret: 'x' }, /scheme: not a scheme id/],
    ['an empty secret', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: '' }, /secret: a secret must not be empty/],
    ['an unknown template', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: 'x', template: 'nope' }, /template: template is one of/],
    ['a zero timeout', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: 'x', timeoutMs: 0 }, /timeoutMs/],
    ['a timeout over a minute', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: 'x', timeoutMs: 60_001 }, /timeoutMs is at most 60000/],
    ['a bad retry header', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: 'x', retryHeader: 'no colon' }, /retryHeader must be 'Name: value'/],
    ['a bad public URL', { to: 'http://127.0.0.1:9/', scheme: 'twilio', secret: 'x', publicUrl: 'ftp://x' }, /publicUrl: must be an absolute/],
    ['an unknown field', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: 'x', sign: {} }, /Unrecognized key/],
    ['a bad bin id', { to: 'http://127.0.0.1:9/', scheme: 'stripe', secret: 'x', bin: 'A B' }, /bin: not a bin id/],
  ])('refuses %s with 400', async (_what, body, message) => {
    const res = await check(body);
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toMatch(/^invalid_(request|json)$/);
    expect(err.error.message).toMatch(message);
  });

  it('answers 404 for an unknown bin, 422 for a secret that cannot sign, 401 without the token, and sends nothing then', async () => {
    const a = await apps(acceptAll);
    expect((await check({ to: a.url, scheme: 'stripe', secret: 'x', bin: 'no-such-bin' })).status).toBe(404);
    const res = await check({ to: a.url, scheme: 'discord', secret: 'not-a-key' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: { code: 'cannot_sign', message: expect.stringMatching(/^cannot sign with discord: /) } });
    expect((await check({ to: a.url, scheme: 'stripe', secret: 'x' }, 'wrong')).status).toBe(401);
    expect(a.requests).toHaveLength(0);
  });

  it('refuses a third check while two run, with 429', async () => {
    const a = await apps(() => ({ status: 200, delayMs: 10_000 }));
    const first = [check({ to: a.url, scheme: 'github', secret: 'x', timeoutMs: 20_000 }), check({ to: a.url, scheme: 'github', secret: 'x', timeoutMs: 20_000 })];
    while (a.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
    const third = await check({ to: a.url, scheme: 'github', secret: 'x' });
    expect(third.status).toBe(429);
    expect(await third.json()).toEqual({ error: { code: 'check_busy', message: '2 checks are running; try again when one has finished' } });
    // Closing the endpoint ends the two runs at once (their requests are reset).
    await a.close();
    for (const res of await Promise.all(first)) expect(res.status).toBe(200);
    expect((await check({ to: a.url, scheme: 'github', secret: 'x' })).status).toBe(200);
  });
});
