/**
 * The inspector's address: the hash router tolerates any hash, and the
 * banner URL's token moves from the address bar to storage.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/main/config.js';
import { formatHash, parseHash, safeDecode } from '../../web/src/state/route.js';
import { adoptTokenFromAddress, currentToken, onTokenStored, setTokenStore, TOKEN_KEY, type TokenStore } from '../../web/src/api/token.js';

describe('hash router', () => {
  it('reads a bin, a capture and a view', () => {
    expect(parseHash('')).toEqual({ bin: null, capture: null, view: null });
    expect(parseHash('#/')).toEqual({ bin: null, capture: null, view: null });
    expect(parseHash('#/gh-demo')).toEqual({ bin: 'gh-demo', capture: null, view: null });
    expect(parseHash('#/gh-demo/cap%201')).toEqual({ bin: 'gh-demo', capture: 'cap 1', view: null });
    expect(parseHash('#/gh-demo/!events')).toEqual({ bin: 'gh-demo', capture: null, view: 'events' });
    expect(parseHash('#/gh-demo/!nonsense')).toEqual({ bin: 'gh-demo', capture: null, view: null });
  });

  it('never throws on malformed percent-encoding: what does not decode names nothing', () => {
    expect(safeDecode('%')).toBeNull();
    expect(safeDecode('%E0%A4%A')).toBeNull();
    expect(safeDecode('%ED%A0%80')).toBeNull();
    expect(safeDecode('a%20b')).toBe('a b');
    expect(parseHash('#/%')).toEqual({ bin: null, capture: null, view: null });
    expect(parseHash('#/%zz/!events')).toEqual({ bin: null, capture: null, view: null });
    expect(parseHash('#/bin/%')).toEqual({ bin: 'bin', capture: null, view: null });
    expect(parseHash('#/bin/!%')).toEqual({ bin: 'bin', capture: null, view: null });
    expect(parseHash('#/%E0%A4%A/cap')).toEqual({ bin: null, capture: null, view: null });
  });

  it('writes what it reads', () => {
    expect(formatHash(null, 'x', 'events')).toBe('');
    for (const [bin, capture, view] of [
      ['b', null, 'captures'],
      ['b/with slash', 'c%1', 'captures'],
      ['b', null, 'events'],
    ] as const) {
      const hash = formatHash(bin, capture, view);
      expect(parseHash(hash)).toEqual({ bin, capture, view: view === 'captures' ? null : view });
    }
  });
});

describe('the token from the banner URL', () => {
  const memory = (): TokenStore & { items: Map<string, string> } => {
    const items = new Map<string, string>();
    return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
  };

  /** A `check` that answers from a list of the tokens hookbin accepts, and records what it was asked. */
  const hookbin = (accepts: string[] | 'unreachable') => {
    const asked: string[] = [];
    const check = async (t: string) => {
      asked.push(t);
      return accepts === 'unreachable' ? ('unknown' as const) : accepts.includes(t) ? ('accepted' as const) : ('refused' as const);
    };
    return { asked, check };
  };

  it('moves an accepted ?token= to storage and out of the address, keeping the rest of it', async () => {
    const store = memory();
    setTokenStore(store);
    const replaced: string[] = [];
    const h = hookbin(['T-123']);
    expect(await adoptTokenFromAddress(h.check, { href: 'http://127.0.0.1:7777/some/path?x=1&token=T-123&y=2#/bin/cap' }, (u) => replaced.push(u))).toBe('adopted');
    expect(h.asked).toEqual(['T-123']);
    expect(store.items.get(TOKEN_KEY)).toBe('T-123');
    expect(currentToken()).toBe('T-123');
    expect(replaced).toEqual(['/some/path?x=1&y=2#/bin/cap']);
    // Without ?token= the address and the stored token are left alone.
    expect(await adoptTokenFromAddress(h.check, { href: 'http://127.0.0.1:7777/#/bin' }, (u) => replaced.push(u))).toBe('none');
    expect(replaced).toHaveLength(1);
    expect(currentToken()).toBe('T-123');
    // The same token again is not asked about.
    expect(await adoptTokenFromAddress(h.check, { href: 'http://h/?token=T-123' }, () => undefined)).toBe('adopted');
    expect(h.asked).toHaveLength(1);
  });

  it('a link whose token hookbin refuses (a stale banner URL, a hostile site) keeps the stored token; an accepted one replaces it', async () => {
    const store = memory();
    setTokenStore(store);
    const h = hookbin(['good', 'newer']);
    expect(await adoptTokenFromAddress(h.check, { href: 'http://h/?token=good' }, () => undefined)).toBe('adopted');
    const replaced: string[] = [];
    expect(await adoptTokenFromAddress(h.check, { href: 'http://h/?token=x' }, (u) => replaced.push(u))).toBe('refused');
    expect(replaced).toEqual(['/']);
    expect(currentToken()).toBe('good');
    // What cannot be a token is refused without asking, and clears nothing either.
    expect(await adoptTokenFromAddress(h.check, { href: 'http://h/?token=has%20space' }, () => undefined)).toBe('refused');
    expect(await adoptTokenFromAddress(h.check, { href: `http://h/?token=${'a'.repeat(513)}` }, () => undefined)).toBe('refused');
    expect(h.asked).toEqual(['good', 'x']);
    expect(currentToken()).toBe('good');
    expect(await adoptTokenFromAddress(h.check, { href: 'http://h/?token=newer' }, () => undefined)).toBe('adopted');
    expect(currentToken()).toBe('newer');
    store.items.set(TOKEN_KEY, 'bad\u0085value');
    expect(currentToken()).toBeNull();
  });

  it('when hookbin cannot say, a link token is stored only if there is none to lose', async () => {
    const store = memory();
    setTokenStore(store);
    const down = hookbin('unreachable');
    expect(await adoptTokenFromAddress(down.check, { href: 'http://h/?token=first' }, () => undefined)).toBe('adopted');
    expect(currentToken()).toBe('first');
    expect(await adoptTokenFromAddress(down.check, { href: 'http://h/?token=second' }, () => undefined)).toBe('unchecked');
    expect(currentToken()).toBe('first');
  });

  it('hears a token another tab stores (the storage event of its key), and nothing else', () => {
    const target = new EventTarget();
    const heard: string[] = [];
    const stop = onTokenStored((t) => heard.push(t), target);
    const storage = (key: string | null, newValue: string | null) => Object.assign(new Event('storage'), { key, newValue });
    target.dispatchEvent(storage('other', 'x'));
    target.dispatchEvent(storage(TOKEN_KEY, null));
    target.dispatchEvent(storage(TOKEN_KEY, 'has space'));
    target.dispatchEvent(storage(TOKEN_KEY, 'fresh'));
    expect(heard).toEqual(['fresh']);
    stop();
    target.dispatchEvent(storage(TOKEN_KEY, 'later'));
    expect(heard).toEqual(['fresh']);
  });

  it('agrees with --token on what a token is (one definition): 512 visible ASCII characters at most', () => {
    const store = memory();
    setTokenStore(store);
    for (const [token, ok] of [
      ['a'.repeat(512), true],
      ['a'.repeat(513), false],
      ['has space', false],
    ] as const) {
      store.items.set(TOKEN_KEY, token);
      expect(currentToken() !== null).toBe(ok);
      const parse = () => parseConfig(['--token', token], {}, '/home/x');
      if (ok) expect(parse()).toMatchObject({ kind: 'run', config: { token } });
      else expect(parse).toThrow(ConfigError);
    }
  });
});
