/**
 * The browser's localStorage as the slices use it: for small settings that
 * should outlive a reload (a filter, the sender's last targets), never a
 * webhook secret or a URL with a credential in it. Storage may be
 * missing (Node), blocked (a privacy setting throws on access) or full, so
 * each user treats it as optional.
 */

/** Storage as localStorage offers it. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** This browser's localStorage when it can be read, else null (absent, or blocked: then access throws). */
export function browserStorage(): KeyValueStorage | null {
  try {
    const s = globalThis.localStorage ?? null;
    s?.getItem('hookbin.probe');
    return s;
  } catch {
    return null;
  }
}
