/**
 * eventIdentity reads headers through the request's header index (built
 * once on the capture path for signatures, provider and event alike). The
 * index keeps only the first pair of a name, so these hold the readers that
 * must see more, or exactly the first, to their contract: a key header in
 * any case and only its first value, the first Content-Type for a form, and
 * a Discord User-Agent wherever it is among several.
 */
import { describe, expect, it } from 'vitest';
import { eventIdentity, type EventIdentityOptions } from '../../server/capture/event-identity.js';
import { indexHeaders } from '../../server/common/header-index.js';
import type { HeaderPair } from '../../server/common/types.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** The identity as the capture path gets it (index given), checked against the one without. */
function identity(headers: HeaderPair[], body: Buffer, options: EventIdentityOptions = {}) {
  const got = eventIdentity(headers, body, options, indexHeaders(headers));
  expect(eventIdentity(headers, body, options)).toEqual(got);
  return got;
}

describe('eventIdentity through the header index', () => {
  it('takes a bin’s key header in any case, and its first value only', () => {
    const headers: HeaderPair[] = [['X-EVENT-ID', ' evt-1 '], ['x-event-id', 'evt-2']];
    expect(identity(headers, json({ type: 'a' }), { keyHeader: 'X-Event-Id' })).toMatchObject({ key: 'evt-1', keySource: 'custom-header:x-event-id', type: 'a' });
  });

  it('a blank first key header is absent, and a later one of that name is not read', () => {
    const headers: HeaderPair[] = [['X-Event-Id', ''], ['X-Event-Id', 'evt-2']];
    expect(identity(headers, json({ id: 'body-id' }), { keyHeader: 'x-event-id' })).toMatchObject({ key: 'body-id', keySource: 'body:/id' });
  });

  it('reads a form by its first Content-Type', () => {
    const body = Buffer.from('MessageSid=SM1&MessageStatus=delivered');
    const form: HeaderPair = ['Content-Type', 'application/x-www-form-urlencoded'];
    const other: HeaderPair = ['content-type', 'text/plain'];
    expect(identity([form, other], body)).toMatchObject({ key: 'SM1:delivered', type: 'delivered' });
    expect(identity([other, form], body).keySource).toBe('body-hash');
  });

  it('knows a Discord interaction by any of its User-Agents, not only the first', () => {
    const body = json({ id: '9', type: 2 });
    const discord: HeaderPair = ['User-Agent', 'Discord-Interactions/1.0 (+https://discord.com)'];
    const other: HeaderPair = ['user-agent', 'curl/8.5.0'];
    expect(identity([other, discord], body)).toMatchObject({ key: '9', type: 'application_command' });
    expect(identity([discord, other], body)).toMatchObject({ key: '9', type: 'application_command' });
    expect(identity([other], body)).toMatchObject({ key: '9', type: null });
  });

  it('knows a Discord interaction by its signature header in any case', () => {
    expect(identity([['X-SIGNATURE-ED25519', 'ab']], json({ id: '9', type: 1 }))).toMatchObject({ type: 'ping' });
  });

  it('takes the retry claim from the first X-Hookbin-Retry', () => {
    const headers: HeaderPair[] = [['X-Hookbin-Retry', ' cap_1 '], ['x-hookbin-retry', 'cap_2']];
    expect(identity(headers, json({})).retryClaim).toBe('cap_1');
  });
});
