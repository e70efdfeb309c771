/**
 * The inspector's token. The banner URL carries it once (`/?token=T`); the
 * page takes it out of the address bar, checks it with hookbin and keeps it
 * in localStorage, which is scoped to this scheme, host and port (unlike a
 * cookie, which every port of the host and every bin URL would receive) and
 * shared by the inspector's tabs. The API transport
 * sends it as `Authorization: Bearer`, the live feed in its first message.
 */

import { TOKEN_SYNTAX } from '../../../server/common/http-syntax.js';

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

/** What hookbin says of a token: `GET /api/info` with it answered 2xx, 401, or could not tell (unreachable, another error). */
export type TokenVerdict = 'accepted' | 'refused' | 'unknown';

/**
 * What became of the address's `?token=`: `none` (there was none),
 * `adopted` (stored), `refused` (hookbin refused it, or it cannot be a token:
 * the stored token, if any, is kept), `unchecked` (hookbin could not say, and
 * this browser already has a token, which is kept).
 */
export type LinkToken = 'none' | 'adopted' | 'refused' | 'unchecked';

/**
 * Takes `?token=` out of the page's address (at once, keeping the rest of
 * the path, query and hash) and stores it only once `check` says hookbin
 * accepts it. A link with a wrong token (a stale banner URL, or any site
 * navigating here with `?token=x`) so never replaces or clears a good stored
 * token. When hookbin cannot tell, the link's token is stored only if this
 * browser has none (there is nothing to lose).
 */
export async function adoptTokenFromAddress(
  check: (token: string) => Promise<TokenVerdict>,
  loc: { href: string } = location,
  replace: (url: string) => void = (url) => history.replaceState(history.state, '', url),
): Promise<LinkToken> {
  const url = new URL(loc.href);
  const token = url.searchParams.get('token');
  if (token === null) return 'none';
  url.searchParams.delete('token');
  replace(url.pathname + url.search + url.hash);
  if (!TOKEN_SYNTAX.test(token)) return 'refused';
  const stored = currentToken();
  if (token === stored) return 'adopted';
  const verdict = await check(token);
  if (verdict === 'refused') return 'refused';
  if (verdict === 'unknown' && stored !== null) return 'unchecked';
  try {
    tokenStore().setItem(TOKEN_KEY, token);
  } catch {
    // storage refused the write: the page still has the old token (or none)
  }
  return 'adopted';
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

/**
 * Calls `onToken` when another tab of this origin stores a token (the
 * `storage` event of {@link TOKEN_KEY}; a tab is not told of its own
 * writes). Returns the function that stops listening.
 */
export function onTokenStored(onToken: (token: string) => void, target: EventTarget = window): () => void {
  const listener = (ev: Event) => {
    const { key, newValue } = ev as StorageEvent;
    if (key === TOKEN_KEY && newValue !== null && TOKEN_SYNTAX.test(newValue)) onToken(newValue);
  };
  target.addEventListener('storage', listener);
  return () => target.removeEventListener('storage', listener);
}
