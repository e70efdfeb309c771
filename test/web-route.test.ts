/**
 * The inspector's address: the hash router tolerates any hash, and the
 * banner URL's token moves from the address bar to storage.
 */
import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, safeDecode } from '../web/src/route.js';
import { adoptTokenFromAddress, currentToken, setTokenStore, TOKEN_KEY, type TokenStore } from '../web/src/token.js';

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

  it('moves ?token= to storage and out of the address, keeping the rest of it', () => {
    const store = memory();
    setTokenStore(store);
    const replaced: string[] = [];
    expect(adoptTokenFromAddress({ href: 'http://127.0.0.1:7777/some/path?x=1&token=T-123&y=2#/bin/cap' }, (u) => replaced.push(u))).toBe(true);
    expect(store.items.get(TOKEN_KEY)).toBe('T-123');
    expect(currentToken()).toBe('T-123');
    expect(replaced).toEqual(['/some/path?x=1&y=2#/bin/cap']);
    // Without ?token= the address and the stored token are left alone.
    expect(adoptTokenFromAddress({ href: 'http://127.0.0.1:7777/#/bin' }, (u) => replaced.push(u))).toBe(false);
    expect(replaced).toHaveLength(1);
    expect(currentToken()).toBe('T-123');
  });

  it('a later banner URL replaces the token; one that cannot be a token clears it (the page asks for the banner URL)', () => {
    const store = memory();
    setTokenStore(store);
    adoptTokenFromAddress({ href: 'http://h/?token=first' }, () => undefined);
    adoptTokenFromAddress({ href: 'http://h/?token=second' }, () => undefined);
    expect(currentToken()).toBe('second');
    adoptTokenFromAddress({ href: 'http://h/?token=has%20space' }, () => undefined);
    expect(currentToken()).toBeNull();
    expect(store.items.has(TOKEN_KEY)).toBe(false);
    store.items.set(TOKEN_KEY, 'bad\u0085value');
    expect(currentToken()).toBeNull();
  });
});
