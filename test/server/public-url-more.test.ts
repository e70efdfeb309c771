/**
 * Square and HubSpot sign the URL they post to: through the real server, a
 * delivery signed for a tunnel's URL is valid with --public-url and invalid
 * with a diagnosis naming --public-url without it. A SendGrid event batch is
 * valid with the verification key and invalid with another one. Signatures
 * are made as the providers document them (by hand with node:crypto, which
 * is how Square's and HubSpot's libraries compute them).
 */
import { createHmac, generateKeyPairSync, sign as ecSign } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Capture, CapturePage } from '../../server/common/types.js';
import { cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const TUNNEL = 'https://abc-123.tunnel.example';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Posts to the bin at `target` and resolves to the capture, checking that the stored verdict agrees with the detail's. */
async function post(s: TestServer, target: string, headers: [string, string][], body: string): Promise<Capture> {
  const res = await fetch(`${s.origin}${target}`, { method: 'POST', headers: [['Content-Type', 'application/json'], ...headers], body });
  expect(res.status).toBe(200);
  const id = res.headers.get('x-hookbin-capture-id')!;
  const capture = (await (await s.api(`/api/captures/${id}`)).json()) as Capture;
  const page = (await (await s.api(`/api/bins/${s.defaultBinId}/captures?limit=1`)).json()) as CapturePage;
  expect(page.captures[0]).toMatchObject({ id, verdict: capture.signatures[0]!.status });
  return capture;
}

const SQUARE_KEY = 'sq-signature-key-Qz7bXv2mJd9hP1sK';
const SQUARE_BODY = JSON.stringify({
  merchant_id: '6SSW7HV8K2ST5',
  type: 'payment.created',
  event_id: '13b867cf-db3d-4b1c-90b6-2f32a9d78124',
  created_at: '2026-12-01T23:00:00.000Z',
  data: { type: 'payment', id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY', object: { payment: { id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY', status: 'APPROVED' } } },
});

async function squareThroughTunnel(s: TestServer): Promise<Capture> {
  const target = `/b/${s.defaultBinId}/square`;
  const signature = createHmac('sha256', SQUARE_KEY).update(`${TUNNEL}${target}${SQUARE_BODY}`).digest('base64');
  return post(s, target, [['x-square-hmacsha256-signature', signature]], SQUARE_BODY);
}

const HUBSPOT_SECRET = 'hubspot-client-secret-0123456789';
const HUBSPOT_BODY = JSON.stringify([{ eventId: 100, subscriptionId: 1, portalId: 62515, appId: 54321, occurredAt: Date.now(), subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 123 }]);

async function hubspotThroughTunnel(s: TestServer): Promise<Capture> {
  // A query with escapes HubSpot decodes before signing.
  const target = `/b/${s.defaultBinId}/hubspot?portal=62515&from=a%40b.example`;
  const ts = String(Date.now());
  const signedUrl = `${TUNNEL}${target}`.replace('%40', '@');
  const signature = createHmac('sha256', HUBSPOT_SECRET).update(`POST${signedUrl}${HUBSPOT_BODY}${ts}`).digest('base64');
  return post(s, target, [['X-HubSpot-Signature-v3', signature], ['X-HubSpot-Request-Timestamp', ts]], HUBSPOT_BODY);
}

describe('URL-signed providers through a tunnel', () => {
  it('Square and HubSpot deliveries signed for the tunnel are valid with --public-url', async () => {
    server = await startServer({ publicUrl: TUNNEL, secrets: [{ name: 'sq', value: SQUARE_KEY }, { name: 'hs', value: HUBSPOT_SECRET }] });
    expect((await squareThroughTunnel(server)).signatures).toEqual([{ scheme: 'square', header: 'x-square-hmacsha256-signature', status: 'valid', secret: 'sq', diagnosis: null }]);
    const hub = await hubspotThroughTunnel(server);
    expect(hub.signatures).toEqual([{ scheme: 'hubspot', header: 'X-HubSpot-Signature-v3', status: 'valid', secret: 'hs', diagnosis: null, skewSeconds: expect.any(Number) }]);
  });

  it('are invalid without it, and the diagnosis says to start hookbin with --public-url', async () => {
    server = await startServer({ secrets: [{ name: 'sq', value: SQUARE_KEY }, { name: 'hs', value: HUBSPOT_SECRET }] });
    for (const [capture, provider] of [
      [await squareThroughTunnel(server), 'Square'],
      [await hubspotThroughTunnel(server), 'HubSpot'],
    ] as const) {
      expect(capture.signatures[0]!.status).toBe('invalid');
      expect(capture.signatures[0]!.diagnosis).toMatch(new RegExp(`${provider} signs the exact URL it was given and hookbin checked http://127\\.0\\.0\\.1:\\d+/b/\\S+: if ${provider} posts to a tunnel, start hookbin with --public-url`));
    }
  });
});

describe('a SendGrid event batch', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const verification = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');
  const body = `${JSON.stringify([{ email: 'ada@example.com', timestamp: 1767225590, event: 'delivered', sg_event_id: 'ZGVsaXZlcmVkLTAtMzE0', sg_message_id: 'm1.filter0001' }])}\r\n`;

  async function deliver(s: TestServer): Promise<Capture> {
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = ecSign('sha256', Buffer.from(ts + body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    return post(s, `/b/${s.defaultBinId}`, [['X-Twilio-Email-Event-Webhook-Signature', signature], ['X-Twilio-Email-Event-Webhook-Timestamp', ts]], body);
  }

  it('is valid with the verification key', async () => {
    server = await startServer({ secrets: [{ name: 'sendgrid', value: verification }] });
    const capture = await deliver(server);
    expect(capture.signatures).toEqual([{ scheme: 'sendgrid', header: 'X-Twilio-Email-Event-Webhook-Signature', status: 'valid', secret: 'sendgrid', diagnosis: null }]);
  });

  it('is invalid with another key, and with the API key the diagnosis names the verification key', async () => {
    const other = (generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');
    server = await startServer({ secrets: [{ name: 'other', value: other }] });
    expect((await deliver(server)).signatures[0]).toMatchObject({ scheme: 'sendgrid', status: 'invalid' });
    await server.close();
    server = await startServer({ secrets: [{ name: 'api', value: 'SG.abcdefghijklmnop.qrstuvwxyz0123456789' }] });
    expect((await deliver(server)).signatures[0]!.diagnosis).toMatch(/^Secret "api" is not a P-256 verification key \(it is a SendGrid API key\)/);
  });
});
