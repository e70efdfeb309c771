/**
 * How much of a capture's body `GET /api/captures/{id}` carries inline. The
 * inspector imports this too (no Node APIs here): it shows the inline part and
 * reads the rest from `GET /api/captures/{id}/body`, by ranges for the hex view.
 */

/**
 * The most body bytes the capture JSON inlines (as `body` and `bodyBase64`).
 * A 25 MiB body built into JSON cost ~1 GB of memory (base64 plus escaped
 * text); 256 KiB keeps the JSON under ~2 MB whatever the bytes.
 */
export const INLINE_BODY_BYTES = 256 * 1024;

/** The file name a capture's body is saved as (`Content-Disposition`, Download body, Copy as cURL's `@file`). */
export function bodyFileName(id: string): string {
  return `capture-${id}.bin`;
}

/**
 * Where the inline part of a body of `bytes` ends: the whole of a short body,
 * else {@link INLINE_BODY_BYTES} moved back to the start of a UTF-8 sequence
 * it would split (so the inline part of a UTF-8 body is still UTF-8).
 */
export function inlineEnd(bytes: Uint8Array, cap: number = INLINE_BODY_BYTES): number {
  if (bytes.length <= cap) return bytes.length;
  let end = cap;
  // At most 3 continuation bytes follow a lead byte; more means not UTF-8 anyway.
  for (let back = 0; back < 3 && (bytes[end]! & 0xc0) === 0x80; back++) end--;
  return (bytes[end]! & 0xc0) === 0x80 ? cap : end;
}
