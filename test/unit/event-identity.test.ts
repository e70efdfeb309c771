import { createHash, createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  BODY_KEY_POINTERS,
  KEY_HEADERS,
  MAX_TYPE_LENGTH,
  eventIdentity,
} from '../../server/capture/event-identity.js';
import type { HeaderPair } from '../../server/common/types.js';
import { renderTemplates } from '../../server/outbound/templates.js';
import {
  SEED_000_FILLED,
  SEED_000_SAMPLE_VERBATIM,
  SEED_001_MANUAL_TEST_HEADERS,
  SEED_001_MANUAL_TEST_VERBATIM,
  SEED_001_STANDARD_VERBATIM,
  SEED_002_SIGNATURE_HEADER,
  SEED_003_BODY,
  SEED_003_HEADERS,
  SEED_004_RETRIES,
  seed002Payload,
  seed004Payload,
} from '../support/fixtures/seed-payloads.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const EMPTY = new Uint8Array(0);
/** The documented fallback, computed independently of the module. */
const hashKey = (body: Uint8Array): string => `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
const json = (value: unknown): Buffer => utf8(JSON.stringify(value));

describe('key headers', () => {
  const cases: [string, string][] = [
    ['webhook-id', 'msg_2Lh9'],
    ['svix-id', 'msg_svix_1'],
    ['X-GitHub-Delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
    ['X-Shopify-Webhook-Id', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043'],
    ['shopify-webhook-id', 'c54557e4-bdd9-4b37-8a5f-bf7d70bcd043'],
    ['X-Webconnex-Delivery', 'b473fe314def43ccacc10ec75aae1451'],
    ['I-Twilio-Idempotency-Token', 'AC123-RE456-1'],
    ['X-Request-UUID', '1c2f5e36-9b0c-4a6b-8f3e-0d1e2f3a4b5c'],
    ['Linear-Delivery', '234d1a4e-b617-4388-90fe-adc3633d6b72'],
  ];

  it('lists the conventions in the documented order', () => {
    expect(KEY_HEADERS).toEqual(cases.map(([name]) => name.toLowerCase()));
  });

  for (const [name, value] of cases) {
    it(`${name} is the key, over a body id, in any case`, () => {
      const body = json({ id: 'evt_body' });
      expect(eventIdentity([[name, value]], body)).toMatchObject({ key: value, keySource: `header:${name.toLowerCase()}` });
      expect(eventIdentity([[name.toUpperCase(), value]], body).key).toBe(value);
      expect(eventIdentity([[name.toLowerCase(), value]], body).key).toBe(value);
    });
  }

  it('the first convention wins whatever the header order', () => {
    const headers: HeaderPair[] = [
      ['I-Twilio-Idempotency-Token', 'twilio'],
      ['X-GitHub-Delivery', 'github'],
      ['svix-id', 'svix'],
      ['Webhook-Id', 'std'],
    ];
    expect(eventIdentity(headers, EMPTY)).toMatchObject({ key: 'std', keySource: 'header:webhook-id' });
    expect(eventIdentity(headers.slice(0, 3), EMPTY)).toMatchObject({ key: 'svix', keySource: 'header:svix-id' });
    expect(eventIdentity(headers.slice(0, 2), EMPTY)).toMatchObject({ key: 'github', keySource: 'header:x-github-delivery' });
  });

  it('the first header of a name counts; duplicates after it do not', () => {
    const headers: HeaderPair[] = [['webhook-id', 'first'], ['Webhook-ID', 'second']];
    expect(eventIdentity(headers, EMPTY).key).toBe('first');
  });

  it('a blank first value is absent: the next convention answers, not a later duplicate', () => {
    const headers: HeaderPair[] = [['webhook-id', '  '], ['webhook-id', 'later'], ['svix-id', 'svix']];
    expect(eventIdentity(headers, EMPTY)).toMatchObject({ key: 'svix', keySource: 'header:svix-id' });
  });

  it('trims the optional whitespace around a header value', () => {
    expect(eventIdentity([['webhook-id', '  msg_1 \t']], EMPTY).key).toBe('msg_1');
  });
});

describe('key from the JSON body', () => {
  it('reads top-level id, idempotency_id and event_id, strings or numbers', () => {
    expect(eventIdentity([], json({ id: 'evt_1' }))).toMatchObject({ key: 'evt_1', keySource: 'body:/id' });
    expect(eventIdentity([], json({ id: 12345 }))).toMatchObject({ key: '12345', keySource: 'body:/id' });
    expect(eventIdentity([], json({ id: 1.5 })).key).toBe('1.5');
    expect(eventIdentity([], json({ idempotency_id: 'idem_1' }))).toMatchObject({ key: 'idem_1', keySource: 'body:/idempotency_id' });
    expect(eventIdentity([], json({ event_id: 'Ev0PV52K21' }))).toMatchObject({ key: 'Ev0PV52K21', keySource: 'body:/event_id' });
    expect(eventIdentity([], json({ event_id: 77 })).key).toBe('77');
  });

  it('explicit id names beat the generic id (Makeplans repeats its object id at the root)', () => {
    expect(BODY_KEY_POINTERS.slice(0, 3)).toEqual(['/idempotency_id', '/event_id', '/id']);
    expect(eventIdentity([], json({ id: 1, event_id: 'e', idempotency_id: 'i' })).key).toBe('i');
    expect(eventIdentity([], json({ id: 1, event_id: 'e' })).key).toBe('e');
  });

  it('skips values that are not non-blank strings or numbers and tries the next name', () => {
    for (const bad of [true, false, null, {}, [], ['x'], '', '   ', { id: 'nested' }]) {
      expect(eventIdentity([], json({ idempotency_id: bad, id: 'evt_ok' })).key, JSON.stringify(bad)).toBe('evt_ok');
    }
    expect(eventIdentity([], json({ id: true }))).toMatchObject({ keySource: 'body-hash' });
  });

  it('writes numbers in their shortest form', () => {
    expect(eventIdentity([], utf8('{"id": 1e21}')).key).toBe('1e+21');
    expect(eventIdentity([], utf8('{"id": 10.50}')).key).toBe('10.5');
    expect(eventIdentity([], utf8('{"id": -0}')).key).toBe('0');
  });

  it('parses only objects: arrays, strings and numbers fall back to the hash', () => {
    for (const text of ['[{"id":"a"}]', '"evt_1"', '42', 'id=evt_1&type=x', ' \n']) {
      const body = utf8(text);
      expect(eventIdentity([], body), text).toEqual({ key: hashKey(body), type: null, keySource: 'body-hash', typeSource: null });
    }
  });

  it('accepts a UTF-8 BOM and leading whitespace before the object', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(' \r\n\t{"id":"evt_bom","type":"t"}')]);
    expect(eventIdentity([], body)).toMatchObject({ key: 'evt_bom', type: 't' });
  });
});

describe('the body hash', () => {
  it('is sha256: and 32 hex digits of the exact bytes', () => {
    const body = utf8('plain text, no id');
    const id = eventIdentity([['Content-Type', 'text/plain']], body);
    expect(id).toEqual({ key: hashKey(body), type: null, keySource: 'body-hash', typeSource: null });
    expect(id.key).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it('is stable for the same bytes and differs for different bytes (even equal JSON)', () => {
    const a = utf8('{"n":1}');
    expect(eventIdentity([], a).key).toBe(eventIdentity([], Buffer.from(a)).key);
    expect(eventIdentity([], utf8('{"n": 1}')).key).not.toBe(eventIdentity([], a).key);
    expect(eventIdentity([], EMPTY).key).toBe(hashKey(EMPTY));
  });
});

describe('type', () => {
  it('reads X-GitHub-Event, X-Webconnex-Event, X-Shopify-Topic in that order, before the body', () => {
    const body = json({ type: 'body.type' });
    expect(eventIdentity([['X-GitHub-Event', 'push']], body)).toMatchObject({ type: 'push', typeSource: 'header:x-github-event' });
    expect(eventIdentity([['x-webconnex-event', 'registration']], body)).toMatchObject({ type: 'registration', typeSource: 'header:x-webconnex-event' });
    expect(eventIdentity([['X-Shopify-Topic', 'orders/create']], body)).toMatchObject({ type: 'orders/create', typeSource: 'header:x-shopify-topic' });
    const all: HeaderPair[] = [['X-Shopify-Topic', 'shop'], ['X-Webconnex-Event', 'wcx'], ['X-GitHub-Event', 'gh']];
    expect(eventIdentity(all, body).type).toBe('gh');
    expect(eventIdentity(all.slice(0, 2), body).type).toBe('wcx');
  });

  it('reads body type, event, eventType in that order', () => {
    expect(eventIdentity([], json({ eventType: 'c', event: 'b', type: 'a' }))).toMatchObject({ type: 'a', typeSource: 'body:/type' });
    expect(eventIdentity([], json({ eventType: 'c', event: 'b' }))).toMatchObject({ type: 'b', typeSource: 'body:/event' });
    expect(eventIdentity([], json({ eventType: 'c' }))).toMatchObject({ type: 'c', typeSource: 'body:/eventType' });
    // Paddle names its events in `event_type`, beside `event_id`.
    expect(eventIdentity([], json({ event_id: 'evt_01h', event_type: 'transaction.completed', data: {} }))).toMatchObject({
      key: 'evt_01h',
      type: 'transaction.completed',
      typeSource: 'body:/event_type',
    });
  });

  it('skips non-strings: an event object does not hide eventType, and a number is no type', () => {
    expect(eventIdentity([], json({ type: 3, event: { type: 'inner' }, eventType: 'outer' })).type).toBe('outer');
    expect(eventIdentity([], json({ type: 3, event: { type: 'inner' } }))).toMatchObject({ type: 'inner', typeSource: 'body:/event/type' });
    expect(eventIdentity([], json({ type: 3, event: null, eventType: ['x'] })).type).toBeNull();
    expect(eventIdentity([], json({ type: '  ' })).type).toBeNull();
  });

  it('is null when nothing names it', () => {
    expect(eventIdentity([['webhook-id', 'm']], EMPTY)).toMatchObject({ type: null, typeSource: null });
  });

  it("reads Slack's inner event type inside an event_callback envelope, and the outer type otherwise", () => {
    const callback = { type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention', text: 'hi' } };
    expect(eventIdentity([], json(callback))).toMatchObject({ type: 'app_mention', typeSource: 'body:/event/type' });
    // No usable inner type: the envelope's own.
    expect(eventIdentity([], json({ ...callback, event: { type: ' ' } }))).toMatchObject({ type: 'event_callback', typeSource: 'body:/type' });
    expect(eventIdentity([], json({ type: 'url_verification', challenge: 'c' }))).toMatchObject({ type: 'url_verification', typeSource: 'body:/type' });
    // Only that envelope: another payload with a nested event keeps its own type.
    expect(eventIdentity([], json({ type: 'outer', event: { type: 'inner' } })).type).toBe('outer');
    expect(eventIdentity([], json({ ...callback, event: { type: 'x'.repeat(MAX_TYPE_LENGTH + 50) } })).type).toBe('x'.repeat(MAX_TYPE_LENGTH));
  });

  it('names a Discord interaction by its type number in words and keys it by its id, only when Discord sent it', () => {
    const discord: HeaderPair[] = [['X-Signature-Ed25519', 'ab'.repeat(64)], ['X-Signature-Timestamp', '1767225600']];
    const words = ['ping', 'application_command', 'message_component', 'autocomplete', 'modal_submit'];
    for (const [i, word] of words.entries()) {
      expect(eventIdentity(discord, json({ id: '1314159265358979323', type: i + 1, application_id: '1' }))).toMatchObject({
        key: '1314159265358979323',
        keySource: 'body:/id',
        type: word,
        typeSource: 'body:/type',
      });
    }
    // Known by its user agent too (the template, sent unsigned), in any header case.
    expect(eventIdentity([['user-agent', 'Discord-Interactions/1.0 (+https://discord.com)']], json({ id: '7', type: 2 })).type).toBe('application_command');
    expect(eventIdentity([['x-signature-ed25519', 'ab']], json({ id: '7', type: 4 })).type).toBe('autocomplete');
    // Its id keys it even beside the names other providers use.
    expect(eventIdentity(discord, json({ id: '7', event_id: 'e', type: 1 })).key).toBe('7');
    // An unknown or non-numeric type is no Discord word.
    expect(eventIdentity(discord, json({ id: '7', type: 6 })).type).toBeNull();
    expect(eventIdentity(discord, json({ id: '7', type: '2' })).type).toBe('2');
    expect(eventIdentity(discord, json({ id: '7', type: 2.5 })).type).toBeNull();
    // Without Discord's header or user agent, a numeric type means nothing.
    expect(eventIdentity([['User-Agent', 'curl/8']], json({ id: '7', type: 2 })).type).toBeNull();
    expect(eventIdentity([], json({ id: '7', event_id: 'e', type: 1 })).key).toBe('e');
  });

  it("names every template's event as its provider does", () => {
    for (const t of renderTemplates()) expect(eventIdentity(t.headers, utf8(t.body)).type, t.id).toBe(t.event);
  });
});

describe('the documented providers', () => {
  it('000 Movemint: the docs sample is invalid JSON ({ ... }), so the hash; a filled one keys on data.object.id', () => {
    const verbatim = utf8(SEED_000_SAMPLE_VERBATIM);
    expect(eventIdentity([['X-Signature', 'ab']], verbatim)).toEqual({ key: hashKey(verbatim), type: null, keySource: 'body-hash', typeSource: null });
    expect(eventIdentity([['X-Signature', 'ab']], utf8(SEED_000_FILLED))).toMatchObject({
      key: 'prt_8f14e45f',
      keySource: 'body:/data/object/id',
      type: 'event.participant.created',
    });
  });

  it('001 generic API: body id evt_… and type, for the standard payload and the curl test', () => {
    expect(eventIdentity([['X-Webhook-Signature', 'ff']], utf8(SEED_001_STANDARD_VERBATIM))).toEqual({
      key: 'evt_abc123',
      type: 'user.created',
      keySource: 'body:/id',
      typeSource: 'body:/type',
    });
    expect(eventIdentity(SEED_001_MANUAL_TEST_HEADERS, utf8(SEED_001_MANUAL_TEST_VERBATIM))).toMatchObject({ key: 'evt_test', type: 'user.created' });
  });

  it('001: a retry with a new signature over the same body is the same event', () => {
    const body = utf8(SEED_001_STANDARD_VERBATIM);
    const sig = (secret: string) => createHmac('sha256', secret).update(body).digest('hex');
    expect(eventIdentity([['X-Webhook-Signature', sig('whsec_a')]], body).key).toBe(eventIdentity([['X-Webhook-Signature', sig('whsec_b')]], body).key);
  });

  it('002 Makeplans: idempotency_id, not the legacy root id shared by the booking\'s events; type from `event`', () => {
    const created = eventIdentity([SEED_002_SIGNATURE_HEADER], utf8(seed002Payload('booking.created', 'c7a1e0d2-1')));
    const confirmed = eventIdentity([SEED_002_SIGNATURE_HEADER], utf8(seed002Payload('booking.confirmed', 'c7a1e0d2-2')));
    expect(created).toEqual({ key: 'c7a1e0d2-1', type: 'booking.created', keySource: 'body:/idempotency_id', typeSource: 'body:/event' });
    expect(confirmed.key).toBe('c7a1e0d2-2');
    expect(JSON.parse(seed002Payload('booking.created', 'x')).id).toBe(JSON.parse(seed002Payload('booking.confirmed', 'y')).id);
  });

  it('003 Webconnex: X-Webconnex-Delivery beats the body id; X-Webconnex-Event is the type', () => {
    expect(eventIdentity(SEED_003_HEADERS, utf8(SEED_003_BODY))).toEqual({
      key: 'b473fe314def43ccacc10ec75aae1451',
      type: 'test',
      keySource: 'header:x-webconnex-delivery',
      typeSource: 'header:x-webconnex-event',
    });
  });

  it('003: a resend (signature unchanged) and a re-signed one are the same event', () => {
    const resigned = SEED_003_HEADERS.map(([n, v]): HeaderPair => [n, n === 'X-Webconnex-Signature' ? '00'.repeat(32) : v]);
    expect(eventIdentity(resigned, utf8(SEED_003_BODY)).key).toBe(eventIdentity(SEED_003_HEADERS, utf8(SEED_003_BODY)).key);
  });

  it('004 API reference v2.4: body id for every listed event type, and a nested event object read literally', () => {
    for (const type of Object.keys(SEED_004_RETRIES)) {
      expect(eventIdentity([['X-Signature', 'aa']], utf8(seed004Payload(`evt_${type}`, type)))).toMatchObject({ key: `evt_${type}`, type, keySource: 'body:/id' });
    }
    expect(eventIdentity([], json({ event: { id: 'evt_nested', type: 'trial.ending' } }))).toMatchObject({
      key: 'evt_nested',
      keySource: 'body:/event/id',
      type: 'trial.ending',
    });
  });
});

describe('re-signed attempts keep their key', () => {
  it('Stripe: a new t= and v1= on every attempt, same evt_ id', () => {
    const stripe = new Stripe('sk_test_hookbin_events');
    const payload = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } });
    const secret = 'whsec_test_events';
    const attempt = (timestamp: number): HeaderPair[] => [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Stripe-Signature', stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })],
    ];
    const first = attempt(1_767_225_600);
    const retry = attempt(1_767_225_600 + 30);
    expect(first[1]![1]).not.toBe(retry[1]![1]);
    const a = eventIdentity(first, utf8(payload));
    const b = eventIdentity(retry, utf8(payload));
    expect(a).toEqual(b);
    expect(a).toMatchObject({ key: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', keySource: 'body:/id', type: 'payment_intent.succeeded' });
  });

  it('Standard Webhooks: new webhook-timestamp and webhook-signature, same webhook-id', () => {
    const wh = new Webhook(`whsec_${Buffer.from('hookbin-events-secret-32-bytes!!').toString('base64')}`);
    const payload = '{"type":"invoice.paid","data":{"id":"inv_1"}}';
    const attempt = (at: Date): HeaderPair[] => [
      ['webhook-id', 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'],
      ['webhook-timestamp', String(Math.floor(at.getTime() / 1000))],
      ['webhook-signature', wh.sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', at, payload)],
    ];
    const first = attempt(new Date(1_767_225_600_000));
    const retry = attempt(new Date(1_767_225_605_000));
    expect(first[2]![1]).not.toBe(retry[2]![1]);
    expect(eventIdentity(first, utf8(payload))).toEqual(eventIdentity(retry, utf8(payload)));
    expect(eventIdentity(first, utf8(payload))).toMatchObject({ key: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', keySource: 'header:webhook-id', type: 'invoice.paid' });
  });

  it('no signature or timestamp header ever becomes the key', () => {
    const body = utf8('payload=no-ids-here');
    const signed = (n: number): HeaderPair[] => [
      ['Stripe-Signature', `t=${n},v1=${'a'.repeat(64)}`],
      ['webhook-timestamp', String(n)],
      ['webhook-signature', `v1,${n}`],
      ['X-Slack-Request-Timestamp', String(n)],
      ['X-Slack-Signature', `v0=${n}`],
      ['X-Signature', String(n)],
      ['X-Hub-Signature-256', `sha256=${n}`],
      ['X-Shopify-Hmac-Sha256', String(n)],
    ];
    expect(eventIdentity(signed(1), body)).toEqual({ key: hashKey(body), type: null, keySource: 'body-hash', typeSource: null });
    expect(eventIdentity(signed(2), body).key).toBe(eventIdentity(signed(1), body).key);
  });
});

describe('a bin\'s own key', () => {
  const headers: HeaderPair[] = [['webhook-id', 'msg_std'], ['X-Request-Ref', 'ref_42']];
  const body = json({ id: 'evt_body', data: { id: 'obj_7', items: [{ sku: 'a' }, { sku: 'b' }] }, 'a/b': { 'c~d': 'escaped' } });

  it('a custom header wins over every convention, matched in any case', () => {
    expect(eventIdentity(headers, body, { keyHeader: 'x-request-ref' })).toMatchObject({ key: 'ref_42', keySource: 'custom-header:x-request-ref' });
    expect(eventIdentity(headers, body, { keyHeader: 'X-REQUEST-REF' })).toMatchObject({ key: 'ref_42', keySource: 'custom-header:x-request-ref' });
  });

  it('a custom pointer wins over every convention', () => {
    expect(eventIdentity(headers, body, { keyPointer: '/data/id' })).toMatchObject({ key: 'obj_7', keySource: 'custom-pointer:/data/id' });
    expect(eventIdentity(headers, body, { keyPointer: '/data/items/1/sku' }).key).toBe('b');
    expect(eventIdentity(headers, body, { keyPointer: '/a~1b/c~0d' }).key).toBe('escaped');
  });

  it('the custom header is tried before the custom pointer', () => {
    expect(eventIdentity(headers, body, { keyHeader: 'X-Request-Ref', keyPointer: '/data/id' }).key).toBe('ref_42');
    expect(eventIdentity(headers, body, { keyHeader: 'X-Missing', keyPointer: '/data/id' }).key).toBe('obj_7');
  });

  it('falls back to the conventions when the custom source is missing, blank or not a scalar', () => {
    for (const options of [{ keyHeader: 'X-Missing' }, { keyPointer: '/nope' }, { keyPointer: '/data' }, { keyPointer: '' }, { keyPointer: '/data/items/2/sku' }, { keyPointer: '/data/items/-' }]) {
      expect(eventIdentity(headers, body, options), JSON.stringify(options)).toMatchObject({ key: 'msg_std', keySource: 'header:webhook-id' });
    }
    expect(eventIdentity([['X-Ref', ' ']], json({ id: 'evt' }), { keyHeader: 'X-Ref' }).key).toBe('evt');
  });

  it('ignores invalid options (as stored by an older version) rather than failing the capture', () => {
    expect(eventIdentity(headers, body, { keyHeader: 'bad header', keyPointer: 'data/id' })).toMatchObject({ key: 'msg_std' });
    expect(eventIdentity(headers, body, { keyHeader: null, keyPointer: null })).toMatchObject({ key: 'msg_std' });
  });
});

describe('the retry claim a capture carries', () => {
  const body = new TextEncoder().encode('{"id":"evt_1"}');
  const claim = 'after=01m840zhj959zhkaaz9tha; preset=slack; time-scale=60';

  it('is the first X-Hookbin-Retry header, whatever its case, found in the one pass over thousands of headers', () => {
    const many: [string, string][] = Array.from({ length: 3000 }, (_, i) => [`x-${i}`, 'v']);
    expect(eventIdentity([...many, ['x-hookbin-retry', ` ${claim} `], ['X-Hookbin-Retry', 'second']], body).retryClaim).toBe(claim);
    expect(eventIdentity([['X-HOOKBIN-RETRY', claim]], body)).toMatchObject({ key: 'evt_1', retryClaim: claim });
  });

  it('is absent without the header, blank, or longer than any claim', () => {
    expect(eventIdentity([], body).retryClaim).toBeUndefined();
    expect(eventIdentity([['X-Hookbin-Retry', '  ']], body).retryClaim).toBeUndefined();
    expect(eventIdentity([['X-Hookbin-Retry', `${claim}; pad=${'x'.repeat(200)}`]], body).retryClaim).toBeUndefined();
  });
});

describe('Twilio forms and Mailgun events', () => {
  const form: HeaderPair[] = [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']];
  it('a Twilio form without its idempotency header is keyed by its sid, with the status a callback reports as its type', () => {
    const sms = eventIdentity(form, Buffer.from('MessageSid=SM1&SmsSid=SM1&Body=Hi'));
    expect(sms).toMatchObject({ key: 'SM1', keySource: 'form:MessageSid', type: null });
    const status = eventIdentity(form, Buffer.from('MessageSid=SM1&MessageStatus=delivered'));
    expect(status).toMatchObject({ key: 'SM1:delivered', keySource: 'form:MessageSid', type: 'delivered', typeSource: 'form:MessageStatus' });
    // The idempotency header still wins; a JSON content type is not read as a form.
    expect(eventIdentity([...form, ['I-Twilio-Idempotency-Token', 'tok-1']], Buffer.from('MessageSid=SM1')).keySource).toBe('header:i-twilio-idempotency-token');
    expect(eventIdentity([['Content-Type', 'application/json']], Buffer.from('MessageSid=SM1')).keySource).toBe('body-hash');
  });

  it("a Mailgun event is keyed by event-data's id and typed by its event", () => {
    const body = Buffer.from('{"signature":{"timestamp":"1","token":"t","signature":"s"},"event-data":{"id":"ev-1","event":"delivered"}}');
    expect(eventIdentity([['Content-Type', 'application/json']], body)).toMatchObject({ key: 'ev-1', keySource: 'body:/event-data/id', type: 'delivered', typeSource: 'body:/event-data/event' });
  });
});

describe('Square events and HubSpot and SendGrid batches', () => {
  const json: HeaderPair[] = [['Content-Type', 'application/json']];
  it("a Square event is keyed by its event_id and typed by its type", () => {
    const body = Buffer.from('{"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":"6a8f5f28-54a1-4eb0-a98a-3111513fd4fc","created_at":"2026-12-01T12:00:00Z","data":{"type":"payment","id":"KkAkhdMs"}}');
    expect(eventIdentity(json, body)).toMatchObject({ key: '6a8f5f28-54a1-4eb0-a98a-3111513fd4fc', keySource: 'body:/event_id', type: 'payment.updated', typeSource: 'body:/type' });
  });

  it('a HubSpot batch is keyed by every eventId and typed by its subscription types; a retry (attemptNumber 1) keeps the key', () => {
    const batch = (attempt: number) =>
      Buffer.from(
        JSON.stringify([
          { eventId: 100, subscriptionId: 1, portalId: 62515, occurredAt: 1, subscriptionType: 'contact.creation', attemptNumber: attempt, objectId: 123 },
          { eventId: 101, subscriptionId: 1, portalId: 62515, occurredAt: 2, subscriptionType: 'contact.propertyChange', attemptNumber: attempt, objectId: 124 },
          { eventId: 102, subscriptionId: 1, portalId: 62515, occurredAt: 3, subscriptionType: 'contact.creation', attemptNumber: attempt, objectId: 125 },
        ]),
      );
    const first = eventIdentity(json, batch(0));
    expect(first).toMatchObject({ key: '100,101,102', keySource: 'body:/*/eventId', type: 'contact.creation,contact.propertyChange', typeSource: 'body:/*/subscriptionType' });
    expect(eventIdentity(json, batch(1)).key).toBe(first.key);
  });

  it('a SendGrid batch is keyed by every sg_event_id and typed by its events; an element without an id leaves the body hash', () => {
    const events = [
      { email: 'ada@example.com', timestamp: 1767225590, event: 'processed', sg_event_id: 'cHJvY2Vzc2VkLTE', sg_message_id: 'm1' },
      { email: 'ada@example.com', timestamp: 1767225591, event: 'delivered', sg_event_id: 'ZGVsaXZlcmVkLTE', sg_message_id: 'm1' },
    ];
    expect(eventIdentity(json, Buffer.from(JSON.stringify(events)))).toMatchObject({ key: 'cHJvY2Vzc2VkLTE,ZGVsaXZlcmVkLTE', keySource: 'body:/*/sg_event_id', type: 'processed,delivered', typeSource: 'body:/*/event' });
    const partial = Buffer.from(JSON.stringify([...events, { event: 'open' }]));
    expect(eventIdentity(json, partial)).toMatchObject({ keySource: 'body-hash', type: 'processed,delivered,open' });
    // Arrays of anything else keep the body hash and no type.
    expect(eventIdentity(json, Buffer.from('[1,2,3]'))).toMatchObject({ keySource: 'body-hash', type: null });
  });
});
