/**
 * The header index the capture path builds once per request and hands to
 * the signature schemes, the provider's signals and the event identity: its
 * keys are lower case, the first pair of a name is the one kept (as every
 * reader of one header value takes the first), and pairs are shared as
 * received.
 */
import { describe, expect, it } from 'vitest';
import { hasAnyHeader, indexHeaders } from '../../server/common/header-index.js';
import type { HeaderPair } from '../../server/common/types.js';

describe('indexHeaders', () => {
  it('keys each name in lower case and keeps its pair as received', () => {
    const sig: HeaderPair = ['X-Signature', 'ab'];
    const index = indexHeaders([['Content-Type', 'application/json'], sig]);
    expect(index.get('x-signature')).toBe(sig);
    expect(index.get('content-type')).toEqual(['Content-Type', 'application/json']);
    expect(index.has('X-Signature')).toBe(false);
  });

  it('keeps the first pair of a name, whatever the case of the later ones', () => {
    const index = indexHeaders([['x-event-id', 'first'], ['X-Event-Id', 'second'], ['X-EVENT-ID', 'third']]);
    expect(index.get('x-event-id')).toEqual(['x-event-id', 'first']);
    expect(index.size).toBe(1);
  });

  it('keeps a blank first value rather than promoting a later one', () => {
    expect(indexHeaders([['Webhook-Id', ''], ['webhook-id', 'later']]).get('webhook-id')).toEqual(['Webhook-Id', '']);
  });

  it('lists names in the order they first appear', () => {
    const index = indexHeaders([['B', '1'], ['a', '2'], ['b', '3'], ['C', '4']]);
    expect([...index.keys()]).toEqual(['b', 'a', 'c']);
  });

  it('is empty for no headers', () => {
    expect(indexHeaders([]).size).toBe(0);
  });
});

describe('hasAnyHeader', () => {
  const index = indexHeaders([['Stripe-Signature', 't=1,v1=ab'], ['Host', 'x']]);

  it('is true when any of the lower-case names is present', () => {
    expect(hasAnyHeader(index, ['webhook-signature', 'stripe-signature'])).toBe(true);
  });

  it('is false when none is, and for no names', () => {
    expect(hasAnyHeader(index, ['webhook-signature', 'svix-signature'])).toBe(false);
    expect(hasAnyHeader(index, [])).toBe(false);
  });
});
