/**
 * Times and bytes as text: ISO-8601 times, bytes as text only when they are
 * valid UTF-8 (the API adds base64 otherwise), or as text come what may
 * (invalid sequences become U+FFFD) where text is all that can go.
 */

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { ignoreBOM: true });

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

/** The bytes as text, each invalid UTF-8 sequence replaced by U+FFFD (a BOM kept). */
export function lossyUtf8(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}
