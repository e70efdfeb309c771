import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';

/** The most bytes a decoded view returns, so a decompression bomb stays harmless. */
export const MAX_DECODED_BYTES = 16 * 1024 * 1024;

/** A decoded body: the first `cap` bytes at most, and whether there was more. */
export interface Decoded {
  bytes: Buffer;
  /** The encodings undone, outermost first, as named in Content-Encoding. */
  encodings: string[];
  truncated: boolean;
}

/** Thrown when a body does not decode with its declared encoding. */
export class DecodeError extends Error {}

// A Map, not an object: a sender names the encoding, and `constructor` or
// `__proto__` must be unknown, not Object.prototype's members.
const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** The Content-Encoding tokens hookbin can undo, or null when one is unknown. */
export function parseEncodings(header: string | null): string[] | null {
  if (!header) return [];
  const tokens = header
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && t !== 'identity');
  return tokens.every((t) => DECODERS.has(t)) ? tokens : null;
}

/**
 * Undoes each encoding (the last applied first), stopping at `cap` output
 * bytes. Throws `DecodeError` when the data is not in the declared format,
 * or an encoding is not one `parseEncodings` accepts.
 */
export async function decodeBody(data: Buffer, encodings: string[], cap: number = MAX_DECODED_BYTES): Promise<Decoded> {
  let bytes = data;
  let truncated = false;
  for (const encoding of [...encodings].reverse()) {
    const make = DECODERS.get(encoding);
    if (!make) throw new DecodeError(`hookbin cannot decode the encoding "${encoding}"`);
    let step: { bytes: Buffer; truncated: boolean };
    try {
      step = await inflateCapped(bytes, make, cap);
    } catch (err) {
      // "deflate" is often sent as raw DEFLATE without the zlib wrapper.
      if (encoding !== 'deflate') throw new DecodeError(`the body is not valid ${encoding}: ${(err as Error).message}`);
      try {
        step = await inflateCapped(bytes, createInflateRaw, cap);
      } catch {
        throw new DecodeError(`the body is not valid deflate: ${(err as Error).message}`);
      }
    }
    bytes = step.bytes;
    truncated ||= step.truncated;
  }
  return { bytes, encodings, truncated };
}

function inflateCapped(input: Buffer, make: () => Transform, cap: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const stream = make();
    const chunks: Buffer[] = [];
    let size = 0;
    // A destroyed stream emits nothing more, and a settled promise ignores
    // what follows: no event after the cap can add bytes or change the result.
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > cap) {
        stream.destroy();
        resolve({ bytes: Buffer.concat(chunks, size).subarray(0, cap), truncated: true });
      }
    });
    stream.on('end', () => resolve({ bytes: Buffer.concat(chunks, size), truncated: false }));
    stream.on('error', reject);
    stream.end(input);
  });
}
