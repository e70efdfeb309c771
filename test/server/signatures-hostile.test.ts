/**
 * Hostile deliveries through the real server: whatever an anonymous sender
 * puts in signature headers, forwarded headers and bodies, every request is
 * captured and answered with the bin's answer (never a 500), and its verdict
 * is one of the known words.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../server/common/types.js';
import { cleanupTempDirs, useServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const ed = generateKeyPairSync('ed25519');
const DISCORD_PUBLIC = (ed.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
const SENDGRID_PUBLIC = (generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');

const server = useServer({
  trustProxy: true,
  secrets: [
    { name: 'plain', value: 'plain-secret-0123456789' },
    { name: 'discord', value: DISCORD_PUBLIC },
    { name: 'sendgrid', value: SENDGRID_PUBLIC },
  ],
});

const BIG = 'A'.repeat(12_000);
const NOW = String(Math.floor(Date.now() / 1000));

/** [what, headers, body] */
const CASES: [string, [string, string][], string][] = [
  ['twilio, odd form and bodySHA256', [['X-Twilio-Signature', 'abc='], ['Content-Type', 'application/x-www-form-urlencoded']], 'a=%E0%A4%A&b=%zz&&=&c'],
  ['twilio, giant signature', [['X-Twilio-Signature', BIG]], '{}'],
  ['hubspot, odd escapes and timestamps', [['X-HubSpot-Signature-v3', '%%%'], ['X-HubSpot-Request-Timestamp', '99999999999999999999']], '[]'],
  ['hubspot, array body', [['X-HubSpot-Signature-v3', 'AAAA'], ['X-HubSpot-Request-Timestamp', '1']], '[[[[[[[]]]]]]], {"eventId": {"a":1}}'],
  ['sendgrid, DER junk', [['X-Twilio-Email-Event-Webhook-Signature', Buffer.from([0x30, 6, 2, 1, 0, 2, 1, 0]).toString('base64')], ['X-Twilio-Email-Event-Webhook-Timestamp', NOW]], '[{"sg_event_id": [1]}]'],
  ['sendgrid, DER lying about lengths', [['X-Twilio-Email-Event-Webhook-Signature', Buffer.from([0x30, 8, 2, 0x7f, 0, 2, 0x7f, 0, 0, 0]).toString('base64')], ['X-Twilio-Email-Event-Webhook-Timestamp', 'x']], '{'],
  ['discord, wrong-length key material', [['X-Signature-Ed25519', 'ab'.repeat(63)], ['X-Signature-Timestamp', BIG]], ''],
  ['discord, giant signature', [['X-Signature-Ed25519', 'ab'.repeat(5000)], ['X-Signature-Timestamp', NOW]], '{}'],
  ['paddle, many h1', [['Paddle-Signature', `ts=${NOW};` + Array.from({ length: 150 }, () => `h1=${'0'.repeat(64)}`).join(';')]], '{}'],
  ['paddle, junk', [['Paddle-Signature', ';;;=;ts=;h1;;=h1=']], '{}'],
  ['calendly, junk', [['Calendly-Webhook-Signature', 't=,v1=,,,=,t=1e999']], '{}'],
  ['zoom, challenge without a valid signature', [['x-zm-signature', 'v0=' + '0'.repeat(64)], ['x-zm-request-timestamp', NOW]], '{"event":"endpoint.url_validation","payload":{"plainToken":"<script>"}}'],
  ['mailgun, odd signature object', [], '{"signature": {"timestamp": {}, "token": [], "signature": 5}}'],
  ['mailgun, huge token', [], JSON.stringify({ signature: { timestamp: NOW, token: BIG, signature: BIG } })],
  ['forwarded junk', [['X-Forwarded-Host', 'evil.example/../x, y'], ['X-Forwarded-Proto', 'javascript'], ['X-Square-HmacSha256-Signature', 'AAAA']], '{}'],
  ['forwarded giant', [['X-Forwarded-Host', BIG.slice(0, 5000)], ['X-Forwarded-Proto', BIG.slice(0, 5000)], ['X-HubSpot-Signature-v3', 'AAAA'], ['X-HubSpot-Request-Timestamp', String(Date.now())]], '{}'],
  ['bitbucket / github lookalike', [['X-Hub-Signature', 'sha256=' + 'g'.repeat(64)], ['X-Hub-Signature-256', 'sha1=zz']], '{}'],
  ['every scheme at once', [
    ['X-Twilio-Signature', 'x'], ['Paddle-Signature', 'x'], ['x-square-hmacsha256-signature', 'x'], ['x-zm-signature', 'x'],
    ['Linear-Signature', 'x'], ['Typeform-Signature', 'x'], ['Calendly-Webhook-Signature', 'x'], ['x-vercel-signature', 'x'],
    ['shopify-hmac-sha256', 'x'], ['Stripe-Signature', 'x'], ['svix-signature', 'x'], ['webhook-signature', 'x'], ['X-Slack-Signature', 'x'],
  ], '{"webhookTimestamp": 1e308, "signature": null}'],
];

describe('hostile deliveries are captured and answered', () => {
  it.each(CASES)('%s', async (_what, headers, body) => {
    const s = server();
    const res = await fetch(`${s.origin}/b/${s.defaultBinId}/hostile?bodySHA256=%zz&x=%E0`, { method: 'POST', headers: [['Content-Type', 'application/json'], ...headers], body });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-hookbin-capture-id');
    expect(id).toBeTruthy();
    const detail = await s.api(`/api/captures/${id}`);
    expect(detail.status).toBe(200);
    const capture = (await detail.json()) as Capture;
    for (const v of capture.signatures) expect(['valid', 'expired', 'invalid', 'malformed', 'no-secret']).toContain(v.status);
    expect(JSON.stringify(capture.signatures)).not.toContain('plain-secret');
  });

  it("opens the detail of a deeply nested JSON body with a wrong signature (the diagnosis's re-serializations once overflowed the stack)", async () => {
    const s = server();
    const body = '['.repeat(200_000) + ']'.repeat(200_000);
    const res = await fetch(`${s.origin}/b/${s.defaultBinId}/deep`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, body });
    expect(res.status).toBe(200);
    const detail = await s.api(`/api/captures/${res.headers.get('x-hookbin-capture-id')}`);
    expect(detail.status).toBe(200);
    const capture = (await detail.json()) as Capture;
    expect(capture.signatures).toMatchObject([{ scheme: 'github', status: 'invalid' }]);
  });
});
