/** What every template shares: its definition's shape and the id and time helpers. */
import { randomBytes, randomInt } from 'node:crypto';
import type { HeaderPair } from '../common/types.js';
import type { SchemeId } from '../verify/index.js';

/** One template before rendering. */
export interface TemplateDef {
  id: string;
  provider: string;
  event: string;
  scheme: SchemeId;
  preset: string | null;
  source: string;
  /** Headers and body for this moment (a JSON value, or `text` sent as it is: a form); fresh random ids on every call. */
  render(now: number): { headers: HeaderPair[]; body: unknown } | { headers: HeaderPair[]; text: string };
}

/** Random hex of `bytes` bytes. */
export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** Base 62, as Stripe's and Slack's ids look. */
export const alnum = (length: number) => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += chars[randomInt(chars.length)];
  return out;
};
/** ISO-8601 without milliseconds, as most providers write it. */
export const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
/** Unix seconds of a ms time. */
export const unix = (ms: number) => Math.floor(ms / 1000);
/**
 * A Discord snowflake for `ms` as a decimal string: milliseconds since
 * Discord's epoch (2015-01-01) shifted left 22 bits, random low bits.
 */
export const snowflake = (ms: number) => ((BigInt(Math.floor(ms) - 1_420_070_400_000) << 22n) | BigInt(randomInt(1 << 22))).toString();
/** The JSON content type header. */
export const json: HeaderPair = ['Content-Type', 'application/json'];

