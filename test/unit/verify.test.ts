import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  schemeById,
  verifySignatures,
  type HeaderPair,
  type Scheme,
  type SchemeId,
  type SecretInput,
} from '../../server/verify/index.js';
import { HEADER_SCHEMES, VECTOR_SCHEMES } from '../support/header-schemes.js';
import { SIGNATURE_CASES, caseRequest, isExpectedVerdict } from '../support/fixtures/signatures.js';

const NOW = 1_767_225_600;
const stripeClient = new Stripe('sk_test_hookbin_cross_check');

function scheme(id: SchemeId): Scheme {
  const s = schemeById(id);
  if (!s) throw new Error(`no scheme ${id}`);
  return s;
}

/** Deterministic randomness, so a failing body can be reproduced from the test name. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [..."aZ09 _-.,:;{}[]\"'\\\n\r\téüßñçøåÆ€£¥日本語中文한국어🙂🚀👍🏽Ωπ∑√≠"];

function randomText(r: () => number, max: number): string {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function randomBytes(r: () => number, max: number): Buffer {
  const n = Math.floor(r() * max);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Bodies of every kind: empty, binary (invalid UTF-8 included), non-ASCII text, JSON with non-ASCII strings. */
function randomBodies(seed: number): { label: string; body: Buffer }[] {
  const r = rng(seed);
  const out: { label: string; body: Buffer }[] = [{ label: 'empty', body: Buffer.alloc(0) }];
  for (let i = 0; i < 4; i++) out.push({ label: `binary ${i}`, body: randomBytes(r, 2048) });
  out.push({ label: 'invalid utf-8', body: Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a, 0x00]) });
  for (let i = 0; i < 4; i++) out.push({ label: `text ${i}`, body: Buffer.from(randomText(r, 500), 'utf8') });
  for (let i = 0; i < 4; i++) out.push({ label: `json ${i}`, body: Buffer.from(randomJson(r), 'utf8') });
  return out;
}

function randomJson(r: () => number): string {
  return JSON.stringify({ id: `evt_${Math.floor(r() * 1e9)}`, object: 'event', text: randomText(r, 200), n: r() });
}

/** A secret each scheme accepts: `whsec_<base64>` for Standard Webhooks, any text (non-ASCII too) elsewhere. */
function randomSecret(id: SchemeId, r: () => number): string {
  if (id === 'standard-webhooks') return `whsec_${randomBytes(r, 1).toString('base64')}${Buffer.from(String(r())).toString('base64')}`;
  return `sec-${randomText(r, 30)}-${Math.floor(r() * 1e9)}`;
}

function flipByte(body: Buffer, r: () => number): Buffer {
  const copy = Buffer.from(body);
  if (copy.length === 0) return Buffer.from('x');
  const i = Math.floor(r() * copy.length);
  copy[i] = copy[i]! ^ (1 + Math.floor(r() * 255));
  return copy;
}

function hmacHex(key: string | Buffer, data: string | Buffer, alg = 'sha256'): string {
  return createHmac(alg, key).update(data).digest('hex');
}

function rename(headers: HeaderPair[], map: (name: string) => string): HeaderPair[] {
  return headers.map(([n, v]) => [map(n), v]);
}

describe('shared vectors (test/support/fixtures/signatures.json)', () => {
  it('has every scheme covered', () => {
    const covered = new Set(SIGNATURE_CASES.map((c) => c.scheme));
    expect([...covered].sort()).toEqual(VECTOR_SCHEMES.map((s) => s.id).sort());
  });

  for (const c of SIGNATURE_CASES) {
    it(`${c.name}: ${c.expect}`, () => {
      const req = caseRequest(c);
      const verdicts = verifySignatures(req, [{ name: 'case-secret', value: c.secret }]);
      expect(verdicts).toHaveLength(1);
      const v = verdicts[0]!;
      expect(v.scheme).toBe(c.scheme);
      expect(isExpectedVerdict(c, v.status)).toBe(true);
      if (c.expect === 'valid') expect(v.secret).toBe('case-secret');
      expect(v.diagnosis).toBeNull();
      // The scheme alone agrees with the registry.
      expect(isExpectedVerdict(c, scheme(c.scheme).verify(req, c.secret).status)).toBe(true);
    });
  }

  for (const c of SIGNATURE_CASES.filter((x) => x.expect === 'valid')) {
    it(`${c.name}: invalid with a different secret, no-secret without one`, () => {
      const req = caseRequest(c);
      expect(verifySignatures(req, [{ name: 'other', value: `${c.secret}x` }])[0]!.status).toBe('invalid');
      expect(verifySignatures(req, [])[0]!.status).toBe('no-secret');
    });
  }

  it('pub-stripe-expired is "expired" (right HMAC) with the skew, not merely invalid', () => {
    const c = SIGNATURE_CASES.find((x) => x.name === 'pub-stripe-expired')!;
    const r = scheme('stripe').verify(caseRequest(c), c.secret);
    expect(r).toMatchObject({ status: 'expired', skewSeconds: 4000 });
    expect(r.message).toContain('signed 4000 s ago, over the 300 s tolerance');
  });

  it('header names match case-insensitively and verdicts report the name as received', () => {
    for (const c of SIGNATURE_CASES.filter((x) => x.expect === 'valid')) {
      for (const map of [(n: string) => n.toLowerCase(), (n: string) => n.toUpperCase()]) {
        const req = caseRequest(c);
        const renamed = { ...req, headers: rename(req.headers, map) };
        const [v] = verifySignatures(renamed, [{ name: 's', value: c.secret }]);
        expect(v?.status, c.name).toBe('valid');
        expect(renamed.headers.map(([n]) => n)).toContain(v!.header);
        expect(scheme(c.scheme).detect(renamed.headers)).toBe(v!.header);
      }
    }
  });
});

describe('sign → verify round trips', () => {
  for (const [index, s] of HEADER_SCHEMES.entries()) {
    it(`${s.id}: random bodies (binary, non-ASCII, empty) verify; changed bytes or secret do not`, () => {
      const r = rng(1000 + index);
      for (const { label, body } of randomBodies(2000 + index)) {
        const secret = randomSecret(s.id, r);
        const now = NOW + Math.floor(r() * 1e6);
        const headers = s.sign({ body, secret, now, id: `evt_${label.replace(/\W/g, '')}` });
        expect(s.detect(headers), label).not.toBeNull();
        expect(s.verify({ headers, body, now }, secret), label).toMatchObject({ status: 'valid' });
        // A Uint8Array view into a larger buffer must read the same bytes.
        const padded = Buffer.concat([Buffer.from('junk'), body, Buffer.from('junk')]);
        const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, body.length);
        expect(s.verify({ headers, body: view, now }, secret).status, label).toBe('valid');
        expect(s.verify({ headers, body: flipByte(body, r), now }, secret).status, label).toBe('invalid');
        expect(s.verify({ headers, body, now }, randomSecret(s.id, r)).status, label).toBe('invalid');
        const [v] = verifySignatures({ headers, body, now }, [
          { name: 'wrong', value: randomSecret(s.id, r) },
          { name: 'right', value: secret },
        ]);
        expect(v, label).toMatchObject({ scheme: s.id, status: 'valid', secret: 'right', diagnosis: null });
      }
    });
  }

  it('sign sends the companion headers providers send', () => {
    const body = Buffer.from('{"a":1}');
    const names = (id: SchemeId) =>
      scheme(id)
        .sign({ body, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now: NOW, id: 'evt_1' })
        .map(([n]) => n);
    expect(names('stripe')).toEqual(['Stripe-Signature']);
    expect(names('standard-webhooks')).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    expect(names('slack')).toEqual(['X-Slack-Request-Timestamp', 'X-Slack-Signature']);
    expect(names('github')).toEqual(['X-Hub-Signature-256', 'X-Hub-Signature', 'X-GitHub-Delivery']);
    expect(names('webconnex')).toEqual(['X-Webconnex-Signature', 'X-Webconnex-Delivery']);
    expect(names('shopify')).toEqual(['X-Shopify-Hmac-Sha256', 'X-Shopify-Webhook-Id']);
    const sw = scheme('standard-webhooks').sign({ body, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now: NOW });
    expect(sw[0]![1]).toMatch(/^msg_[A-Za-z0-9_-]+$/);
  });
});

describe('cross-checks with the providers’ own libraries', () => {
  const bodies = (seed: number) => {
    const r = rng(seed);
    return Array.from({ length: 12 }, () => randomJson(r));
  };

  it('standardwebhooks: their signatures verify with ours (webhook-* and svix-* names)', () => {
    const r = rng(11);
    const sw = scheme('standard-webhooks');
    for (const payload of bodies(1)) {
      const secretB64 = Buffer.concat([Buffer.from([r() * 256]), randomBytes(r, 40)]).toString('base64');
      const wh = new Webhook(`whsec_${secretB64}`);
      const id = `msg_${Math.floor(r() * 1e9)}`;
      const ts = NOW + Math.floor(r() * 1e5);
      const signature = wh.sign(id, new Date(ts * 1000), payload);
      const headers: HeaderPair[] = [
        ['webhook-id', id],
        ['webhook-timestamp', String(ts)],
        ['webhook-signature', signature],
      ];
      const body = Buffer.from(payload, 'utf8');
      expect(sw.verify({ headers, body, now: ts + 5 }, `whsec_${secretB64}`).status).toBe('valid');
      // A secret without the prefix is base64 too.
      expect(sw.verify({ headers, body, now: ts }, secretB64).status).toBe('valid');
      const svix = rename(headers, (n) => n.replace('webhook-', 'svix-'));
      expect(sw.detect(svix)).toBe('svix-signature');
      expect(sw.verify({ headers: svix, body, now: ts }, secretB64).status).toBe('valid');
    }
  });

  it('standardwebhooks: our signatures verify with theirs', () => {
    const r = rng(12);
    const sw = scheme('standard-webhooks');
    for (const payload of bodies(2)) {
      const secret = `whsec_${Buffer.concat([Buffer.from([r() * 256]), randomBytes(r, 48)]).toString('base64')}`;
      const now = Math.floor(Date.now() / 1000); // their verify reads the real clock
      const headers = sw.sign({ body: Buffer.from(payload, 'utf8'), secret, now, id: `msg_${Math.floor(r() * 1e9)}` });
      expect(new Webhook(secret).verify(payload, Object.fromEntries(headers))).toEqual(JSON.parse(payload));
      const tampered = payload.replace('evt_', 'evt_x');
      expect(() => new Webhook(secret).verify(tampered, Object.fromEntries(headers))).toThrow();
    }
  });

  it('stripe: generateTestHeaderString verifies with ours; ours passes constructEvent', () => {
    const r = rng(13);
    const st = scheme('stripe');
    for (const payload of bodies(3)) {
      const secret = `whsec_${Buffer.from(String(r())).toString('hex')}`;
      const timestamp = NOW + Math.floor(r() * 1e5);
      const body = Buffer.from(payload, 'utf8');
      const header = stripeClient.webhooks.generateTestHeaderString({ payload, secret, timestamp });
      const headers: HeaderPair[] = [['Stripe-Signature', header]];
      expect(st.verify({ headers, body, now: timestamp + 10 }, secret)).toMatchObject({ status: 'valid', skewSeconds: 10 });
      expect(st.verify({ headers, body, now: timestamp }, `${secret}x`).status).toBe('invalid');

      const ours = st.sign({ body, secret, now: timestamp });
      const event = stripeClient.webhooks.constructEvent(body, ours[0]![1], secret, 300, undefined, (timestamp + 10) * 1000);
      expect(event).toEqual(JSON.parse(payload));
      expect(() =>
        stripeClient.webhooks.constructEvent(payload, ours[0]![1], `${secret}x`, 300, undefined, timestamp * 1000),
      ).toThrow();
      // Both sides agree a stale timestamp fails.
      expect(() =>
        stripeClient.webhooks.constructEvent(payload, ours[0]![1], secret, 300, undefined, (timestamp + 301) * 1000),
      ).toThrow();
      expect(st.verify({ headers: ours, body, now: timestamp + 301 }, secret).status).toBe('expired');
    }
  });

  it('@octokit/webhooks-methods: their sign verifies with ours; ours passes their verify', async () => {
    const r = rng(14);
    const gh = scheme('github');
    for (const payload of bodies(4)) {
      const secret = `gh ${randomText(r, 20)} ${Math.floor(r() * 1e9)}`;
      const body = Buffer.from(payload, 'utf8');
      const theirs = await octokitSign(secret, payload);
      expect(gh.verify({ headers: [['X-Hub-Signature-256', theirs]], body, now: NOW }, secret).status).toBe('valid');
      expect(gh.verify({ headers: [['x-hub-signature-256', theirs]], body, now: NOW }, `${secret} `).status).toBe('invalid');

      const ours = gh.sign({ body, secret, now: NOW });
      const sha256 = ours.find(([n]) => n === 'X-Hub-Signature-256')![1];
      expect(sha256).toBe(theirs);
      expect(await octokitVerify(secret, payload, sha256)).toBe(true);
      expect(await octokitVerify(`${secret}x`, payload, sha256)).toBe(false);
    }
  });
});

describe('Stripe specifics', () => {
  const st = () => scheme('stripe');
  const body = Buffer.from('{"id":"evt_1","object":"event"}');
  const v1 = (secret: string, t: number) => hmacHex(secret, `${t}.${body.toString()}`);

  it('accepts any of several v1 (a secret being rolled), in any position', () => {
    const wrong = 'ab'.repeat(32);
    for (const header of [
      `t=${NOW},v1=${wrong},v1=${v1('whsec_new', NOW)}`,
      `t=${NOW},v1=${v1('whsec_new', NOW)},v1=${wrong}`,
      `v1=${wrong}, t=${NOW}, v1=${v1('whsec_new', NOW)}, v0=${wrong}`,
    ]) {
      expect(st().verify({ headers: [['Stripe-Signature', header]], body, now: NOW }, 'whsec_new').status).toBe('valid');
    }
  });

  it('names the secret whose v1 matched when several secrets are configured', () => {
    const header = `t=${NOW},v1=${v1('whsec_old', NOW)},v1=${'cd'.repeat(32)}`;
    const [v] = verifySignatures({ headers: [['Stripe-Signature', header]], body, now: NOW }, [
      { name: 'new', value: 'whsec_new' },
      { name: 'old', value: 'whsec_old' },
    ]);
    expect(v).toMatchObject({ status: 'valid', secret: 'old' });
  });

  it('v0 is ignored: a header with only v0 is malformed (no secret could make it valid), even if v0 is the right HMAC', () => {
    const header = `t=${NOW},v0=${v1('whsec_x', NOW)}`;
    const r = st().verify({ headers: [['Stripe-Signature', header]], body, now: NOW }, 'whsec_x');
    expect(r.status).toBe('malformed');
    expect(r.message).toMatch(/only v0/);
    expect(r.message).toMatch(/expected Stripe-Signature: t=<unix seconds>,v1=/);
  });

  it('signs over the t as sent', () => {
    const header = `t=${NOW},v1=${v1('whsec_x', NOW)}`;
    expect(st().verify({ headers: [['Stripe-Signature', header]], body, now: NOW + 1 }, 'whsec_x').skewSeconds).toBe(1);
  });
});

describe('verifySignatures', () => {
  const body = Buffer.from('{"type":"invoice.paid"}');

  it('one entry per scheme whose header is present, in registry order; none when unsigned', () => {
    expect(verifySignatures({ headers: [['Content-Type', 'application/json']], body, now: NOW }, [])).toEqual([]);
    const headers: HeaderPair[] = [
      ...scheme('slack').sign({ body, secret: 'slack-secret', now: NOW }),
      ...scheme('x-signature').sign({ body, secret: 'x-secret', now: NOW }),
      ['Content-Type', 'application/json'],
    ];
    const verdicts = verifySignatures({ headers, body, now: NOW }, [
      { name: 'x', value: 'x-secret' },
      { name: 'slack', value: 'slack-secret' },
    ]);
    expect(verdicts).toEqual([
      { scheme: 'x-signature', header: 'X-Signature', status: 'valid', secret: 'x', diagnosis: null },
      // Timed schemes say how far the timestamp was from the clock.
      { scheme: 'slack', header: 'X-Slack-Signature', status: 'valid', secret: 'slack', diagnosis: null, skewSeconds: 0 },
    ]);
  });

  it('seeds 000 and 004 share X-Signature: one scheme, one entry', () => {
    const headers = scheme('x-signature').sign({ body, secret: 's', now: NOW });
    expect(verifySignatures({ headers: [...headers, ...headers], body, now: NOW }, [{ name: 'n', value: 's' }])).toHaveLength(1);
  });

  it('a secret restricted to a scheme is tried only for it', () => {
    const headers = scheme('x-signature').sign({ body, secret: 'shared', now: NOW });
    const only = (scheme: SchemeId): SecretInput[] => [{ name: 'n', value: 'shared', scheme }];
    expect(verifySignatures({ headers, body, now: NOW }, only('x-signature'))[0]).toMatchObject({ status: 'valid', secret: 'n' });
    expect(verifySignatures({ headers, body, now: NOW }, only('stripe'))[0]).toMatchObject({ status: 'no-secret', secret: null });
    expect(
      verifySignatures({ headers, body, now: NOW }, [...only('stripe'), { name: 'other', value: 'nope', scheme: null }])[0],
    ).toMatchObject({ status: 'invalid', secret: null });
  });

  it('reports the secret by name, never by value', () => {
    const value = 'whsec_the-actual-secret-value-9f8e7d';
    const headers = scheme('x-webhook-signature').sign({ body, secret: value, now: NOW });
    const out = JSON.stringify(verifySignatures({ headers, body, now: NOW }, [{ name: 'prod', value }]));
    expect(out).toContain('"secret":"prod"');
    expect(out).not.toContain('the-actual-secret');
  });

  it('GitHub: judged by X-Hub-Signature-256 when present, legacy sha1 only when alone', () => {
    const secret = "It's a Secret to Everybody";
    const hello = Buffer.from('Hello, World!');
    const sha1 = `sha1=${hmacHex(secret, hello, 'sha1')}`;
    const sha256 = `sha256=${hmacHex(secret, hello)}`;
    const run = (headers: HeaderPair[]) => verifySignatures({ headers, body: hello, now: NOW }, [{ name: 'gh', value: secret }]);
    expect(run([['X-Hub-Signature', sha1]])).toEqual([
      { scheme: 'github', header: 'X-Hub-Signature', status: 'valid', secret: 'gh', diagnosis: null },
    ]);
    expect(run([['X-Hub-Signature', sha1], ['X-Hub-Signature-256', sha256]])).toEqual([
      { scheme: 'github', header: 'X-Hub-Signature-256', status: 'valid', secret: 'gh', diagnosis: null },
    ]);
    expect(run([['X-Hub-Signature', sha1], ['X-Hub-Signature-256', `sha256=${'0'.repeat(64)}`]])[0]!.status).toBe('invalid');
  });

  it('Standard Webhooks: a decoy v1 of the wrong length is just not equal; webhook-* wins over svix-*', () => {
    const sw = scheme('standard-webhooks');
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const headers = sw.sign({ body, secret, now: NOW, id: 'msg_1' });
    const sig = headers[2]![1];
    const decoy: HeaderPair[] = [headers[0]!, headers[1]!, ['webhook-signature', `v1,c2hvcnQ= v2,xyz ${sig}`]];
    expect(sw.verify({ headers: decoy, body, now: NOW }, secret).status).toBe('valid');
    const both: HeaderPair[] = [...headers, ['svix-id', 'x'], ['svix-timestamp', '1'], ['svix-signature', 'v1,AAAA']];
    expect(verifySignatures({ headers: both, body, now: NOW }, [{ name: 's', value: secret }])).toEqual([
      { scheme: 'standard-webhooks', header: 'webhook-signature', status: 'valid', secret: 's', diagnosis: null, skewSeconds: 0 },
    ]);
  });

  it('Standard Webhooks: a secret that is not base64 cannot verify, and sign refuses it without echoing it', () => {
    const sw = scheme('standard-webhooks');
    const headers = sw.sign({ body, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now: NOW });
    expect(sw.verify({ headers, body, now: NOW }, 'whsec_not base64!')).toMatchObject({ status: 'invalid' });
    expect(() => sw.sign({ body, secret: 'whsec_not base64!', now: NOW })).toThrow(/not base64/);
    expect(() => sw.sign({ body, secret: 'whsec_not base64!', now: NOW })).not.toThrow(/not base64!/);
  });

  it('gives every scheme present one verdict on a 1 MiB body with 10 secrets (its cost is npm run bench\'s to measure, not a timed test\'s)', () => {
    const big = Buffer.alloc(1 << 20, 0x61);
    // Bitbucket's X-Hub-Signature is GitHub's legacy name: with GitHub's headers present it is GitHub's, so it sits this one out.
    const present = HEADER_SCHEMES.filter((s) => s.id !== 'bitbucket');
    const headers = present.flatMap((s) =>
      s.sign({ body: big, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now: NOW }),
    );
    const secrets = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, value: `whsec_${Buffer.from(`k${i}`).toString('base64')}` }));
    const verdicts = verifySignatures({ headers, body: big, now: NOW }, secrets);
    expect(verdicts).toHaveLength(present.length);
    expect(verdicts.every((v) => v.status === 'invalid')).toBe(true);
  });
});
