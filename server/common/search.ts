/**
 * The syntax of a capture search (`GET /api/bins/{id}/captures?q=`), shared
 * by the server and the inspector's search box so both read a query alike:
 * the text is plain words, and a double-quoted part is one phrase. Nothing a
 * user types is query syntax (no operators, no wildcards), and every word or
 * phrase must be found. Matching is by substring, case-insensitive, so each
 * needs at least {@link MIN_SEARCH_CHARS} characters.
 */

/** The fewest characters a word or phrase may have (the index matches by three-character pieces). */
export const MIN_SEARCH_CHARS = 3;
/** The longest query text, in characters. */
export const MAX_SEARCH_LENGTH = 256;
/** The most words and phrases in one query. */
export const MAX_SEARCH_TERMS = 16;

/** A query read: its terms, or why it cannot be searched. */
export type ParsedSearch = { ok: true; terms: string[] } | { ok: false; message: string };

/**
 * Reads `q` into its terms: words split on white space, `"…"` kept as one
 * phrase (an unclosed quote runs to the end). Empty text gives no terms.
 * Refuses (with a sentence for the user) text over {@link MAX_SEARCH_LENGTH},
 * more than {@link MAX_SEARCH_TERMS} terms, and a term shorter than
 * {@link MIN_SEARCH_CHARS} characters.
 */
export function parseSearch(q: string): ParsedSearch {
  if (q.length > MAX_SEARCH_LENGTH) return { ok: false, message: `a search is at most ${MAX_SEARCH_LENGTH} characters` };
  const terms: string[] = [];
  // Control characters (a NUL from a URL's %00) are no part of a word.
  const text = q.replace(/[\u0000-\u001f\u007f]/g, ' ');
  // A quoted phrase, or a run of anything but white space and quotes.
  for (const m of text.matchAll(/"([^"]*)"?|[^\s"]+/g)) {
    const term = (m[1] ?? m[0]).trim();
    if (term !== '') terms.push(term);
  }
  if (terms.length > MAX_SEARCH_TERMS) return { ok: false, message: `a search has at most ${MAX_SEARCH_TERMS} words or phrases` };
  const short = terms.find((t) => [...t].length < MIN_SEARCH_CHARS);
  if (short !== undefined) {
    return { ok: false, message: `each word searched needs at least ${MIN_SEARCH_CHARS} characters ("${short}" is shorter); quote it with its neighbours, e.g. "id 42"` };
  }
  return { ok: true, terms };
}
