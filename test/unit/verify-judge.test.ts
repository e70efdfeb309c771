/**
 * `judge`, the one verdict both the capture path and the diagnosis use:
 * what it returns with each verdict, which secrets it tries, and in what order
 * a valid, an expired and an invalid secret decide.
 */
import { describe, expect, it } from 'vitest';
import { judge } from '../../server/verify/judge.js';
import { schemeById } from '../../server/verify/index.js';

const NOW = 1_767_225_600;
const BODY = Buffer.from('{"id":"evt_judge"}');
const stripe = schemeById('stripe')!;
const signed = (secret: string, at = NOW) => stripe.sign({ body: BODY, secret, now: at });

describe('judge', () => {
  it('malformed: the parse error is the result, whatever the secrets', () => {
    const j = judge(stripe, { headers: [['Stripe-Signature', 'garbage']], body: BODY, now: NOW }, [{ name: 'a', value: 'sk' }]);
    expect(j.status).toBe('malformed');
    expect(j.secret).toBeNull();
    expect(j.result).toEqual({ status: 'malformed', message: expect.stringContaining('Stripe-Signature') });
    expect(j.parse.ok).toBe(false);
  });

  it('no-secret when none applies (one for another scheme is not tried)', () => {
    const j = judge(stripe, { headers: signed('sk'), body: BODY, now: NOW }, [{ name: 'gh', value: 'sk', scheme: 'github' }]);
    expect(j).toMatchObject({ status: 'no-secret', secret: null, result: null });
  });

  it('invalid when secrets were tried and none matched', () => {
    const j = judge(stripe, { headers: signed('sk'), body: BODY, now: NOW }, [{ name: 'a', value: 'other' }]);
    expect(j).toMatchObject({ status: 'invalid', secret: null, result: { status: 'invalid' } });
  });

  it('the first valid secret wins over an earlier expired one; an expired one is named with its skew', () => {
    const old = signed('sk', NOW - 1000);
    const secrets = [
      { name: 'wrong', value: 'nope' },
      { name: 'right', value: 'sk' },
    ];
    const expired = judge(stripe, { headers: old, body: BODY, now: NOW }, secrets);
    expect(expired).toMatchObject({ status: 'expired', secret: { name: 'right' }, result: { status: 'expired', skewSeconds: 1000 } });
    const valid = judge(stripe, { headers: signed('sk'), body: BODY, now: NOW }, [{ name: 'first', value: 'nope' }, { name: 'second', value: 'sk' }, { name: 'third', value: 'sk' }]);
    expect(valid).toMatchObject({ status: 'valid', secret: { name: 'second' } });
  });
});
