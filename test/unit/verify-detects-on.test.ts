/**
 * The verifier skips a scheme when none of the headers it `detectsOn` is in
 * the request (one look-up in the request's header index, instead of each of
 * 22 schemes scanning every header). That is only right while `detectsOn`
 * lists every header a scheme's `detect` can find a signature in: these
 * tests hold each scheme to it over every header name hookbin knows of, in
 * any case, and check that the verdicts list the same schemes as asking
 * every scheme would.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PROVIDER_SIGNALS } from '../../server/capture/provider.js';
import { judgeRequest } from '../../server/capture/verdicts.js';
import { hasAnyHeader, indexHeaders } from '../../server/common/header-index.js';
import { SCHEMES, verifySignatures, type HeaderPair, type SecretInput, type VerifyInput } from '../../server/verify/index.js';
import { SIGNATURE_CASES, caseRequest } from '../support/fixtures/signatures.js';

const NOW = 1_767_225_600;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const URL_SIGNED = 'https://hooks.example.test/b/bin?x=1';
const BODY = Buffer.from('{"id":"evt_1","type":"payment.succeeded"}');

/** What each scheme's `sign` writes for a body (schemes whose secret must be a private key are left to the names below). */
function signedHeaders(): HeaderPair[][] {
  const out: HeaderPair[][] = [];
  for (const s of SCHEMES) {
    try {
      out.push(s.sign({ body: BODY, secret: SECRET, now: NOW, id: 'evt_1', method: 'POST', url: URL_SIGNED }));
    } catch {
      // Discord and SendGrid sign with a private key; their header names come from the provider signals.
    }
  }
  return out;
}

/** Every header name a signature may travel in that hookbin knows of: what the schemes sign and name, and every provider signal. */
const NAMES = [
  ...new Set([
    ...signedHeaders().flatMap((h) => h.map(([n]) => n)),
    ...SCHEMES.flatMap((s) => [s.header, ...(s.idHeader ? [s.idHeader] : []), ...(s.detectsOn ?? [])]),
    ...PROVIDER_SIGNALS.flatMap((p) => p.headers),
  ]),
];

/** Values of every shape the schemes read: bare digests, labelled ones, parameter lists, noise. */
const VALUES = [
  'ab'.repeat(32),
  `sha1=${'ab'.repeat(20)}`,
  `sha256=${'ab'.repeat(32)}`,
  `t=${NOW},v1=${'ab'.repeat(32)}`,
  `v1,${Buffer.alloc(32, 7).toString('base64')}`,
  `v0=${'ab'.repeat(32)}`,
  `ts=${NOW};h1=${'ab'.repeat(32)}`,
  'noise',
];

const casings = (name: string): string[] => [name, name.toLowerCase(), name.toUpperCase()];

describe('each scheme’s detectsOn', () => {
  it('names headers in lower case, or is null only for Mailgun, whose signature is in the body', () => {
    for (const s of SCHEMES) {
      if (s.detectsOn === null) {
        expect(s.id).toBe('mailgun');
        continue;
      }
      expect(s.detectsOn.length, s.id).toBeGreaterThan(0);
      for (const n of s.detectsOn) expect(n, s.id).toBe(n.toLowerCase());
    }
  });

  it('lists every header its detect finds a signature in, in any case', () => {
    let found = 0;
    for (const name of NAMES) {
      for (const cased of casings(name)) {
        for (const value of VALUES) {
          const headers: HeaderPair[] = [['Content-Type', 'application/json'], [cased, value]];
          const index = indexHeaders(headers);
          for (const s of SCHEMES) {
            if (s.detectsOn === null || s.detect(headers, { headers, body: BODY, now: NOW }) === null) continue;
            found++;
            expect(hasAnyHeader(index, s.detectsOn), `${s.id} detects ${cased}: ${value}`).toBe(true);
          }
        }
      }
    }
    // Every scheme with headers was found somewhere, so the check above ran for each.
    expect(found).toBeGreaterThan(SCHEMES.length);
  });
});

/** The schemes `detect` finds in a request when every one is asked, in registry order, with the header each names. */
function askEveryScheme(input: VerifyInput): [string, string][] {
  const out: [string, string][] = [];
  for (const s of SCHEMES) {
    const header = s.detect(input.headers, input);
    if (header !== null) out.push([s.id, header]);
  }
  return out;
}

/** Each request with its names upper- and lower-cased, and with each header left out in turn. */
function variants(headers: HeaderPair[]): HeaderPair[][] {
  const out = [headers, headers.map(([n, v]): HeaderPair => [n.toUpperCase(), v]), headers.map(([n, v]): HeaderPair => [n.toLowerCase(), v])];
  for (let i = 0; i < headers.length; i++) out.push(headers.filter((_, j) => j !== i));
  return out;
}

describe('verifySignatures with the skip', () => {
  const secrets: SecretInput[] = [{ name: 'any', value: SECRET }];
  const requests: VerifyInput[] = [
    ...SIGNATURE_CASES.flatMap((c) => {
      const r = caseRequest(c);
      return variants(r.headers).map((headers) => ({ headers, body: r.body, now: r.now }));
    }),
    ...signedHeaders().flatMap((h) => variants(h).map((headers) => ({ headers, body: BODY, now: NOW, method: 'POST', url: URL_SIGNED }))),
    // Several schemes at once, and a Mailgun body (no header at all).
    { headers: signedHeaders().flat(), body: BODY, now: NOW, method: 'POST', url: URL_SIGNED },
    { headers: [], body: Buffer.from('{"signature":{"timestamp":"1","token":"t","signature":"ab"}}'), now: NOW },
  ];

  it('lists the same schemes, with the same headers, as asking every scheme', () => {
    for (const input of requests) {
      const listed = verifySignatures(input, secrets).map((v) => [v.scheme, v.header]);
      expect(listed, JSON.stringify(input.headers)).toEqual(askEveryScheme(input));
    }
  });
});

describe('the capture path’s index', () => {
  const secret = 'bench-secret';
  const body = Buffer.from('{"id":"evt_1"}');
  const good = createHmac('sha256', secret).update(body).digest('hex');
  const secrets: SecretInput[] = [{ name: 'bin', value: secret, scheme: 'x-signature' }];
  const judged = (headers: HeaderPair[]) => {
    const withIndex = judgeRequest(headers, body, NOW * 1000, secrets, {}, [], indexHeaders(headers));
    expect(judgeRequest(headers, body, NOW * 1000, secrets)).toEqual(withIndex);
    return withIndex.signatures.map((s) => [s.header, s.status]);
  };

  it('finds a signature header in any case, named as received', () => {
    expect(judged([['X-SIGNATURE', good]])).toEqual([['X-SIGNATURE', 'valid']]);
    expect(judged([['x-signature', good]])).toEqual([['x-signature', 'valid']]);
  });

  it('judges the first of a header sent twice, whatever the case of the second', () => {
    expect(judged([['X-Signature', good], ['x-signature', 'ff'.repeat(32)]])).toEqual([['X-Signature', 'valid']]);
    expect(judged([['X-Signature', 'nothex'], ['X-SIGNATURE', good]])).toEqual([['X-Signature', 'malformed']]);
  });
});
