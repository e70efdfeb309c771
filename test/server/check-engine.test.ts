/**
 * The check engine (outbound/check.ts) against small local receivers over
 * real HTTP: one verifying with the provider's own library, one accepting
 * everything, one verifying but ignoring timestamps, one too slow; each
 * report judged check by check.
 */
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../server/common/check.js';
import type { CustomSchemeDef } from '../../server/common/custom-scheme.js';
import { CHECK_REPLY_BYTES, runChecks } from '../../server/outbound/check.js';
import { exchange, outboundHeaders, targetOf } from '../../server/outbound/exchange.js';
import { otherSecret } from '../../server/outbound/check-deliveries.js';
import { startTarget } from '../support/target.js';
import { acceptAll, ownSchemeReceiver, standardReceiver, stripeReceiver, twilioReceiver, useApps } from '../support/check-apps.js';

const app = useApps();
const STRIPE_SECRET = 'whsec_check_engine_test_secret';
const STANDARD_SECRET = `whsec_${Buffer.from('hookbin-check-standard-32-bytes!').toString('base64')}`;

/** The outcome of each check, by id, in the report's order. */
const outcomes = (r: CheckReport) => Object.fromEntries(r.results.map((x) => [x.check, x.outcome]));
const byId = (r: CheckReport, id: string) => r.results.find((x) => x.check === id)!;

describe('hookbin check: the engine', () => {
  it('passes an endpoint that verifies with stripe.webhooks.constructEvent', async () => {
    const a = await app(stripeReceiver(STRIPE_SECRET));
    const report = await runChecks({ to: a.url, scheme: 'stripe', secret: STRIPE_SECRET });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', 'stale-timestamp': 'pass', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    expect(report).toMatchObject({ passed: true, scheme: 'stripe', template: 'stripe', timeoutMs: 10_000, to: a.url });
    expect(report.results.map((r) => r.check)).toEqual(['valid', 'wrong-signature', 'missing-signature', 'tampered-body', 'stale-timestamp', 'replay', 'timeout', 'retry']);
    // One request per sending check, one at a time; the replay is the valid delivery byte for byte, sent right after it.
    expect(a.requests).toHaveLength(6);
    expect(a.requests[1]!.body.equals(a.requests[0]!.body)).toBe(true);
    expect(a.requests[1]!.headers).toEqual(a.requests[0]!.headers);
    expect(byId(report, 'wrong-signature')).toMatchObject({ summary: expect.stringMatching(/^answered 400 Bad Request in \d+ ms to a delivery signed with another secret: refused$/), reply: { status: 400, bodyExcerpt: expect.stringContaining('Webhook Error') } });
    expect(byId(report, 'missing-signature').sent!.headers.some(([n]) => n.toLowerCase() === 'stripe-signature')).toBe(false);
    expect(byId(report, 'stale-timestamp').summary).toMatch(/signed 3900 s ago, outside the 300 s the provider allows/);
    expect(byId(report, 'retry').summary).toMatch(/--retry-header/);
    expect(byId(report, 'timeout').summary).toMatch(/^the valid delivery was answered in \d+ ms; hookbin waits 10000 ms, as the provider documents no timeout$/);
    for (const r of report.results) expect(r.why.length).toBeGreaterThan(20);
  });

  it('fails wrong-signature, missing-signature, tampered-body and stale-timestamp at an endpoint that accepts everything', async () => {
    const a = await app(acceptAll);
    const report = await runChecks({ to: a.url, scheme: 'stripe', secret: STRIPE_SECRET });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'fail', 'missing-signature': 'fail', 'tampered-body': 'fail', 'stale-timestamp': 'fail', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    expect(report.passed).toBe(false);
    expect(byId(report, 'wrong-signature').summary).toMatch(/^answered 200 OK in \d+ ms to a delivery signed with another secret: it was accepted$/);
    expect(byId(report, 'wrong-signature').why).toBe('an endpoint that accepts a wrong signature accepts forged events');
  });

  it('fails only stale-timestamp at an endpoint that verifies the signature but ignores its timestamp', async () => {
    const a = await app(stripeReceiver(STRIPE_SECRET, { toleranceSec: 10 ** 9 }));
    const report = await runChecks({ to: a.url, scheme: 'stripe', secret: STRIPE_SECRET });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', 'stale-timestamp': 'fail', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
  });

  it("fails valid and timeout at a correct endpoint that answers after the provider's timeout, and says the refusals prove nothing", async () => {
    const a = await app(stripeReceiver(STRIPE_SECRET, { delayMs: 1500 }));
    const report = await runChecks({ to: a.url, scheme: 'stripe', secret: STRIPE_SECRET, timeoutMs: 300 });
    expect(outcomes(report)).toEqual({
      valid: 'fail', 'wrong-signature': 'skip', 'missing-signature': 'skip', 'tampered-body': 'skip', 'stale-timestamp': 'skip', replay: 'skip', timeout: 'fail', retry: 'skip',
    });
    expect(report.timeoutMs).toBe(300);
    expect(byId(report, 'valid')).toMatchObject({ reply: { status: null, error: 'no complete answer within 300 ms' } });
    expect(byId(report, 'wrong-signature').summary).toMatch(/^answered 400 Bad Request in \d+ ms to a delivery signed with another secret, but the valid delivery was not accepted either, so this proves nothing$/);
    // The timeout was given, so it is not called the provider's (nor hookbin's).
    expect(byId(report, 'timeout').summary).toBe('the valid delivery was not answered in time: the timeout given is 300 ms');
  });

  it('asks whether the secret is the one the endpoint verifies with when it refuses the valid delivery', async () => {
    const a = await app(stripeReceiver(STRIPE_SECRET));
    const report = await runChecks({ to: a.url, scheme: 'stripe', secret: 'whsec_not_the_endpoints' });
    expect(byId(report, 'valid')).toMatchObject({
      outcome: 'fail',
      summary: expect.stringMatching(/^answered 400 Bad Request in \d+ ms to a correctly signed delivery; the provider counts anything but 2xx as failed and retries it; is the secret the one it verifies with\?$/),
    });
  });

  it("says what the provider does with a failed delivery: Stripe retries it, GitHub never sends it again, and nothing is claimed for Discord", async () => {
    // An endpoint whose verification throws (a 500) instead of refusing, and that is down for the valid delivery too.
    const a = await app(() => ({ status: 500, body: 'Internal Server Error' }));
    const summary = async (scheme: string, secret: string, check: string) => byId(await runChecks({ to: a.url, scheme, secret }), check).summary;
    expect(await summary('stripe', STRIPE_SECRET, 'valid')).toMatch(/; the provider counts anything but 2xx as failed and retries it$/);
    expect(await summary('github', 'gh-secret', 'valid')).toMatch(/; the provider counts anything but 2xx as failed and does not send it again$/);
    expect(await summary('discord', otherSecret('discord', ''), 'valid')).toMatch(/; the provider counts anything but 2xx as failed$/);

    const verify = stripeReceiver(STRIPE_SECRET);
    const throwing = await app((req) => (verify(req).status === 200 ? { status: 200 } : { status: 500, body: 'TypeError' }));
    const report = await runChecks({ to: throwing.url, scheme: 'stripe', secret: STRIPE_SECRET });
    expect(byId(report, 'wrong-signature').summary).toMatch(
      /^answered 500 Internal Server Error in \d+ ms to a delivery signed with another secret; the provider counts that as a failed delivery and retries it: refuse with 400, 401 or 403$/,
    );
  });

  it('passes an endpoint that verifies with standardwebhooks, at the preset timeout', async () => {
    const a = await app(standardReceiver(STANDARD_SECRET));
    const report = await runChecks({ to: a.url, scheme: 'standard-webhooks', secret: STANDARD_SECRET });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', 'stale-timestamp': 'pass', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    expect(report.timeoutMs).toBe(15_000);
    expect(report.template).toBe('standard-webhooks');
    expect(byId(report, 'timeout').summary).toMatch(/^the valid delivery was answered in \d+ ms; Standard Webhooks \/ Svix waits 15000 ms$/);
  });

  it("skips stale-timestamp for a scheme that signs no timestamp, and signs Twilio's for the public URL", async () => {
    const token = 'twilio-auth-token-for-check-0001';
    const publicUrl = 'https://abc.tunnel.example/twilio/sms';
    const a = await app(twilioReceiver(token, publicUrl), '/twilio/sms');
    const report = await runChecks({ to: a.url, scheme: 'twilio', secret: token, publicUrl });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', 'stale-timestamp': 'skip', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    // The report names where the requests went, and the URL signed instead.
    expect(report.to).toBe(a.url);
    expect(report.signedUrl).toBe(publicUrl);
    expect(byId(report, 'valid').sent!.url).toBe(a.url);
    expect(byId(report, 'stale-timestamp').summary).toBe('twilio signs no timestamp, so a stale delivery cannot be told from a fresh one');

    // Signed for the URL as sent instead, Twilio's own check refuses even the valid delivery, and the report says what to look at.
    const unsigned = await runChecks({ to: a.url, scheme: 'twilio', secret: token });
    expect(byId(unsigned, 'valid').summary).toMatch(
      /^answered 403 Forbidden in \d+ ms to a correctly signed delivery; the provider counts anything but 2xx as failed and retries it; is the secret the one it verifies with, and the URL signed the one its provider is configured with \(the public URL\)\?$/,
    );
    expect(unsigned.to).toBe(a.url);
    expect(unsigned).not.toHaveProperty('signedUrl');
    expect(outcomes(unsigned)).toMatchObject({ valid: 'fail', 'wrong-signature': 'skip', replay: 'skip' });
  });

  it("checks a user's own scheme, its tolerance included", async () => {
    const def: CustomSchemeDef = { id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha256', encoding: 'hex', signed: '{timestamp}.{body}', timestampHeader: 'X-Acme-Timestamp', toleranceSec: 120 };
    const a = await app(ownSchemeReceiver('acme-secret', def.header, def.timestampHeader!, 120));
    const report = await runChecks({ to: a.url, scheme: 'acme', custom: def, secret: 'acme-secret' });
    expect(outcomes(report)).toEqual({
      valid: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass', 'stale-timestamp': 'pass', replay: 'pass', timeout: 'pass', retry: 'skip',
    });
    expect(report).toMatchObject({ scheme: 'acme', template: 'generic-api', timeoutMs: 10_000 });
    expect(byId(report, 'stale-timestamp').summary).toMatch(/signed 3720 s ago, outside the 120 s your scheme allows \(toleranceSec\)/);
    expect(byId(report, 'timeout').summary).toMatch(/; hookbin waits 10000 ms, as your scheme names no provider timeout$/);

    const untimed = await runChecks({ to: a.url, scheme: 'acme', custom: { ...def, toleranceSec: undefined }, secret: 'acme-secret' });
    expect(byId(untimed, 'stale-timestamp')).toMatchObject({ outcome: 'skip', summary: 'your scheme "acme" sets no toleranceSec for a signed {timestamp}, so a stale delivery cannot be told from a fresh one' });
  });

  it('replays the valid delivery before the forgeries, so a short tolerance (Paddle allows 5 s) has not run out when the endpoint is slow to refuse them', async () => {
    // The endpoint's clock moves 2 s per request it receives (a slow link, a busy app), without the test waiting for it.
    const def: CustomSchemeDef = { id: 'brisk', header: 'X-Brisk-Signature', algorithm: 'sha256', encoding: 'hex', signed: '{timestamp}.{body}', timestampHeader: 'X-Brisk-Timestamp', toleranceSec: 5 };
    const started = Math.floor(Date.now() / 1000);
    let received = 0;
    const verify = ownSchemeReceiver('brisk-secret', def.header, def.timestampHeader!, 5);
    const a = await app((req) => {
      const clock = started + 2 * received++;
      const ts = Number(req.parsed['x-brisk-timestamp']);
      if (Math.abs(clock - ts) > 5) return { status: 401, body: 'stale' };
      return verify(req);
    });
    const report = await runChecks({ to: a.url, scheme: 'brisk', custom: def, secret: 'brisk-secret' });
    expect(outcomes(report)).toMatchObject({ valid: 'pass', replay: 'pass', 'wrong-signature': 'pass', 'missing-signature': 'pass', 'tampered-body': 'pass' });
    // The report keeps its order: the replay is listed after the forgeries.
    expect(report.results.map((r) => r.check)).toEqual(['valid', 'wrong-signature', 'missing-signature', 'tampered-body', 'stale-timestamp', 'replay', 'timeout', 'retry']);
  });

  it('with a retry header, sends a delivery the endpoint fails, then redelivers it on the compressed schedule', async () => {
    const verify = stripeReceiver(STRIPE_SECRET);
    const a = await app((req) => (req.headers.some(([n]) => n === 'X-Fail') ? { status: 503, body: 'asked to fail' } : verify(req)));
    const waits: number[] = [];
    const report = await runChecks({ to: a.url, scheme: 'stripe', secret: STRIPE_SECRET, retryHeader: ['X-Fail', '1'] }, { sleep: async (ms) => void waits.push(ms) });
    const retry = byId(report, 'retry');
    expect(retry.outcome).toBe('info');
    expect(retry.summary).toMatch(/^attempt 1 with X-Fail: 1 got 503 in \d+ ms; attempt 2, 1 s later \(1 h on Stripe's schedule\), got 200 in \d+ ms: the retry was accepted$/);
    expect(waits).toEqual([1000]);
    expect(retry.sent!.headers).toContainEqual(['X-Fail', '1']);
    expect(retry.reply!.status).toBe(200);
    // The retry is the same event: same body, the header dropped, signed afresh.
    const [first, second] = a.requests.slice(-2);
    expect(second!.body.equals(first!.body)).toBe(true);
    expect(second!.headers.some(([n]) => n === 'X-Fail')).toBe(false);
    expect(report.passed).toBe(true);
  });

  it('reads an answer only as far as its excerpt needs', async () => {
    const big = 'é'.repeat(300_000);
    const a = await app(() => ({ status: 200, body: big }));
    const report = await runChecks({ to: a.url, scheme: 'github', secret: 'gh-secret' });
    const valid = byId(report, 'valid');
    expect(valid.outcome).toBe('pass');
    expect(valid.reply!.bodyExcerpt).toBe('é'.repeat(2048));
    // The exchange keeps no more than it is asked to, and drops the connection after that.
    const target = targetOf(a.url);
    const r = await exchange({ method: 'GET', target, headers: outboundHeaders([], target, 'GET', 0), body: new Uint8Array(), timeoutMs: 5000, maxReplyBytes: CHECK_REPLY_BYTES });
    expect(r.status).toBe(200);
    expect(r.response!.body.length).toBe(CHECK_REPLY_BYTES);
    expect(r.response!.truncated).toBe(true);
  });

  it('checks an https endpoint with a self-signed certificate only with insecure', async () => {
    const t = await startTarget(undefined, { tls: true });
    try {
      const strict = await runChecks({ to: `${t.origin}/hook`, scheme: 'github', secret: 'gh-secret' });
      expect(byId(strict, 'valid')).toMatchObject({ outcome: 'fail', reply: { status: null, error: expect.stringMatching(/^tls: /) } });
      const insecure = await runChecks({ to: `${t.origin}/hook`, scheme: 'github', secret: 'gh-secret', insecure: true });
      expect(byId(insecure, 'valid').outcome).toBe('pass');
      expect(byId(insecure, 'timeout')).toMatchObject({ outcome: 'pass', reply: { status: 200 } });
    } finally {
      await t.close();
    }
  });

  it("masks the password of an endpoint URL with credentials in the report, while the endpoint gets it", async () => {
    const a = await app(acceptAll);
    const to = a.url.replace('http://', 'http://hooks:s3cr3t-pw@');
    const report = await runChecks({ to, scheme: 'github', secret: 'gh-secret' });
    expect(a.requests[0]!.headers).toContainEqual(['Authorization', `Basic ${Buffer.from('hooks:s3cr3t-pw').toString('base64')}`]);
    expect(byId(report, 'wrong-signature').sent).toMatchObject({ url: to.replace('s3cr3t-pw', '***'), headers: expect.arrayContaining([['Authorization', 'Basic ***']]) });
    expect(report.to).toBe(to.replace('s3cr3t-pw', '***'));
    const json = JSON.stringify(report);
    expect(json).not.toContain('s3cr3t-pw');
    expect(json).not.toContain(Buffer.from('hooks:s3cr3t-pw').toString('base64'));
  });

  it("judges Discord's answer against the 3 s Discord waits, and says why its signed timestamp gets no stale check", async () => {
    const a = await app(acceptAll);
    const report = await runChecks({ to: a.url, scheme: 'discord', secret: otherSecret('discord', '') });
    expect(report.timeoutMs).toBe(3000);
    expect(byId(report, 'timeout').summary).toMatch(/^the valid delivery was answered in \d+ ms; Discord waits 3000 ms$/);
    expect(byId(report, 'stale-timestamp')).toMatchObject({
      outcome: 'skip',
      summary: 'discord signs a timestamp but documents no window for it (nor does its own library check one), so a stale delivery cannot be told from a fresh one',
    });
    const mailgun = await runChecks({ to: a.url, scheme: 'mailgun', secret: 'mg-key' });
    expect(byId(mailgun, 'stale-timestamp').summary).toMatch(/^mailgun signs a timestamp but documents no window/);
    expect(byId(mailgun, 'timeout').summary).toMatch(/; hookbin waits 10000 ms, as the provider documents no timeout$/);
  });

  it('says a Mailgun delivery without its signature carries none in its body', async () => {
    const a = await app(acceptAll);
    const report = await runChecks({ to: a.url, scheme: 'mailgun', secret: 'mg-key' });
    expect(byId(report, 'missing-signature').summary).toMatch(/^answered 200 OK in \d+ ms to a delivery whose body carries no signature: it was accepted$/);
    expect(JSON.parse(byId(report, 'missing-signature').sent!.body)).not.toHaveProperty('signature');
    expect(JSON.parse(byId(report, 'valid').sent!.body)).toHaveProperty('signature.signature');
  });
});
