/**
 * Signature headers written as parameters, a timestamp and one or more
 * signatures (`t=…,v1=…,v1=…` for Stripe and Calendly, `ts=…;h1=…` for
 * Paddle): taken apart once, the same way for each.
 */
import { malformed, parseTimestamp } from '../crypto.js';
import type { ParseResult } from '../types.js';

/** How one provider writes its parameters. */
export interface ParamStyle {
  separator: ',' | ';';
  /** The timestamp's name (`t`, `ts`); the first one counts. */
  timestamp: string;
  /** The signatures' name (`v1`, `h1`); every one counts. */
  signature: string;
  /** What a well-formed header looks like, for `malformed` messages. */
  expected: string;
}

/** The header's parts: the timestamp as written and in seconds, the signatures, and every parameter name seen. */
export interface Params {
  t: string;
  timestamp: number;
  signatures: string[];
  names: Set<string>;
}

/**
 * Takes `value` apart, or says what is missing: no timestamp, one that is
 * not unix seconds, or no signature (`noSignature` may word that last one
 * itself, as Stripe does for a header with only retired v0 signatures).
 * A `ParseResult` (it has `ok`) is the refusal; `Params` has no `ok`.
 */
export function readParams(
  header: { name: string; value: string },
  style: ParamStyle,
  noSignature: (names: Set<string>) => string = () => `has no ${style.signature}= signature`,
): Params | ParseResult {
  let t: string | null = null;
  const signatures: string[] = [];
  const names = new Set<string>();
  for (const item of header.value.split(style.separator)) {
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    names.add(key);
    if (key === style.timestamp && t === null) t = value;
    else if (key === style.signature) signatures.push(value);
  }
  const name = header.name;
  if (t === null) return malformed(name, `${name} has no ${style.timestamp}= timestamp: expected ${style.expected}`);
  const timestamp = parseTimestamp(t);
  if (timestamp === null) return malformed(name, `${name}'s ${style.timestamp}= is not a unix time in seconds: expected ${style.expected}`);
  if (signatures.length === 0) return malformed(name, `${name} ${noSignature(names)}: expected ${style.expected}`);
  return { t, timestamp, signatures, names };
}
