/**
 * The inspector's token. The banner URL carries it once (`/?token=T`); the
 * page keeps it in localStorage, which is scoped to this scheme, host and
 * port (unlike a cookie, which every port of the host and every bin URL
 * would receive), and takes it out of the address bar. The API transport
 * sends it as `Authorization: Bearer`, the live feed in its first message.
 */

import { TOKEN_SYNTAX } from '../../server/http-syntax.js';

/** The localStorage key of the token. */
export const TOKEN_KEY = 'hookbin.token';


/** Where the token is kept; localStorage when the browser allows it. */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Used when localStorage is unavailable (blocked storage): the token lasts as long as the page. */
function memoryStore(): TokenStore {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

let store: TokenStore | null = null;

function tokenStore(): TokenStore {
  if (store) return store;
  try {
    const ls = globalThis.localStorage;
    ls.getItem(TOKEN_KEY);
    store = ls;
  } catch {
    store = memoryStore();
  }
  return store;
}

/** For tests: keep the token in `s` instead. */
export function setTokenStore(s: TokenStore): void {
  store = s;
}

/**
 * Takes `?token=` out of the page's address: stores it (replacing any
 * earlier one; a value that could not be a token clears it, so the page asks
 * for the banner URL) and rewrites the address without it, keeping the rest
 * of the path, query and hash. Returns true when the address had a token.
 */
export function adoptTokenFromAddress(
  loc: { href: string } = location,
  replace: (url: string) => void = (url) => history.replaceState(history.state, '', url),
): boolean {
  const url = new URL(loc.href);
  const token = url.searchParams.get('token');
  if (token === null) return false;
  if (TOKEN_SYNTAX.test(token)) tokenStore().setItem(TOKEN_KEY, token);
  else tokenStore().removeItem(TOKEN_KEY);
  url.searchParams.delete('token');
  replace(url.pathname + url.search + url.hash);
  return true;
}

/** The stored token, or null when this browser has none (the page then asks for the banner URL). */
export function currentToken(): string | null {
  let token: string | null;
  try {
    token = tokenStore().getItem(TOKEN_KEY);
  } catch {
    return null;
  }
  return token !== null && TOKEN_SYNTAX.test(token) ? token : null;
}
