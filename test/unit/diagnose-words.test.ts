/**
 * The diagnosis word for word where the scenario table only looks for a
 * phrase: what hookbin says when it finds no cause (one secret or several,
 * a body too large to try variants of), the sender's copy of a secret with a
 * trailing space or CRLF, a stale request in seconds and one in
 * milliseconds, and a cause found together with staleness.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diagnose, schemeById, type HeaderPair } from '../../server/verify/index.js';
import { MAX_VARIANT_BODY } from '../../server/verify/diagnose.js';

const NOW = 1_767_225_600;
const BODY = Buffer.from('{"id":"evt_words","amount":42}');
const hex = (key: string, body: Buffer | string) => createHmac('sha256', key).update(body).digest('hex');
const xsig = (key: string, body: Buffer = BODY): HeaderPair[] => [['X-Signature', hex(key, body)]];
const stripeAt = (key: string, t: number, body: Buffer = BODY): HeaderPair[] => [['Stripe-Signature', `t=${t},v1=${hex(key, `${t}.${body.toString('latin1')}`)}`]];

describe('diagnose, in its words', () => {
  it('no cause found, one secret', () => {
    expect(diagnose({ headers: xsig('theirs-Qw81'), body: BODY, now: NOW }, 'x-signature', [{ name: 'mine', value: 'mine-Zx45' }])).toBe(
      'The signature was not made with secret "mine", nor with the body re-serialized or its line endings changed: the sender likely signs with another secret, or the body was altered on the way.',
    );
  });

  it('no cause found, several secrets, and a body too large to try variants of', () => {
    const big = Buffer.alloc(MAX_VARIANT_BODY + 1, 0x61);
    expect(diagnose({ headers: xsig('theirs-Qw81', big), body: big, now: NOW }, 'x-signature', [{ name: 'one', value: 'one-Ab12' }, { name: 'two', value: 'two-Cd34' }])).toBe(
      'The signature was not made with any of the secrets "one", "two" over the bytes received (the body is too large to try it re-serialized or with other line endings): the sender likely signs with another secret, or the body was altered on the way.',
    );
  });

  it('a body exactly at the variant limit is still tried with variants', () => {
    const edge = Buffer.alloc(MAX_VARIANT_BODY, 0x61);
    expect(diagnose({ headers: xsig('theirs-Qw81', edge), body: edge, now: NOW }, 'x-signature', [{ name: 'mine', value: 'mine-Zx45' }])).toMatch(/nor with the body re-serialized/);
  });

  it.each([
    [' ', 'a trailing space'],
    ['\r\n', 'a trailing newline'],
  ])('the sender signed with the secret plus %j: %s', (extra, what) => {
    expect(diagnose({ headers: xsig(`mine-Zx45${extra}`), body: BODY, now: NOW }, 'x-signature', [{ name: 'mine', value: 'mine-Zx45' }])).toBe(
      `The signature matches secret "mine" with ${what} added: the sender's copy of the secret has ${what} (often read from a file), so trim it there.`,
    );
  });

  it('a stale request in seconds is only stale; in milliseconds it says so', () => {
    const secrets = [{ name: 'st', value: 'st-Kp09' }];
    const seconds = diagnose({ headers: stripeAt('st-Kp09', NOW - 1000), body: BODY, now: NOW }, 'stripe', secrets);
    expect(seconds).toBe('The HMAC matches secret "st" but the request was signed 1000 s ago, over the 300 s tolerance.');
    // stripe-node accepts any time ahead, so a Stripe timestamp in ms is valid; Standard Webhooks' is not.
    const ms = NOW * 1000;
    expect(diagnose({ headers: stripeAt('st-Kp09', ms), body: BODY, now: NOW }, 'stripe', secrets)).toBeNull();
    const sw = schemeById('standard-webhooks')!;
    const swSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const headers = sw.sign({ body: BODY, secret: swSecret, now: ms, id: 'msg_1' });
    expect(diagnose({ headers, body: BODY, now: NOW }, 'standard-webhooks', [{ name: 'st', value: swSecret }])).toBe(
      `The HMAC matches secret "st" but the request's timestamp is ahead by ${ms - NOW} s, over the 300 s allowed ahead (the timestamp looks like milliseconds, not seconds): the sender's clock runs ahead of this machine's.`,
    );
  });

  it('a cause found on a stale request says both', () => {
    const padded = diagnose({ headers: stripeAt('st-Kp09 ', NOW - 1000), body: BODY, now: NOW }, 'stripe', [{ name: 'st', value: 'st-Kp09' }]);
    expect(padded).toBe(
      'The signature matches secret "st" with a trailing space added: the sender\'s copy of the secret has a trailing space (often read from a file), so trim it there, and it was signed 1000 s ago, over the 300 s tolerance.',
    );
  });

  it('a secret for another scheme only is not tried as this scheme\'s', () => {
    const said = diagnose({ headers: xsig('theirs-Qw81'), body: BODY, now: NOW }, 'x-signature', [
      { name: 'mine', value: 'mine-Zx45' },
      { name: 'gh', value: 'gh-Tt55', scheme: 'github' },
    ]);
    expect(said).toMatch(/^The signature was not made with secret "mine",/);
  });
});

describe('diagnose: what the sender signed instead of the bytes received', () => {
  const secrets = [{ name: 'mine', value: 'mine-Zx45' }];
  const says = (signedOver: Buffer | string, received: Buffer | string) =>
    diagnose({ headers: xsig('mine-Zx45', Buffer.from(signedOver)), body: Buffer.from(received), now: NOW }, 'x-signature', secrets);
  const REPARSED = 'the body was re-serialized (parsed and stringified again) between signing and sending, so verify the raw bytes exactly as sent.';

  it('LF signed, CRLF received; and the other way', () => {
    expect(says('a\nb\nc', 'a\r\nb\r\nc')).toBe('The signature matches the body with LF line endings (secret "mine"), not the bytes received: the body was signed with LF line endings and arrived with CRLF.');
    expect(says('a\r\nb\r\nc', 'a\nb\nc')).toBe('The signature matches the body with CRLF line endings (secret "mine"), not the bytes received: the body was signed with CRLF line endings and arrived with LF.');
  });

  it('line endings are changed byte for byte, so a body with non-ASCII bytes is matched too', () => {
    expect(says(Buffer.from('caf\u00e9\nna\u00efve\n'), Buffer.from('caf\u00e9\r\nna\u00efve\r\n'))).toMatch(/^The signature matches the body (with LF line endings|without its trailing newline)/);
    expect(says(Buffer.from('caf\u00e9\r\nx'), Buffer.from('caf\u00e9\nx'))).toMatch(/^The signature matches the body with CRLF line endings/);
  });

  it('variants are tried up to MAX_VARIANT_BODY bytes, not past it', () => {
    const edge = Buffer.alloc(MAX_VARIANT_BODY, 0x61);
    expect(says(Buffer.concat([edge, Buffer.from('\n')]), edge)).toMatch(/^The signature matches the body with a trailing newline/);
    const over = Buffer.alloc(MAX_VARIANT_BODY + 1, 0x61);
    expect(says(Buffer.concat([over, Buffer.from('\n')]), over)).toMatch(/the body is too large to try it re-serialized/);
  });

  it('a trailing CRLF added after signing is cut whole', () => {
    expect(says('{"a":1}', '{"a":1}\r\n')).toBe('The signature matches the body without its trailing newline (secret "mine"), not the bytes received: a trailing newline was added to the body after signing.');
  });

  it('JSON re-serialized with tabs, or as Python writes an array, with or without a trailing newline', () => {
    const value = { list: [1, 'é'], ok: true };
    const compact = JSON.stringify(value);
    expect(says(JSON.stringify(value, null, '\t'), compact)).toBe(`The signature matches this body re-serialized as pretty JSON (tab indent) (secret "mine"), not the bytes received: ${REPARSED}`);
    expect(says('[1, "\\u00e9", {"k": null}]', '[1,"é",{"k":null}]')).toBe(`The signature matches this body re-serialized as JSON with spaces after , and : (Python's json.dumps default) (secret "mine"), not the bytes received: ${REPARSED}`);
    expect(says(`${JSON.stringify(value, null, 2)}\n`, compact)).toBe(`The signature matches this body re-serialized as pretty JSON (2-space indent) with a trailing newline (secret "mine"), not the bytes received: ${REPARSED}`);
  });

  it('a body that is not JSON (or not UTF-8, or JSON that is no object or array) is not re-serialized', () => {
    for (const body of [Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from('x{"a":1}'), Buffer.from('"just a string"'), Buffer.from('{"a":')]) {
      expect(says('{"a": 1}', body)).toMatch(/^The signature was not made with secret "mine"/);
    }
    // A bare number is JSON, but no webhook body: it is not offered re-serialized.
    expect(says('42', ' 42')).toMatch(/^The signature was not made with secret "mine"/);
    // Bytes that are not UTF-8 are not decoded loosely and re-serialized.
    const loose = Buffer.from(JSON.stringify({ a: '\ufffd' }));
    expect(says(loose, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x20, 0x7d]))).toMatch(/^The signature was not made with secret "mine"/);
  });

  it('a header carrying the secret itself is named, padded or not; an empty secret never matches', () => {
    expect(diagnose({ headers: [['X-Signature', '  mine-Zx45 ']], body: BODY, now: NOW }, 'x-signature', secrets)).toBe(
      'X-Signature carries secret "mine" itself instead of an HMAC of the body: the sender sends its secret, not a signature.',
    );
    expect(diagnose({ headers: [['X-Signature', '']], body: BODY, now: NOW }, 'x-signature', [{ name: 'empty', value: '' }])).not.toMatch(/carries secret/);
  });
});
