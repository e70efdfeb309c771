/**
 * The header hookbin's sender puts on a retry it makes into a bin of
 * hookbin: `X-Hookbin-Retry: after=<capture id>; preset=makeplans;
 * time-scale=60`. `after` is the latest capture an earlier attempt made, as
 * that bin's reply named it (`x-hookbin-capture-id`; an attempt reset or
 * timed out names none), which only whoever sent that attempt (or holds the
 * token) knows. The events view honours the preset and time scale only for
 * an event whose every retry names an earlier attempt of it, so a stranger
 * posting to the bin cannot change how another sender's event is judged.
 * This is how `hookbin send`, whose outbox lives in its own process, tells
 * the server what it sent.
 */

/** The header's name, lower case. */
export const RETRY_CLAIM_HEADER = 'x-hookbin-retry';

/** The header a bin's answer names its capture in (capture/faults.ts sets it). */
export const CAPTURE_ID_HEADER = 'x-hookbin-capture-id';

/**
 * What a capture id looks like (store/ids.ts: 22 base-32 characters), for a
 * value read off the wire; anything else is not one.
 */
export const CAPTURE_ID_PATTERN = /^[0-9a-z]{22}$/;

/** What one retry says of itself. */
export interface RetryClaim {
  /** The latest capture an earlier attempt made, as its answer named it. */
  after: string;
  /** The preset the delivery retries on, or null for its own schedule. */
  preset: string | null;
  /** Its waits were divided by this. */
  timeScale: number;
}

const PRESET_ID = /^[a-z0-9][a-z0-9.-]{0,63}$/;
/** The longest value read: a claim is short, anything longer is not one. */
export const MAX_RETRY_CLAIM_CHARS = 200;

/** The header's value for `claim`. */
export function formatRetryClaim(claim: RetryClaim): string {
  return [`after=${claim.after}`, ...(claim.preset === null ? [] : [`preset=${claim.preset}`]), `time-scale=${claim.timeScale}`].join('; ');
}

/**
 * The claim a header value makes, or null when it is not one: `after` a
 * capture id, `time-scale` a number from 0.01 to 1,000,000 (the sender's
 * range), `preset` an id when present; other parameters are ignored.
 */
export function parseRetryClaim(value: string | null | undefined): RetryClaim | null {
  if (value == null || value.length > MAX_RETRY_CLAIM_CHARS) return null;
  const params = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const after = params.get('after') ?? '';
  const preset = params.get('preset') ?? null;
  const scaleText = params.get('time-scale') ?? '';
  const timeScale = /^\d{1,7}(\.\d{1,6})?$/.test(scaleText) ? Number(scaleText) : NaN;
  if (!CAPTURE_ID_PATTERN.test(after) || !(timeScale >= 0.01 && timeScale <= 1_000_000)) return null;
  if (preset !== null && !PRESET_ID.test(preset)) return null;
  return { after, preset, timeScale };
}
