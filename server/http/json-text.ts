/**
 * How the API writes times and bytes into JSON: ISO-8601 times, and bytes as
 * text only when they are valid UTF-8 (the caller adds base64 otherwise).
 */

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** ms since the epoch as ISO-8601 with milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The bytes as text when they are valid UTF-8 (a BOM kept), else null. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}
