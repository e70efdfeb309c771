/**
 * Every byte of a signature counts: a correct signature with one byte of its
 * digest changed (the first, one in the middle, the last, and every other)
 * is invalid for every scheme in the registry. Changing the body changes the
 * whole HMAC, so only tests like these notice a comparison that reads part
 * of the digest (issue 14: one reading only the first half survived the suite).
 */
import { describe, expect, it } from 'vitest';
import { SCHEMES, schemeById, verifySignatures, type HeaderPair, type Scheme } from '../../server/verify/index.js';
import { DIGEST_BYTES } from '../../server/verify/crypto.js';
import { HEADER_SCHEMES, VECTOR_SCHEMES } from '../support/header-schemes.js';
import { SIGNATURE_CASES, caseRequest, withDigestByteFlipped } from '../support/fixtures/signatures.js';

const NOW = 1_767_225_600;
const BODY = Buffer.from('{"id":"evt_digest","object":"event","text":"every byte counts ✓"}', 'utf8');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Positions to change, named for the failure message: first, middle, last, then every byte. */
function positions(bytes: number): Array<[string, number]> {
  const named: Array<[string, number]> = [
    ['first', 0],
    ['middle', Math.floor(bytes / 2)],
    ['last', -1],
  ];
  return [...named, ...Array.from({ length: bytes }, (_, i): [string, number] => [`byte ${i}`, i])];
}

/** Asserts that each single-byte change of the digest in `headers` makes the scheme, and the capture path, say invalid. */
function expectEveryByteCounts(s: Scheme, headers: HeaderPair[], body: Buffer, now: number, secret: string, bytes: number): void {
  // The untouched request is valid, so an invalid below is the changed byte's doing.
  expect(s.verify({ headers, body, now }, secret).status).toBe('valid');
  for (const [label, index] of positions(bytes)) {
    for (const xor of [0x01, 0x80, 0xff]) {
      const tampered = withDigestByteFlipped(s, headers, index, xor);
      expect(tampered, `${s.id} ${label}`).not.toEqual(headers);
      const what = `${s.id}: ${label} of the digest ^ 0x${xor.toString(16)}`;
      expect(s.verify({ headers: tampered, body, now }, secret), what).toMatchObject({ status: 'invalid' });
      const [verdict] = verifySignatures({ headers: tampered, body, now }, [{ name: 'right', value: secret }]);
      expect(verdict, what).toMatchObject({ scheme: s.id, status: 'invalid', secret: null });
    }
  }
}

/** The digest length of the scheme's signature in these headers (Vercel's is SHA-1). */
function digestBytes(s: Scheme, headers: HeaderPair[]): number {
  const p = s.parse(headers);
  if (!p.ok) throw new Error(p.message);
  return DIGEST_BYTES[p.parsed.algorithm];
}

describe('a signature with one digest byte changed is invalid', () => {
  it('has a valid shared vector for every scheme in the registry, so each is tested on bytes made elsewhere too', () => {
    const covered = new Set(SIGNATURE_CASES.filter((c) => c.expect === 'valid').map((c) => c.scheme));
    expect([...covered].sort()).toEqual(VECTOR_SCHEMES.map((s) => s.id).sort());
  });

  for (const s of HEADER_SCHEMES) {
    it(`${s.id}: hookbin's own signature, first / middle / last / every byte changed`, () => {
      const headers = s.sign({ body: BODY, secret: SECRET, now: NOW, id: 'evt_digest' });
      expectEveryByteCounts(s, headers, BODY, NOW, SECRET, digestBytes(s, headers));
    });
  }

  for (const c of SIGNATURE_CASES.filter((x) => x.expect === 'valid')) {
    it(`vector ${c.name}: first / middle / last / every byte changed`, () => {
      const req = caseRequest(c);
      expectEveryByteCounts(schemeById(c.scheme)!, req.headers, req.body, req.now, c.secret, digestBytes(schemeById(c.scheme)!, req.headers));
    });
  }

  it('github: the legacy X-Hub-Signature (SHA-1, 20 bytes) alone, first / middle / last / every byte changed', () => {
    const github = schemeById('github')!;
    const legacyOnly = github.sign({ body: BODY, secret: SECRET, now: NOW }).filter(([n]) => n === 'X-Hub-Signature');
    expect(legacyOnly).toHaveLength(1);
    expectEveryByteCounts(github, legacyOnly, BODY, NOW, SECRET, DIGEST_BYTES.sha1);
  });

  it('standard-webhooks: with several v1 entries, changing the last byte of each leaves none valid', () => {
    const sw = schemeById('standard-webhooks')!;
    const headers = sw.sign({ body: BODY, secret: SECRET, now: NOW, id: 'msg_1' });
    const [, , [name, value]] = headers as [HeaderPair, HeaderPair, HeaderPair];
    const twice: HeaderPair[] = [headers[0]!, headers[1]!, [name, `${value} ${value}`]];
    expect(sw.verify({ headers: twice, body: BODY, now: NOW }, SECRET).status).toBe('valid');
    const tampered = withDigestByteFlipped(sw, twice, -1);
    expect(tampered[2]![1].split(' ')).toHaveLength(2);
    expect(sw.verify({ headers: tampered, body: BODY, now: NOW }, SECRET).status).toBe('invalid');
  });
});

describe('strict digest and key decoding', () => {
  it('an empty hex or base64 text is no digest, and "whsec_" alone is no key', async () => {
    const { decodeHex, decodeBase64, base64Key } = await import('../../server/verify/crypto.js');
    expect(decodeHex('')).toBeNull();
    expect(decodeBase64('')).toBeNull();
    expect(base64Key('whsec_')).toBeNull();
    expect(base64Key('')).toBeNull();
    expect(decodeHex('0aFf')).toEqual(Buffer.from([0x0a, 0xff]));
    expect(decodeBase64('AQID')).toEqual(Buffer.from([1, 2, 3]));
  });

  it('Standard Webhooks with the secret "whsec_" says the secret is not base64, and signing with it throws', () => {
    const s = schemeById('standard-webhooks')!;
    const headers = s.sign({ body: BODY, secret: SECRET, now: NOW, id: 'msg_1' });
    const r = s.verify({ headers, body: BODY, now: NOW }, 'whsec_');
    expect(r).toEqual({ status: 'invalid', message: 'the secret is not base64 (expected whsec_<base64>)' });
    expect(() => s.sign({ body: BODY, secret: 'whsec_', now: NOW, id: 'msg_1' })).toThrow('standard-webhooks: the secret is not base64');
  });
});

describe('every scheme reads its headers leniently and says what is missing', () => {
  for (const s of HEADER_SCHEMES) {
    it(`${s.id}: values padded with spaces still verify; a request without the header is malformed, naming it`, () => {
      const headers = s.sign({ body: BODY, secret: SECRET, now: NOW, id: 'msg_pad' });
      const padded = headers.map(([n, v]): HeaderPair => [n, `  ${v} \t`]);
      expect(s.verify({ headers: padded, body: BODY, now: NOW }, SECRET)).toMatchObject({ status: 'valid' });
      const none = s.verify({ headers: [], body: BODY, now: NOW }, SECRET);
      expect(none.status).toBe('malformed');
      expect(none.message).toMatch(new RegExp(`^${s.header} is missing: expected .+`, 'i'));
    });
  }

  it('signing without an id sends no id header', () => {
    for (const s of SCHEMES.filter((x) => x.idHeader !== undefined && x.id !== 'standard-webhooks')) {
      const headers = s.sign({ body: BODY, secret: SECRET, now: NOW });
      expect(headers.some(([n]) => n.toLowerCase() === s.idHeader!.toLowerCase()), s.id).toBe(false);
    }
  });

  it('Slack: a timestamp that is not a number, and a signature without v0=, are malformed saying so', () => {
    const slack = schemeById('slack')!;
    const headers = slack.sign({ body: BODY, secret: SECRET, now: NOW });
    const set = (name: string, value: string) => headers.map(([n, v]): HeaderPair => [n, n.toLowerCase() === name ? value : v]);
    expect(slack.verify({ headers: set('x-slack-request-timestamp', 'soon'), body: BODY, now: NOW }, SECRET)).toMatchObject({
      status: 'malformed',
      message: expect.stringMatching(/^X-Slack-Request-Timestamp is not a unix time in seconds/i),
    });
    const sig = headers.find(([n]) => n.toLowerCase() === 'x-slack-signature')![1];
    expect(slack.verify({ headers: set('x-slack-signature', sig.replace('v0=', 'v1=')), body: BODY, now: NOW }, SECRET)).toMatchObject({
      status: 'malformed',
      message: expect.stringMatching(/has no v0= label/),
    });
  });

  it('a labelled body HMAC (GitHub sha256=) without its label is malformed saying so', () => {
    const github = schemeById('github')!;
    const headers = github.sign({ body: BODY, secret: SECRET, now: NOW });
    const bare = headers.map(([n, v]): HeaderPair => [n, n.toLowerCase() === 'x-hub-signature-256' ? v.replace('sha256=', '') : v]);
    expect(github.verify({ headers: bare, body: BODY, now: NOW }, SECRET)).toMatchObject({ status: 'malformed', message: expect.stringMatching(/has no sha256= label/) });
  });

  it('Stripe: the first t= counts, items without = are skipped', () => {
    const stripe = schemeById('stripe')!;
    const [[name, value]] = stripe.sign({ body: BODY, secret: SECRET, now: NOW }) as [HeaderPair];
    expect(stripe.verify({ headers: [[name, `${value},t=1,junk`]], body: BODY, now: NOW }, SECRET)).toMatchObject({ status: 'valid' });
    expect(stripe.verify({ headers: [[name, `junk,${value}`]], body: BODY, now: NOW }, SECRET)).toMatchObject({ status: 'valid' });
  });
});

describe('what a signature that is not one says', () => {
  it('a digest of the wrong form names the algorithm, the encoding and the length expected', () => {
    const github = schemeById('github')!;
    expect(github.verify({ headers: [['X-Hub-Signature-256', 'sha256=zz']], body: BODY, now: NOW }, SECRET)).toEqual({
      status: 'malformed',
      message: expect.stringMatching(/^X-Hub-Signature-256 is not a SHA256 HMAC in hex \(64 hex digits\): expected /),
    });
    const shopify = schemeById('shopify')!;
    const [[name]] = shopify.sign({ body: BODY, secret: SECRET, now: NOW }) as [HeaderPair];
    expect(shopify.verify({ headers: [[name, '!!!']], body: BODY, now: NOW }, SECRET)).toEqual({
      status: 'malformed',
      message: expect.stringMatching(new RegExp(`^${name} is not a SHA256 HMAC in base64 \\(base64 of 32 bytes\\): expected `)),
    });
  });

  it('a well-formed signature that no secret matches says so, naming the header', () => {
    const github = schemeById('github')!;
    const headers = github.sign({ body: BODY, secret: 'other', now: NOW });
    expect(github.verify({ headers, body: BODY, now: NOW }, SECRET)).toEqual({ status: 'invalid', message: 'no X-Hub-Signature-256 signature matches this secret and body' });
  });

  it('a timestamp may carry spaces around it', async () => {
    const { parseTimestamp } = await import('../../server/verify/crypto.js');
    expect(parseTimestamp(' 1767225600\t')).toBe(1_767_225_600);
    expect(parseTimestamp('17672x')).toBeNull();
  });
});
