/**
 * Headers of the answers a bin URL gives. Bins answer on hookbin's own
 * origin, where the inspector and its token live, with bodies that the
 * bin's settings or the developer's app choose (a relayed app may even
 * reflect the sender's input): every such answer is sandboxed and never
 * sniffed, so an HTML answer cannot run script as hookbin. And a relayed app
 * reply keeps only the headers that can be sent on.
 */
import { EDGE_WHITESPACE, HEADER_VALUE, HOP_BY_HOP, HTTP_TOKEN, ORIGIN_HEADERS } from '../common/http-syntax.js';
import type { CaptureResponse, HeaderPair } from '../common/types.js';

/**
 * What hookbin sets on every answer from a bin URL, over any header of the
 * same name that the bin's settings or the app gave: `sandbox` gives the
 * page an opaque origin (no cookies, storage or same-origin requests of
 * hookbin's), `nosniff` keeps a JSON or text answer from being read as HTML.
 */
export const BIN_ANSWER_HEADERS: readonly HeaderPair[] = [
  ['content-security-policy', 'sandbox'],
  ['x-content-type-options', 'nosniff'],
];

const OWN = new Set(BIN_ANSWER_HEADERS.map(([n]) => n));

/**
 * `pairs` without any header hookbin sets itself or that acts on hookbin's
 * origin (`ORIGIN_HEADERS`: settings refuse them, but a bin stored before
 * they did may hold one), then hookbin's: what an answer's record says was sent.
 */
export function withBinAnswerHeaders(pairs: readonly HeaderPair[]): HeaderPair[] {
  return [...pairs.filter(([n]) => !OWN.has(n.toLowerCase()) && !ORIGIN_HEADERS.has(n.toLowerCase())), ...BIN_ANSWER_HEADERS];
}

/** A stored answer with hookbin's headers, when it is a reply (a fault sends no headers). */
export function securedAnswer(answer: CaptureResponse): CaptureResponse {
  return answer.status === null ? answer : { ...answer, headers: withBinAnswerHeaders(answer.headers) };
}

/** Sets hookbin's headers on a Response about to leave a bin URL (a 404, an error) and returns it. */
export function securedResponse(res: Response): Response {
  for (const [n, v] of BIN_ANSWER_HEADERS) res.headers.set(n, v);
  return res;
}

/** Headers the relay sets itself: framing is recomputed, the capture id and hookbin's headers are hookbin's. */
const RELAY_OWN = new Set(['content-length', 'x-hookbin-capture-id', ...OWN]);

/** A relayed reply's headers: what is sent on, and what was dropped because it could not be. */
export interface RelayHeaders {
  headers: HeaderPair[];
  /** One entry per dropped header: its name (quoted when odd) and why. */
  dropped: string[];
}

/**
 * The app's reply headers as hookbin can pass them on: hop-by-hop ones (and
 * any its Connection header names) and the ones hookbin sets are left out
 * as on any proxy; a name that is not an HTTP token, a value with control
 * characters (which the app's lenient parse let through, but no HTTP writer
 * sends), or a header that would act on hookbin's origin (`ORIGIN_HEADERS`:
 * Set-Cookie, Clear-Site-Data, …) is dropped and listed. Values are trimmed
 * as they will be sent.
 */
export function relayHeaders(pairs: readonly HeaderPair[]): RelayHeaders {
  const named = new Set<string>();
  for (const [n, v] of pairs) if (n.toLowerCase() === 'connection') for (const t of v.split(',')) named.add(t.trim().toLowerCase());
  const headers: HeaderPair[] = [];
  const dropped: string[] = [];
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || RELAY_OWN.has(lower)) continue;
    if (ORIGIN_HEADERS.has(lower)) dropped.push(`${name} (it would act on hookbin's own origin)`);
    else if (!HTTP_TOKEN.test(name)) dropped.push(`${JSON.stringify(name.slice(0, 64))} (not a header name)`);
    else if (!HEADER_VALUE.test(value)) dropped.push(`${name} (control characters in its value)`);
    else headers.push([name, value.replace(EDGE_WHITESPACE, '')]);
  }
  return { headers, dropped };
}

/** A few words on dropped headers for an answer's `reason`: `dropped 2 headers that cannot be sent: a (…), b (…)`. */
export function droppedNote(dropped: readonly string[]): string {
  if (dropped.length === 0) return '';
  const shown = dropped.slice(0, 5).join(', ');
  const more = dropped.length > 5 ? ` and ${dropped.length - 5} more` : '';
  return `dropped ${dropped.length} header${dropped.length === 1 ? '' : 's'} that cannot be sent: ${shown}${more}`;
}
