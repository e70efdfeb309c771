/**
 * The diagnosis word for word where the scenario table only looks for a
 * phrase: what hookbin says when it finds no cause (one secret or several,
 * a body too large to try variants of), the sender's copy of a secret with a
 * trailing space or CRLF, a stale request in seconds and one in
 * milliseconds, and a cause found together with staleness.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diagnose, type HeaderPair } from '../server/verify/index.js';
import { MAX_VARIANT_BODY } from '../server/verify/diagnose.js';

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
    const ms = NOW * 1000;
    expect(diagnose({ headers: stripeAt('st-Kp09', ms), body: BODY, now: NOW }, 'stripe', secrets)).toBe(
      `The HMAC matches secret "st" but the request was signed ${ms - NOW} s in the future, over the 300 s tolerance (the timestamp looks like milliseconds, not seconds).`,
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
