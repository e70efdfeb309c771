/**
 * The hex dump of the body viewer: `offset | hex | ascii`, 16 bytes a line,
 * computed a page at a time so a 25 MiB body never builds a 25 MiB DOM.
 */

export const HEX_BYTES_PER_LINE = 16;
/** Bytes per page of the hex view (256 lines). */
export const HEX_PAGE_BYTES = 4096;

export interface HexLine {
  /** 8 lowercase hex digits. */
  offset: string;
  /** `7b 22 61 22 3a 20 31 7d  0a …`: two digits a byte, an extra space after the 8th, padded to full width. */
  hex: string;
  /** One character a byte: printable ASCII as is, everything else `.`. */
  ascii: string;
}

const HEX = '0123456789abcdef';

function byteHex(b: number): string {
  return HEX[b >> 4]! + HEX[b & 15]!;
}

/** The hex lines for `bytes[start, end)`; `start` is rounded down to a line; offsets are shown plus `base` (where `bytes` begins in the body). */
export function hexLines(bytes: Uint8Array, start = 0, end = bytes.length, base = 0): HexLine[] {
  const lines: HexLine[] = [];
  const stop = Math.min(end, bytes.length);
  for (let off = Math.max(0, start - (start % HEX_BYTES_PER_LINE)); off < stop; off += HEX_BYTES_PER_LINE) {
    let hex = '';
    let ascii = '';
    for (let i = 0; i < HEX_BYTES_PER_LINE; i++) {
      if (i > 0) hex += i === 8 ? '  ' : ' ';
      const at = off + i;
      if (at < stop) {
        const b = bytes[at]!;
        hex += byteHex(b);
        ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      } else {
        hex += '  ';
      }
    }
    lines.push({ offset: (base + off).toString(16).padStart(8, '0'), hex, ascii });
  }
  return lines;
}

/** The whole dump of a (small) buffer as text, `offset  hex  |ascii|` a line. */
export function hexDumpText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return hexLines(bytes, start, end)
    .map((l) => `${l.offset}  ${l.hex}  |${l.ascii}|`)
    .join('\n');
}

/** How many pages a body of `size` bytes has in the hex view (at least 1). */
export function hexPageCount(size: number, pageBytes = HEX_PAGE_BYTES): number {
  return Math.max(1, Math.ceil(size / pageBytes));
}

/** The bytes `[start, end)` of page `page` (0-based) of a body of `size` bytes. */
export function pageRange(page: number, size: number, pageBytes = HEX_PAGE_BYTES): { start: number; end: number } {
  const start = page * pageBytes;
  return { start, end: Math.min(size, start + pageBytes) };
}
