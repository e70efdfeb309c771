/** Timestamps as each provider judges them (behind, ahead, the skew an expired verdict carries), and what a malformed header is told it should have been. */
import { describe, expect, it } from 'vitest';
import {
  TOLERANCE_SECONDS,
  schemeById,
  verifySignatures,
  type HeaderPair,
  type Scheme,
  type SchemeId,
} from '../../server/verify/index.js';
import { HEADER_SCHEMES } from '../support/header-schemes.js';

const NOW = 1_767_225_600;
function scheme(id: SchemeId): Scheme {
  const s = schemeById(id);
  if (!s) throw new Error(`no scheme ${id}`);
  return s;
}

describe('timestamps: 300 s behind; ahead as each provider\'s library judges it; expired carries the skew', () => {
  // Standard Webhooks' libraries refuse more than 5 min ahead; stripe-node and Slack's SDKs accept any time ahead.
  const refusesAhead: Record<string, boolean> = { stripe: false, 'standard-webhooks': true, slack: false };
  for (const id of ['stripe', 'standard-webhooks', 'slack'] as const) {
    it(`${id}`, () => {
      const s = scheme(id);
      expect(s.timed).toBe(true);
      const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      const body = Buffer.from('{"ok":"ü"}');
      const headers = s.sign({ body, secret, now: NOW });
      const at = (now: number) => s.verify({ headers, body, now }, secret);
      expect(at(NOW + TOLERANCE_SECONDS)).toMatchObject({ status: 'valid', skewSeconds: 300 });
      expect(at(NOW - TOLERANCE_SECONDS)).toMatchObject({ status: 'valid', skewSeconds: -300 });
      expect(at(NOW + 301)).toMatchObject({ status: 'expired', skewSeconds: 301 });
      expect(at(NOW + 301).message).toBe('signed 301 s ago, over the 300 s tolerance');
      if (refusesAhead[id]) {
        expect(at(NOW - 900)).toMatchObject({ status: 'expired', skewSeconds: -900 });
        expect(at(NOW - 900).message).toBe('ahead by 900 s, over the 300 s allowed ahead');
      } else {
        expect(at(NOW - 900)).toEqual({ status: 'valid', skewSeconds: -900 });
        expect(at(NOW - 86_400 * 365)).toMatchObject({ status: 'valid' });
      }
      // Stale and wrong is invalid: expired means "genuine but stale".
      expect(s.verify({ headers, body: Buffer.from('{"ok":"u"}'), now: NOW + 5000 }, secret).status).toBe('invalid');
      const [v] = verifySignatures({ headers, body, now: NOW + 5000 }, [
        { name: 'wrong', value: 'whsec_AAAA' },
        { name: 'right', value: secret },
      ]);
      expect(v).toMatchObject({ status: 'expired', secret: 'right' });
    });
  }

  it('untimed schemes ignore the clock', () => {
    for (const s of HEADER_SCHEMES.filter((x) => !x.timed)) {
      const body = Buffer.from('x');
      const headers = s.sign({ body, secret: 'k', now: 0 });
      expect(s.verify({ headers, body, now: 9e9 }, 'k')).toEqual({ status: 'valid' });
    }
  });
});

describe('malformed headers say what was expected', () => {
  const hex = 'ab'.repeat(32);
  const b64 = Buffer.alloc(32, 7).toString('base64');
  const cases: { id: SchemeId; headers: HeaderPair[]; mentions: RegExp }[] = [
    { id: 'x-signature', headers: [['X-Signature', 'not hex at all']], mentions: /hex/ },
    { id: 'x-signature', headers: [['X-Signature', 'abcd']], mentions: /64 hex digits/ },
    { id: 'x-signature', headers: [['X-Signature', '']], mentions: /hex/ },
    // Buffer.from(hex) would silently drop the odd digit and accept it.
    { id: 'x-signature', headers: [['X-Signature', `${hex}a`]], mentions: /64 hex digits/ },
    { id: 'x-webhook-signature', headers: [['X-Webhook-Signature', 'test_signature']], mentions: /hex/ },
    { id: 'webconnex', headers: [['X-Webconnex-Signature', `${hex}zz`]], mentions: /hex/ },
    { id: 'makeplans', headers: [['X-MakePlans-Signature', hex]], mentions: /sha256=/ },
    { id: 'makeplans', headers: [['X-MakePlans-Signature', 'sha256=xyz']], mentions: /hex/ },
    { id: 'github', headers: [['X-Hub-Signature-256', `sha1=${hex}`]], mentions: /sha256=/ },
    // Unlabelled and without Bitbucket's headers: still GitHub's legacy header.
    { id: 'github', headers: [['X-Hub-Signature', hex]], mentions: /sha1=/ },
    { id: 'bitbucket', headers: [['X-Hub-Signature', hex], ['X-Event-Key', 'repo:push']], mentions: /sha256=/ },
    { id: 'bitbucket', headers: [['X-Hub-Signature', `sha256=${b64}`]], mentions: /64 hex digits/ },
    { id: 'paddle', headers: [['Paddle-Signature', `h1=${hex}`]], mentions: /no ts= timestamp/ },
    { id: 'paddle', headers: [['Paddle-Signature', `ts=${NOW}`]], mentions: /no h1= signature/ },
    { id: 'paddle', headers: [['Paddle-Signature', `ts=${NOW},h1=${hex}`]], mentions: /ts=.*unix time|no h1=/ },
    { id: 'zoom', headers: [['x-zm-signature', `v0=${hex}`]], mentions: /x-zm-request-timestamp is missing/ },
    { id: 'zoom', headers: [['x-zm-signature', hex], ['x-zm-request-timestamp', `${NOW}`]], mentions: /v0=/ },
    { id: 'linear', headers: [['Linear-Signature', b64]], mentions: /64 hex digits/ },
    { id: 'typeform', headers: [['Typeform-Signature', b64]], mentions: /sha256=/ },
    { id: 'typeform', headers: [['Typeform-Signature', `sha256=${hex}`]], mentions: /base64 of 32 bytes/ },
    { id: 'calendly', headers: [['Calendly-Webhook-Signature', `v1=${hex}`]], mentions: /no t= timestamp/ },
    { id: 'calendly', headers: [['Calendly-Webhook-Signature', `t=${NOW}`]], mentions: /no v1= signature/ },
    { id: 'vercel', headers: [['x-vercel-signature', hex]], mentions: /40 hex digits/ },
    { id: 'shopify', headers: [['shopify-hmac-sha256', 'not base64!']], mentions: /base64/ },
    { id: 'github', headers: [['X-Hub-Signature', `sha1=${hex}`]], mentions: /40 hex digits/ },
    { id: 'stripe', headers: [['Stripe-Signature', `v1=${hex}`]], mentions: /no t= timestamp/ },
    { id: 'stripe', headers: [['Stripe-Signature', `t=soon,v1=${hex}`]], mentions: /unix time/ },
    { id: 'stripe', headers: [['Stripe-Signature', `t=${NOW}`]], mentions: /no v1= signature/ },
    { id: 'stripe', headers: [['Stripe-Signature', `t=${NOW},v1=nothex`]], mentions: /hex/ },
    { id: 'standard-webhooks', headers: [['webhook-signature', `v1,${b64}`], ['webhook-timestamp', `${NOW}`]], mentions: /webhook-id is missing/ },
    { id: 'standard-webhooks', headers: [['webhook-signature', `v1,${b64}`], ['webhook-id', 'msg_1']], mentions: /webhook-timestamp is missing/ },
    { id: 'standard-webhooks', headers: [['svix-signature', `v1,${b64}`], ['svix-id', 'm'], ['svix-timestamp', '12:00']], mentions: /unix time/ },
    { id: 'standard-webhooks', headers: [['webhook-signature', `v1a,${b64}`], ['webhook-id', 'm'], ['webhook-timestamp', `${NOW}`]], mentions: /no v1,<base64> entry/ },
    { id: 'standard-webhooks', headers: [['webhook-signature', 'v1,!!!'], ['webhook-id', 'm'], ['webhook-timestamp', `${NOW}`]], mentions: /base64/ },
    { id: 'shopify', headers: [['X-Shopify-Hmac-Sha256', 'not base64!']], mentions: /base64/ },
    { id: 'slack', headers: [['X-Slack-Signature', `v0=${hex}`]], mentions: /X-Slack-Request-Timestamp is missing/ },
    { id: 'slack', headers: [['X-Slack-Signature', hex], ['X-Slack-Request-Timestamp', `${NOW}`]], mentions: /v0=/ },
  ];
  for (const c of cases) {
    it(`${c.id}: ${c.headers.map(([n, v]) => `${n}: ${v}`).join('; ')}`, () => {
      const input = { headers: c.headers, body: Buffer.from('{}'), now: NOW };
      const r = scheme(c.id).verify(input, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      expect(r.status).toBe('malformed');
      expect(r.message).toMatch(c.mentions);
      expect(r.message).toMatch(/expected /);
      // Malformed wins over no-secret: adding a secret would not help.
      const verdicts = verifySignatures(input, []);
      expect(verdicts.find((v) => v.scheme === c.id)).toMatchObject({ status: 'malformed', secret: null });
    });
  }
});
