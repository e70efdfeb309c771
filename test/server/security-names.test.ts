/**
 * The control plane's guard below the server: host names and the Host policy,
 * the constant-time comparison, the legacy cookie name, and the words of the
 * guard's refusals (through app.request).
 */
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { hostnameOf, hostPolicy, isLoopbackName, legacyTokenCookieName, safeEqual } from '../../server/http/security.js';
import { openStore } from '../../server/store/index.js';

const APP_TOKEN = 'app-token-abcdef';

describe('safeEqual', () => {
  it('is true for equal strings', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('tökén✓', 'tökén✓')).toBe(true);
  });

  it('is false for different strings of the same length', () => {
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'ABC')).toBe(false);
  });

  it('is false for different lengths, including prefixes and the empty string', () => {
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('abcd', 'abc')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
    expect(safeEqual('a', '')).toBe(false);
  });
});

describe('isLoopbackName', () => {
  it.each(['localhost', 'LOCALHOST', 'LocalHost', 'app.localhost', 'a.b.localhost', '127.0.0.1', '127.0.0.2', '127.255.255.255', '127.1.2.3', '[::1]', '::1'])(
    '%s is loopback',
    (name) => expect(isLoopbackName(name)).toBe(true),
  );

  it.each([
    'evillocalhost',
    'xlocalhost',
    'evil-localhost',
    'localhost.evil.example',
    '.localhost.evil',
    '127.0.0.1x',
    '127.0.0.1.evil.example',
    '127.0.0.1.',
    '1127.0.0.1',
    '127.0.0.1.1',
    '127.0.0',
    '128.0.0.1',
    '0.0.0.0',
    '[::1]x',
    '[::2]',
    '::1x',
    '::',
    '',
    'evil.example',
  ])('%s is not loopback', (name) => expect(isLoopbackName(name)).toBe(false));
});

describe('hostnameOf', () => {
  it.each([
    ['localhost', 'localhost'],
    ['localhost:8080', 'localhost'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:80', '[::1]'],
    ['evillocalhost:80', 'evillocalhost'],
    ['127.0.0.1x:80', '127.0.0.1x'],
    ['App.Localhost:3000', 'App.Localhost'],
  ])('%s → %s', (host, name) => expect(hostnameOf(host)).toBe(name));

  it.each([[undefined], [''], ['[::1]x'], ['[::1]x:80'], ['[::1].evil.example'], ['::1'], ['localhost:80@evil.example'], ['localhost:80x'], ['localhost:123456'], ['localhost:'], ['local host'], ['localhost/x']])(
    '%s is malformed (null)',
    (host) => expect(hostnameOf(host)).toBeNull(),
  );
});

describe('legacyTokenCookieName', () => {
  it.each([
    ['http://localhost/', 'hookbin_token_80'],
    ['https://localhost/', 'hookbin_token_443'],
    ['http://127.0.0.1:8080/x?token=1', 'hookbin_token_8080'],
    ['https://localhost:8443/', 'hookbin_token_8443'],
  ])('%s → %s', (url, name) => expect(legacyTokenCookieName(url)).toBe(name));
});

describe('the guard\'s refusals say why (app.request)', () => {
  const store = openStore({ file: null, maxCapturesPerBin: 10 });
  const app = createApp({ store, token: APP_TOKEN, hosts: hostPolicy('127.0.0.1'), maxBody: 1024, webRoot: null, version: '0.0.0-test' });
  afterAll(() => store.close());
  const auth = { authorization: `Bearer ${APP_TOKEN}` };

  it('a foreign Host is named; no Host at all reads as ""', async () => {
    const named = await app.request('/api/bins', { headers: { ...auth, host: 'evil.example:8080' } });
    expect(await named.json()).toEqual({ error: { code: 'forbidden_host', message: 'the Host "evil.example:8080" is not this hookbin; use localhost or 127.0.0.1' } });
    const none = await app.request('/api/bins', { headers: auth });
    expect(await none.json()).toEqual({ error: { code: 'forbidden_host', message: 'the Host "" is not this hookbin; use localhost or 127.0.0.1' } });
  });

  it('a foreign Origin, and a missing or wrong token', async () => {
    const origin = await app.request('/api/bins', { headers: { ...auth, host: 'localhost', origin: 'http://evil.example' } });
    expect(await origin.json()).toEqual({ error: { code: 'forbidden_origin', message: 'cross-origin requests to the hookbin API are refused' } });
    const missing = await app.request('/api/bins', { headers: { host: 'localhost' } });
    expect(await missing.json()).toEqual({ error: { code: 'unauthorized', message: 'a token is required: send "Authorization: Bearer <token>" (printed at startup)' } });
    const wrong = await app.request('/api/bins', { headers: { host: 'localhost', authorization: 'Bearer nope' } });
    expect(await wrong.json()).toEqual({ error: { code: 'unauthorized', message: 'the token is wrong' } });
  });
});

describe('hostPolicy', () => {
  it('bound to 127.0.0.1: loopback names only, no near misses', () => {
    const allowed = hostPolicy('127.0.0.1');
    for (const name of ['localhost', 'app.localhost', '127.0.0.1', '[::1]']) expect(allowed(name), name).toBe(true);
    for (const name of ['evillocalhost', 'xlocalhost', '127.0.0.1x', '127.0.0.1.evil.example', 'localhost.evil.example', 'evil.example']) {
      expect(allowed(name), name).toBe(false);
    }
  });

  it('bound to a name: that name too (any case), not names that merely end with it', () => {
    const allowed = hostPolicy('hookbin.test');
    expect(allowed('hookbin.test')).toBe(true);
    expect(allowed('HOOKBIN.TEST')).toBe(true);
    expect(allowed('localhost')).toBe(true);
    expect(allowed('evilhookbin.test')).toBe(false);
    expect(allowed('hookbin.test.evil.example')).toBe(false);
  });

  it('bound to an IPv6 address: with or without brackets', () => {
    const allowed = hostPolicy('::1');
    expect(allowed('[::1]')).toBe(true);
    expect(hostPolicy('fd00::5')('[fd00::5]')).toBe(true);
    expect(hostPolicy('fd00::5')('[fd00::6]')).toBe(false);
    // --host [fd00::5] (brackets as in a URL) is the same address.
    expect(hostPolicy('[fd00::5]')('[fd00::5]')).toBe(true);
    expect(hostPolicy('[fd00::5]')('[fd00::6]')).toBe(false);
  });

  it.each([['0.0.0.0'], ['::'], ['[::]'], ['']])('bound to every interface (%s): this machine\'s name and addresses too, not other names', (bound) => {
    const allowed = hostPolicy(bound);
    expect(allowed(osHostname())).toBe(true);
    expect(allowed(osHostname().toUpperCase())).toBe(true);
    const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((ni) => ni.address));
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(allowed(address.includes(':') ? `[${address}]` : address), address).toBe(true);
    expect(allowed('localhost')).toBe(true);
    for (const name of ['evil.example', `${osHostname()}.evil.example`, `x${osHostname()}`, '0.0.0.0', '192.0.2.1']) expect(allowed(name), name).toBe(false);
  });

  it('bound to one address: not this machine\'s other names', () => {
    const allowed = hostPolicy('127.0.0.1');
    if (osHostname() !== 'localhost') expect(allowed(osHostname())).toBe(false);
  });
});
