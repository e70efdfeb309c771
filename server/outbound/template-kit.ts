/**
 * What every template definition is made of: its shape, and the helpers that
 * make ids and timestamps look like the providers' own.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { HeaderPair } from '../common/types.js';
import type { SchemeId } from '../verify/index.js';

/** One provider's template before rendering. */
export interface TemplateDef {
  id: string;
  provider: string;
  event: string;
  scheme: SchemeId;
  preset: string | null;
  source: string;
  /** Headers and body for this moment; fresh random ids on every call. */
  render(now: number): { headers: HeaderPair[]; body: unknown };
}

/** Random lower-case hex of `bytes` bytes. */
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
/** Unix seconds of a time in ms. */
export const unix = (ms: number) => Math.floor(ms / 1000);
/** The JSON Content-Type most providers send. */
export const json: HeaderPair = ['Content-Type', 'application/json'];
