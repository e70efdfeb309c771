/**
 * A request's headers indexed once by lower-case name, so that the many
 * readers of one request on the capture path (22 signature schemes, the
 * provider's signals, the event's key and type) each find a header in O(1)
 * instead of lower-casing every name again in a scan of their own.
 */
import type { HeaderPair } from './http-syntax.js';

/**
 * The first pair of each header name, keyed by the name in lower case, in
 * the order the names first appear. Later pairs of a name are not in it:
 * wherever hookbin reads one value of a header, the first one counts.
 */
export type HeaderIndex = ReadonlyMap<string, HeaderPair>;

/** Indexes `headers` (see {@link HeaderIndex}); the pairs are shared, not copied. */
export function indexHeaders(headers: readonly HeaderPair[]): HeaderIndex {
  const index = new Map<string, HeaderPair>();
  for (const pair of headers) {
    const lower = pair[0].toLowerCase();
    if (!index.has(lower)) index.set(lower, pair);
  }
  return index;
}

/** Whether any of `names` (lower case) is in the index. */
export function hasAnyHeader(index: HeaderIndex, names: readonly string[]): boolean {
  for (const name of names) if (index.has(name)) return true;
  return false;
}
