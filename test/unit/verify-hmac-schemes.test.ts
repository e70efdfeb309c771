/**
 * The HMAC-over-body schemes added for issue 17 (paddle, zoom, linear,
 * typeform, calendly, vercel, bitbucket) and Shopify's header names without
 * `X-`: each signs and verifies its own way, refuses a tampered body, a wrong
 * secret and a malformed header, and judges its timestamp (where it has one)
 * as the provider does, ahead of the clock included. Paddle is cross-checked
 * with @paddle/paddle-node-sdk in both directions.
 */
import { createHmac } from 'node:crypto';
import { Paddle } from '@paddle/paddle-node-sdk';
import { describe, expect, it } from 'vitest';
import { eventIdentity } from '../../server/capture/event-identity.js';
import { plainTokenOf } from '../../server/capture/zoom-challenge.js';
import { renderTemplate } from '../../server/outbound/templates.js';
import { presetById, UNDOCUMENTED_SCHEDULES } from '../../server/retries/presets.js';
import { diagnose, schemeById, verifySignatures, type HeaderPair, type Scheme, type SchemeId } from '../../server/verify/index.js';

const NOW = 1_764_600_000;
const SECRET = 'pdl_ntfset_01hv8x0m6kdx0vb2g1fsdp0qxq_5SMZqqTcv2jVxAPQwU0bo6yB0dTgSYMT';
const NEW: SchemeId[] = ['paddle', 'zoom', 'linear', 'typeform', 'calendly', 'vercel', 'bitbucket'];

function scheme(id: SchemeId): Scheme {
  const s = schemeById(id);
  if (!s) throw new Error(`no scheme ${id}`);
  return s;
}

const hmac = (alg: 'sha1' | 'sha256', key: string, text: string) => createHmac(alg, key).update(text, 'utf8').digest();

/** A body Linear would send at `ms` (its timestamp travels in the body). */
const linearBody = (ms: number) => Buffer.from(JSON.stringify({ action: 'create', type: 'Issue', data: { id: 'i1' }, webhookTimestamp: ms, webhookId: 'w1' }));
const bodyFor = (id: SchemeId, at = NOW) => (id === 'linear' ? linearBody(at * 1000) : Buffer.from('{"event":"x","n":1}'));

describe('each new scheme: own round trip, tampered body, wrong secret', () => {
  for (const id of NEW) {
    it(id, () => {
      const s = scheme(id);
      const body = bodyFor(id);
      const headers = s.sign({ body, secret: SECRET, now: NOW });
      expect(s.detect(headers), 'detected by its own header').not.toBeNull();
      expect(s.verify({ headers, body, now: NOW }, SECRET).status).toBe('valid');
      const tampered = Buffer.from(body);
      tampered[tampered.length - 2]! ^= 1;
      expect(s.verify({ headers, body: tampered, now: NOW }, SECRET).status).toBe('invalid');
      expect(s.verify({ headers, body, now: NOW }, `${SECRET}x`).status).toBe('invalid');
      // Detected by exactly one scheme: its verdict is the only one.
      expect(verifySignatures({ headers, body, now: NOW }, [{ name: 'k', value: SECRET }])).toEqual([
        expect.objectContaining({ scheme: id, status: 'valid', secret: 'k' }),
      ]);
    });
  }
});

describe('what each provider signs, computed here from its docs', () => {
  const body = '{"a":1}';
  const B = Buffer.from(body);
  const cases: [SchemeId, HeaderPair[]][] = [
    ['paddle', [['Paddle-Signature', `ts=${NOW};h1=${hmac('sha256', 'k', `${NOW}:${body}`).toString('hex')}`]]],
    ['zoom', [['x-zm-request-timestamp', `${NOW}`], ['x-zm-signature', `v0=${hmac('sha256', 'k', `v0:${NOW}:${body}`).toString('hex')}`]]],
    ['linear', [['Linear-Signature', hmac('sha256', 'k', body).toString('hex')]]],
    ['typeform', [['Typeform-Signature', `sha256=${hmac('sha256', 'k', body).toString('base64')}`]]],
    ['calendly', [['Calendly-Webhook-Signature', `t=${NOW},v1=${hmac('sha256', 'k', `${NOW}.${body}`).toString('hex')}`]]],
    ['vercel', [['x-vercel-signature', hmac('sha1', 'k', body).toString('hex')]]],
    ['bitbucket', [['X-Hub-Signature', `sha256=${hmac('sha256', 'k', body).toString('hex')}`]]],
  ];
  for (const [id, headers] of cases) {
    it(`${id}: ${headers.map(([n]) => n).join(', ')}`, () => {
      // Linear's SDK refuses this body (no webhookTimestamp) once the signature matches: see below.
      expect(scheme(id).verify({ headers, body: B, now: NOW }, 'k').status).toBe(id === 'linear' ? 'malformed' : 'valid');
      // And hookbin's sign writes the same signature header value.
      const signed = new Map(scheme(id).sign({ body: B, secret: 'k', now: NOW }).map(([n, v]) => [n.toLowerCase(), v]));
      for (const [n, v] of headers) expect(signed.get(n.toLowerCase()), n).toBe(v);
    });
  }

  it('paddle: several h1 while a secret rotates, any one may match', () => {
    const good = hmac('sha256', 'k', `${NOW}:${body}`).toString('hex');
    const old = hmac('sha256', 'old', `${NOW}:${body}`).toString('hex');
    const headers: HeaderPair[] = [['Paddle-Signature', `ts=${NOW};h1=${old};h1=${good}`]];
    expect(scheme('paddle').verify({ headers, body: B, now: NOW }, 'k').status).toBe('valid');
    expect(scheme('paddle').verify({ headers, body: B, now: NOW }, 'old').status).toBe('valid');
    expect(scheme('paddle').verify({ headers, body: B, now: NOW }, 'other').status).toBe('invalid');
  });
});

describe('timestamps, as each provider judges them', () => {
  // [scheme, seconds behind still valid, first refused behind, seconds ahead still valid, first refused ahead or null]
  const windows: [SchemeId, number, number | null][] = [
    ['paddle', 5, null],
    ['calendly', 180, null],
    ['linear', 60, 60],
    ['zoom', 300, 300],
    ['stripe', 300, null],
    ['slack', 300, null],
    ['standard-webhooks', 300, 300],
  ];
  for (const [id, past, future] of windows) {
    it(`${id}: ${past} s behind, ${future === null ? 'any time' : `${future} s`} ahead`, () => {
      const s = scheme(id);
      const at = (signedAt: number, now: number) => {
        const body = bodyFor(id, signedAt);
        return s.verify({ headers: s.sign({ body, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now: signedAt }), body, now }, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      };
      expect(at(NOW, NOW + past)).toMatchObject({ status: 'valid', skewSeconds: past });
      expect(at(NOW, NOW + past + 1)).toMatchObject({ status: 'expired', skewSeconds: past + 1 });
      expect(at(NOW, NOW + past + 1).message).toBe(`signed ${past + 1} s ago, over the ${past} s tolerance`);
      if (future === null) {
        expect(at(NOW + 3600, NOW)).toMatchObject({ status: 'valid', skewSeconds: -3600 });
      } else {
        expect(at(NOW + future, NOW)).toMatchObject({ status: 'valid', skewSeconds: -future });
        expect(at(NOW + future + 1, NOW)).toMatchObject({ status: 'expired', skewSeconds: -(future + 1) });
        expect(at(NOW + future + 1, NOW).message).toBe(`ahead by ${future + 1} s, over the ${future} s allowed ahead`);
      }
    });
  }

  it("linear: a body without webhookTimestamp is malformed once its HMAC matches, as Linear's SDK refuses it", () => {
    const body = Buffer.from('{"type":"Issue"}');
    const headers = scheme('linear').sign({ body, secret: 'k', now: NOW });
    expect(scheme('linear').verify({ headers, body, now: NOW + 1e6 }, 'k')).toEqual({
      status: 'malformed',
      message: 'the signature matches, but the body has no numeric webhookTimestamp (unix milliseconds), which Linear signs into every delivery and its SDK requires',
    });
    expect(scheme('linear').verify({ headers, body, now: NOW }, 'k2').status).toBe('invalid');
  });

  it('the diagnosis says "ahead by", and why, never "expired" or "ago"', () => {
    const sw = scheme('standard-webhooks');
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = Buffer.from('{}');
    const headers = sw.sign({ body, secret, now: NOW + 420, id: 'msg_1' });
    const said = diagnose({ headers, body, now: NOW }, 'standard-webhooks', [{ name: 'sw', value: secret }]);
    expect(said).toBe(
      'The HMAC matches secret "sw" but the request\'s timestamp is ahead by 420 s, over the 300 s allowed ahead: the sender\'s clock runs ahead of this machine\'s.',
    );
    const [v] = verifySignatures({ headers, body, now: NOW }, [{ name: 'sw', value: secret }]);
    expect(v).toMatchObject({ status: 'expired', skewSeconds: -420 });
  });
});

describe('@paddle/paddle-node-sdk agrees', () => {
  const paddle = new Paddle('pdl_sdbx_apikey_01hv8x0m6kdx0vb2g1fsdp0qxq_test');
  const body = JSON.stringify({ event_id: 'evt_01', event_type: 'transaction.completed', occurred_at: '2025-12-01T00:00:00Z', notification_id: 'ntf_01', data: { id: 'txn_01' } });

  it("the SDK accepts hookbin's sign (at the SDK's own clock), on hookbin's Paddle template too", async () => {
    const now = Math.floor(Date.now() / 1000);
    const [[name, value]] = scheme('paddle').sign({ body: Buffer.from(body), secret: SECRET, now }) as [HeaderPair];
    expect(name).toBe('Paddle-Signature');
    expect(await paddle.webhooks.isSignatureValid(body, SECRET, value)).toBe(true);
    const template = renderTemplate('paddle')!.body;
    const [[, signed]] = scheme('paddle').sign({ body: Buffer.from(template), secret: SECRET, now }) as [HeaderPair];
    const event = await paddle.webhooks.unmarshal(template, SECRET, signed);
    expect(event?.eventType).toBe('transaction.completed');
    expect(await paddle.webhooks.isSignatureValid(body, `${SECRET}x`, value)).toBe(false);
  });

  it('hookbin accepts a header built as the SDK checks it (and the SDK does too); both refuse the same stale one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = `ts=${now};h1=${hmac('sha256', SECRET, `${now}:${body}`).toString('hex')}`;
    expect(await paddle.webhooks.isSignatureValid(body, SECRET, header)).toBe(true);
    expect(scheme('paddle').verify({ headers: [['Paddle-Signature', header]], body: Buffer.from(body), now }, SECRET).status).toBe('valid');
    const stale = `ts=${now - 60};h1=${hmac('sha256', SECRET, `${now - 60}:${body}`).toString('hex')}`;
    expect(await paddle.webhooks.isSignatureValid(body, SECRET, stale)).toBe(false);
    expect(scheme('paddle').verify({ headers: [['Paddle-Signature', stale]], body: Buffer.from(body), now }, SECRET).status).toBe('expired');
  });
});

describe('Bitbucket is not a GitHub misread', () => {
  const body = Buffer.from('{"push":{}}');
  const sha256 = `sha256=${hmac('sha256', 'bb', '{"push":{}}').toString('hex')}`;

  it('X-Hub-Signature: sha256= is judged as Bitbucket, valid, with no GitHub verdict', () => {
    const verdicts = verifySignatures({ headers: [['X-Event-Key', 'repo:push'], ['X-Hub-Signature', sha256]], body, now: NOW }, [{ name: 'bb', value: 'bb' }]);
    expect(verdicts).toEqual([{ scheme: 'bitbucket', header: 'X-Hub-Signature', status: 'valid', secret: 'bb', diagnosis: null }]);
    expect(diagnose({ headers: [['X-Hub-Signature', sha256]], body, now: NOW }, 'github', [{ name: 'bb', value: 'bb' }])).toBeNull();
  });

  it("GitHub's own X-Hub-Signature: sha1= stays GitHub's, and beside X-Hub-Signature-256 the header is GitHub's", () => {
    const gh = scheme('github').sign({ body, secret: 'gh', now: NOW });
    const legacy = gh.filter(([n]) => n === 'X-Hub-Signature');
    expect(verifySignatures({ headers: legacy, body, now: NOW }, [{ name: 'gh', value: 'gh' }]).map((v) => v.scheme)).toEqual(['github']);
    expect(verifySignatures({ headers: gh, body, now: NOW }, [{ name: 'gh', value: 'gh' }]).map((v) => [v.scheme, v.status])).toEqual([['github', 'valid']]);
  });

  it('an unlabelled X-Hub-Signature is Bitbucket when its headers say so, and says the sha256= label is missing', () => {
    const bare = sha256.slice('sha256='.length);
    const [v] = verifySignatures({ headers: [['X-Request-UUID', 'u1'], ['X-Hub-Signature', bare]], body, now: NOW }, [{ name: 'bb', value: 'bb' }]);
    expect(v).toMatchObject({ scheme: 'bitbucket', status: 'malformed' });
    expect(diagnose({ headers: [['X-Request-UUID', 'u1'], ['X-Hub-Signature', bare]], body, now: NOW }, 'bitbucket', [{ name: 'bb', value: 'bb' }])).toMatch(
      /no sha256= label/,
    );
  });
});

describe("Shopify's header names without X-", () => {
  const body = Buffer.from('{"id":1}');
  const digest = hmac('sha256', 'shp', '{"id":1}').toString('base64');

  it('shopify-hmac-sha256 is verified like X-Shopify-Hmac-Sha256', () => {
    const headers: HeaderPair[] = [['shopify-topic', 'orders/create'], ['shopify-hmac-sha256', digest]];
    expect(verifySignatures({ headers, body, now: NOW }, [{ name: 's', value: 'shp' }])).toEqual([
      { scheme: 'shopify', header: 'shopify-hmac-sha256', status: 'valid', secret: 's', diagnosis: null },
    ]);
    expect(scheme('shopify').verify({ headers, body, now: NOW }, 'nope').status).toBe('invalid');
  });

  it('shopify-webhook-id and shopify-topic name the event', () => {
    const id = eventIdentity([['shopify-webhook-id', 'wh-1'], ['shopify-topic', 'orders/create']], body);
    expect(id).toMatchObject({ key: 'wh-1', keySource: 'header:shopify-webhook-id', type: 'orders/create', typeSource: 'header:shopify-topic' });
  });
});

describe('diagnosis of the new schemes', () => {
  const body = Buffer.from('{"a":1}');
  it('paddle signed over the body alone: the timestamp prefix was left out', () => {
    const headers: HeaderPair[] = [['Paddle-Signature', `ts=${NOW};h1=${hmac('sha256', 'k', '{"a":1}').toString('hex')}`]];
    expect(diagnose({ headers, body, now: NOW }, 'paddle', [{ name: 'p', value: 'k' }])).toBe(
      'The signature matches secret "p" over the body alone, but Paddle signs the timestamp before the body: the sender left that prefix out of what it signed.',
    );
  });

  it('typeform in hex: the encoding; a secret copied with a newline: the whitespace', () => {
    const hexed: HeaderPair[] = [['Typeform-Signature', `sha256=${hmac('sha256', 'k', '{"a":1}').toString('hex')}`]];
    expect(diagnose({ headers: hexed, body, now: NOW }, 'typeform', [{ name: 't', value: 'k' }])).toMatch(/written in hex, while Typeform signatures are base64/);
    const headers = scheme('typeform').sign({ body, secret: 'k', now: NOW });
    expect(diagnose({ headers, body, now: NOW }, 'typeform', [{ name: 't', value: 'k\n' }])).toMatch(/once trimmed: the configured value has a newline/);
  });

  it('calendly stale: over its 3 minutes', () => {
    const headers = scheme('calendly').sign({ body, secret: 'k', now: NOW - 200 });
    expect(diagnose({ headers, body, now: NOW }, 'calendly', [{ name: 'c', value: 'k' }])).toBe(
      'The HMAC matches secret "c" but the request was signed 200 s ago, over the 180 s tolerance.',
    );
  });
});

describe('event identity, templates and presets of the new providers', () => {
  const types: [string, string][] = [
    ['paddle', 'transaction.completed'],
    ['zoom', 'meeting.started'],
    ['linear', 'Issue.create'],
    ['typeform', 'form_response'],
    ['calendly', 'invitee.created'],
    ['vercel', 'deployment.succeeded'],
    ['bitbucket', 'repo:push'],
  ];
  const keySources: Record<string, string> = {
    paddle: 'body:/event_id',
    zoom: 'body-hash',
    linear: 'header:linear-delivery',
    typeform: 'body:/event_id',
    calendly: 'body:/event+/payload/uri',
    vercel: 'body:/id',
    bitbucket: 'header:x-request-uuid',
  };
  for (const [id, type] of types) {
    it(`${id}: its template is ${type}, keyed by ${keySources[id]}, signed by its scheme`, () => {
      const t = renderTemplate(id)!;
      expect(t.scheme).toBe(id);
      const identity = eventIdentity(t.headers, Buffer.from(t.body));
      expect(identity).toMatchObject({ type, keySource: keySources[id] });
      const body = Buffer.from(t.body);
      const headers = [...t.headers, ...scheme(t.scheme).sign({ body, secret: 'k', now: Math.floor(Date.now() / 1000) })];
      expect(verifySignatures({ headers, body, now: Math.floor(Date.now() / 1000) }, [{ name: 'k', value: 'k' }])).toEqual([
        expect.objectContaining({ scheme: id, status: 'valid' }),
      ]);
    });
  }

  it('calendly: created and canceled of one invitee are two events', () => {
    const of = (event: string) => Buffer.from(JSON.stringify({ event, created_by: 'https://api.calendly.com/users/U', payload: { uri: 'https://api.calendly.com/x/invitees/I' } }));
    expect(eventIdentity([], of('invitee.created')).key).not.toBe(eventIdentity([], of('invitee.canceled')).key);
  });

  it('presets: Zoom 5, 30, 90 min; Linear 1 min, 1 h, 6 h; Paddle about 3 days, estimated; the others say they are undocumented', () => {
    const MIN = 60_000;
    expect(presetById('zoom')!.delays).toEqual([5 * MIN, 30 * MIN, 90 * MIN]);
    expect(presetById('linear')!.delays).toEqual([MIN, 60 * MIN, 360 * MIN]);
    const p = presetById('paddle')!;
    expect(p.estimated).toBe(true);
    expect(p.delays.reduce((a, b) => a + b, 0)).toBe(72 * 60 * MIN);
    for (const id of ['typeform', 'calendly', 'vercel', 'bitbucket']) {
      expect(UNDOCUMENTED_SCHEDULES.find((u) => u.id === id)?.source, id).toMatch(/^https:\/\//);
    }
  });
});

describe('zoom URL validation: what counts as a plainToken', () => {
  const body = (token: unknown, event = 'endpoint.url_validation') => Buffer.from(JSON.stringify({ event, payload: { plainToken: token } }));
  it('a token-shaped plainToken of the validation event', () => {
    expect(plainTokenOf(body('qgg8vlvZRS6UYooatFL8Aw'))).toBe('qgg8vlvZRS6UYooatFL8Aw');
  });
  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['a forged Zoom signed payload', 'v0:1764600000:{"event":"x"}'],
    ['too long', 'a'.repeat(129)],
    ['empty', ''],
    ['not a string', 42],
  ])('not %s', (_what, token) => {
    expect(plainTokenOf(body(token))).toBeNull();
  });
  it('not another event, not a huge body, not JSON', () => {
    expect(plainTokenOf(body('abc', 'meeting.started'))).toBeNull();
    expect(plainTokenOf(Buffer.from(JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'abc' }, pad: 'x'.repeat(5000) })))).toBeNull();
    expect(plainTokenOf(Buffer.from('plainToken=abc'))).toBeNull();
  });
});
