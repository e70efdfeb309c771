/**
 * The helpers every scheme's verification goes through on the capture path,
 * made cheaper and held here to their contracts: findHeader compares lengths
 * before lower-casing a name, parsed copies a signature's fields without a
 * spread, and hmac skips an empty prefix.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../../server/common/types.js';
import { DEFAULT_TOLERANCE, detectHeader, findHeader, hmac, parsed, PAST_ONLY } from '../../server/verify/crypto.js';

describe('findHeader', () => {
  const headers: HeaderPair[] = [['Host', 'x'], ['X-SIGNATURE', 'first'], ['x-signature', 'second'], ['X-Signature-256', 'other']];

  it('finds the first header of the name in any case, named as received', () => {
    expect(findHeader(headers, 'X-Signature')).toEqual({ name: 'X-SIGNATURE', value: 'first' });
    expect(findHeader(headers, 'x-signature-256')).toEqual({ name: 'X-Signature-256', value: 'other' });
    expect(detectHeader(headers, 'x-Signature')).toBe('X-SIGNATURE');
  });

  it('finds nothing for a name that is absent, or only a prefix of one', () => {
    expect(findHeader(headers, 'X-Sig')).toBeNull();
    expect(findHeader([], 'X-Signature')).toBeNull();
  });

  it('matches as lower-casing does, where it changes a length (İ lower-cases to two units)', () => {
    // Never an HTTP token, but the contract is toLowerCase's: "İx" and "i̇x" are one name.
    expect(findHeader([['İx', 'v']], 'i\u0307x')).toEqual({ name: 'İx', value: 'v' });
    expect(findHeader([['i\u0307x', 'v']], 'İx')).toEqual({ name: 'i\u0307x', value: 'v' });
  });
});

describe('parsed', () => {
  const digest = 'ab'.repeat(32);

  it('keeps every field it is given, the optional ones included, beside the decoded digests', () => {
    const signed = (body: Uint8Array) => [body];
    const fields = { header: 'Stripe-Signature', algorithm: 'sha256', encoding: 'hex', signatures: [digest, 'zz'], prefix: '1.', timestamp: 1, tolerance: PAST_ONLY, signed, refusal: 'why' } as const;
    const p = parsed({ ...fields, signatures: [...fields.signatures] }, 'expected');
    expect(p).toStrictEqual({ ok: true, parsed: { ...fields, digests: [Buffer.from(digest, 'hex')] } });
  });

  it('adds no optional field it was not given', () => {
    const p = parsed({ header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', signatures: [digest], prefix: '', timestamp: null }, 'expected');
    expect(p.ok && Object.keys(p.parsed)).toEqual(['header', 'algorithm', 'encoding', 'signatures', 'prefix', 'timestamp', 'digests']);
    expect(p.ok && (p.parsed.tolerance ?? DEFAULT_TOLERANCE)).toBe(DEFAULT_TOLERANCE);
  });
});

describe('hmac', () => {
  const key = Buffer.from('secret');
  const body = Buffer.from('{"a":1}');

  it('is the HMAC of prefix + body, with a prefix or without', () => {
    expect(hmac('sha256', key, '', body)).toEqual(createHmac('sha256', key).update(body).digest());
    expect(hmac('sha256', key, 't=1.', body)).toEqual(createHmac('sha256', key).update('t=1.{"a":1}').digest());
    expect(hmac('sha1', key, 'é', body)).toEqual(createHmac('sha1', key).update(Buffer.from('é{"a":1}', 'utf8')).digest());
  });
});
