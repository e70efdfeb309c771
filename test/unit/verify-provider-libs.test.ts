/**
 * Cross-checks with the providers' own npm libraries, both ways: what our
 * `sign` makes, their verifier accepts; what they make (or what their
 * verifier accepts, where the library only verifies) ours accepts.
 *
 * - Square: `square`'s WebhooksHelper.verifySignature (it only verifies).
 * - HubSpot: `@hubspot/api-client`'s Signature (v3: getSignature and isValid).
 * - Linear: `@linear/sdk/webhooks`' LinearWebhookClient.verify (it only verifies).
 *
 * Their verifiers read the clock (Date.now()), so these tests sign as of now.
 * `@shopify/shopify-api` is not used: its webhook validation is reached only
 * through `shopifyApi({...})` with an app's full configuration and a runtime
 * adapter, and hookbin's Shopify scheme is already checked against
 * Shopify's documented examples.
 */
import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { WebhooksHelper } from 'square';
import { describe, expect, it } from 'vitest';
import { hubspotUrl } from '../../server/verify/schemes/hubspot.js';
import { schemeById, type HeaderPair, type Scheme, type SchemeId, type VerifyInput } from '../../server/verify/index.js';

const scheme = (id: SchemeId): Scheme => schemeById(id)!;
const nowSec = () => Math.floor(Date.now() / 1000);
const header = (headers: readonly HeaderPair[], name: string) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

describe('square: square (WebhooksHelper)', () => {
  const s = scheme('square');
  const key = 'Qz7bXv2mJd9hP1sK8wRt4A';
  const url = 'https://abc.tunnel.example/b/square?x=1';
  const body = '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.created","event_id":"13b867cf-db3d-4b1c-90b6-2f32a9d78124","data":{"type":"payment","id":"KkAkhdMsgzn59SM8A89WgKwekxLZY"}}';
  const theirs = (signatureHeader: string, notificationUrl = url, requestBody = body, signatureKey = key) =>
    WebhooksHelper.verifySignature({ requestBody, signatureHeader, signatureKey, notificationUrl });

  it("our signature is accepted by Square's verifier, for that URL, body and key only", async () => {
    const [[name, value]] = s.sign({ body: Buffer.from(body), secret: key, now: nowSec(), url, method: 'POST' }) as [HeaderPair];
    expect(name).toBe('x-square-hmacsha256-signature');
    expect(await theirs(value)).toBe(true);
    expect(await theirs(value, 'http://127.0.0.1:7777/b/square?x=1')).toBe(false);
    expect(await theirs(value, url, body.replace('payment.created', 'payment.updated'))).toBe(false);
    expect(await theirs(value, url, body, `${key}x`)).toBe(false);
  });

  it("a signature Square's verifier accepts is valid for us, and one it refuses is not", async () => {
    const good = createHmac('sha256', key).update(url + body).digest('base64');
    const other = createHmac('sha256', key).update('http://127.0.0.1:7777/b/square?x=1' + body).digest('base64');
    const ours = (sig: string) => s.verify({ headers: [['x-square-hmacsha256-signature', sig]], body: Buffer.from(body), now: nowSec(), method: 'POST', url }, key).status;
    expect(await theirs(good)).toBe(true);
    expect(ours(good)).toBe('valid');
    expect(await theirs(other)).toBe(false);
    expect(ours(other)).toBe('invalid');
  });
});

describe('hubspot: @hubspot/api-client (Signature v3)', () => {
  const s = scheme('hubspot');
  const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
  const body = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"appId":54321,"occurredAt":1767225580000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeFlag":"CREATED","changeSource":"CRM"}]';
  // HubSpot's library signs the URL it is given: the caller decodes it as HubSpot's v3 docs say.
  const sent = 'https://abc.tunnel.example/b/hub?from=a%40b.example&next=%2Fx%3Fy';

  it("our signature is accepted by HubSpot's Signature.isValid (over the URL as HubSpot decodes it)", () => {
    const headers = s.sign({ body: Buffer.from(body), secret: clientSecret, now: nowSec(), url: sent, method: 'POST' });
    const signature = header(headers, 'X-HubSpot-Signature-v3')!;
    const timestamp = Number(header(headers, 'X-HubSpot-Request-Timestamp'));
    const check = (o: { url?: string; requestBody?: string; clientSecret?: string; method?: string }) =>
      Signature.isValid({ signatureVersion: 'v3', signature, method: 'POST', clientSecret, requestBody: body, url: hubspotUrl(sent), timestamp, ...o });
    expect(check({})).toBe(true);
    expect(check({ url: 'http://127.0.0.1:7777/b/hub' })).toBe(false);
    expect(check({ requestBody: body.replace('CREATED', 'DELETED') })).toBe(false);
    expect(check({ clientSecret: `${clientSecret}x` })).toBe(false);
    expect(check({ method: 'PUT' })).toBe(false);
  });

  it("HubSpot's own v3 signature is valid for us, received at the URL as sent", () => {
    const timestamp = Date.now() - 20_000;
    const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret, requestBody: body, url: hubspotUrl(sent), timestamp });
    const input = (t: number, at = sent): VerifyInput => ({
      headers: [['X-HubSpot-Signature-v3', signature], ['X-HubSpot-Request-Timestamp', String(t)]],
      body: Buffer.from(body),
      now: Math.floor(timestamp / 1000) + 20,
      method: 'POST',
      url: at,
    });
    expect(s.verify(input(timestamp), clientSecret)).toEqual({ status: 'valid', skewSeconds: 20 });
    expect(s.verify(input(timestamp + 1), clientSecret).status).toBe('invalid');
    expect(s.verify(input(timestamp, 'http://127.0.0.1:7777/b/hub'), clientSecret).status).toBe('invalid');
  });

  it('both refuse a timestamp more than 5 minutes old', () => {
    const old = Date.now() - 301_000;
    const signature = Signature.getSignature('POST', 'v3', { signature: '', clientSecret, requestBody: body, url: hubspotUrl(sent), timestamp: old });
    expect(() => Signature.isValid({ signatureVersion: 'v3', signature, clientSecret, requestBody: body, url: hubspotUrl(sent), timestamp: old })).toThrow(/Timestamp is invalid/);
    const ours = s.verify(
      { headers: [['X-HubSpot-Signature-v3', signature], ['X-HubSpot-Request-Timestamp', String(old)]], body: Buffer.from(body), now: nowSec(), method: 'POST', url: sent },
      clientSecret,
    );
    expect(ours.status).toBe('expired');
  });
});

describe('linear: @linear/sdk (LinearWebhookClient)', () => {
  const s = scheme('linear');
  const secret = 'lin_wh_Zx9aQ3Lm0PqRsT7uVw2yB4cD6eF8gH';
  const client = new LinearWebhookClient(secret);
  const bodyAt = (ms: number, extra: Record<string, unknown> = {}) =>
    Buffer.from(JSON.stringify({ action: 'create', type: 'Issue', data: { id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9', title: 'Retry webhooks' }, webhookTimestamp: ms, webhookId: 'w1', ...extra }));

  it("our signature is accepted by Linear's verify, for that body and secret only", () => {
    const body = bodyAt(Date.now());
    const sig = header(s.sign({ body, secret, now: nowSec() }), 'Linear-Signature')!;
    expect(client.verify(body, sig)).toBe(true);
    expect(() => client.verify(bodyAt(Date.now(), { action: 'update' }), sig)).toThrow(/Invalid webhook signature/);
    expect(() => new LinearWebhookClient(`${secret}x`).verify(body, sig)).toThrow(/Invalid webhook signature/);
  });

  it("a signature Linear's verify accepts is valid for us; both refuse a webhookTimestamp over a minute off", () => {
    const ms = Date.now();
    const body = bodyAt(ms);
    const sig = createHmac('sha256', secret).update(body).digest('hex');
    expect(client.verify(body, sig)).toBe(true);
    expect(s.verify({ headers: [['Linear-Signature', sig]], body, now: nowSec() }, secret).status).toBe('valid');
    const stale = bodyAt(ms - 120_000);
    const staleSig = createHmac('sha256', secret).update(stale).digest('hex');
    expect(() => client.verify(stale, staleSig)).toThrow(/Invalid webhook timestamp/);
    expect(s.verify({ headers: [['Linear-Signature', staleSig]], body: stale, now: nowSec() }, secret).status).toBe('expired');
  });
  it('both refuse a correctly signed body without a numeric webhookTimestamp', () => {
    for (const body of [Buffer.from('{"type":"Issue","action":"create"}'), Buffer.from('{"type":"Issue","webhookTimestamp":"1767225600000"}')]) {
      const sig = createHmac('sha256', secret).update(body).digest('hex');
      expect(() => client.verify(body, sig), body.toString()).toThrow(/webhook timestamp/);
      const ours = s.verify({ headers: [['Linear-Signature', sig]], body, now: nowSec() }, secret);
      expect(ours.status, body.toString()).toBe('malformed');
    }
  });

});
