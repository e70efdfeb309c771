/**
 * Decoding stops once the cap is reached: a decompression bomb is not
 * inflated to the end and then cut (issue 14: a decoder doing that passed the
 * bomb test, which only looked at the output). Two ways to tell, neither
 * timed: a body that turns corrupt after the cap decodes fine (the decoder
 * never read that far), and the real zlib streams, observed, produce at most
 * the cap plus one output chunk and leave the rest of their input unread.
 */
import * as zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DecodeError, decodeBody, MAX_DECODED_BYTES, parseEncodings } from '../../server/http/decode.js';

/** What one real zlib stream did: bytes it produced and bytes of input it consumed. */
interface Observed {
  kind: string;
  produced: number;
  /** The stream itself; zlib's `bytesWritten` is how much input it consumed. */
  stream: Transform & zlib.Zlib;
}

const observed: Observed[] = [];

// The real zlib streams, each observed (its output counted) as decode.ts creates it.
vi.mock('node:zlib', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:zlib')>();
  const watch =
    (kind: string, make: () => Transform & zlib.Zlib) =>
    (): Transform => {
      const stream = make();
      const o: Observed = { kind, produced: 0, stream };
      observed.push(o);
      stream.on('data', (chunk: Buffer) => (o.produced += chunk.length));
      return stream;
    };
  return {
    ...real,
    createGunzip: watch('gunzip', () => real.createGunzip()),
    createInflate: watch('inflate', () => real.createInflate()),
    createInflateRaw: watch('inflateRaw', () => real.createInflateRaw()),
    createBrotliDecompress: watch('brotli', () => real.createBrotliDecompress()),
  };
});

afterEach(() => {
  observed.length = 0;
});

/** zlib's output chunk (16 KiB): a decoder may overshoot the cap by one of these before it sees it passed. */
const CHUNK = 16 * 1024;

/** Brotli's quickest setting: a 64 MiB bomb in milliseconds instead of seconds. */
const FAST_BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } };

/** Bytes that end any DEFLATE stream with an error: a block of the reserved type 3 (BFINAL 1, BTYPE 11). */
const BAD_DEFLATE = Buffer.alloc(64, 0xff);

/**
 * `encoding`'s compression of `zeros` zero bytes, left open (flushed, not
 * finished) and followed by data no decoder accepts: the body decodes only
 * while the decoder stops before reaching its end.
 */
function poisoned(encoding: 'gzip' | 'deflate' | 'deflate-raw' | 'br', zeros: number): Buffer {
  const plain = Buffer.alloc(zeros);
  const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (encoding === 'gzip') return Buffer.concat([zlib.gzipSync(plain, flush), BAD_DEFLATE]);
  if (encoding === 'deflate') return Buffer.concat([zlib.deflateSync(plain, flush), BAD_DEFLATE]);
  if (encoding === 'deflate-raw') return Buffer.concat([zlib.deflateRawSync(plain, flush), BAD_DEFLATE]);
  return Buffer.concat([zlib.brotliCompressSync(plain, { ...FAST_BROTLI, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }), BAD_DEFLATE]);
}

describe('bodies that turn corrupt past the cap decode: the decoder stops reading at the cap', () => {
  const MORE = MAX_DECODED_BYTES + 4 * 1024 * 1024;
  // Each: the encodings as Content-Encoding lists them, and a body of `zeros` zero bytes that turns corrupt after them.
  const cases: Array<[string, string[], (zeros: number) => Buffer]> = [
    ['gzip', ['gzip'], (n) => poisoned('gzip', n)],
    ['x-gzip', ['x-gzip'], (n) => poisoned('gzip', n)],
    ['deflate (zlib)', ['deflate'], (n) => poisoned('deflate', n)],
    ['deflate (raw)', ['deflate'], (n) => poisoned('deflate-raw', n)],
    ['br', ['br'], (n) => poisoned('br', n)],
    // The outer gzip is whole and small; the inner deflate is the bomb.
    ['deflate, gzip', ['deflate', 'gzip'], (n) => zlib.gzipSync(poisoned('deflate', n))],
  ];

  for (const [label, encodings, make] of cases) {
    it(`${label}: the capped full view is ${MAX_DECODED_BYTES} zero bytes, truncated`, async () => {
      const body = make(MORE);
      // Sanity: the corruption is real, so only a decoder that stops early gets past it.
      await expect(decodeBody(body, encodings, MORE + 1)).rejects.toThrow(/not valid/);
      const decoded = await decodeBody(body, encodings);
      expect(decoded.truncated).toBe(true);
      expect(decoded.bytes.length).toBe(MAX_DECODED_BYTES);
      expect(decoded.bytes.every((b) => b === 0)).toBe(true);
    });

    // 8 MiB: Brotli's decoder reads a whole meta-block's input ahead (its output is still capped).
    it(`${label}: the first 1 KiB (a range) of a body corrupt after 8 MiB decodes`, async () => {
      const body = make(8 * 1024 * 1024);
      await expect(decodeBody(body, encodings, 8 * 1024 * 1024 + 1)).rejects.toThrow(/not valid/);
      const decoded = await decodeBody(body, encodings, 1025);
      expect(decoded).toMatchObject({ truncated: true });
      expect(decoded.bytes.equals(Buffer.alloc(1025))).toBe(true);
    });
  }
});

describe('observed: the zlib stream produces at most the cap plus one chunk and reads no further', () => {
  // 64 MiB of zeros in about 64 KiB: a decoder that inflated it all would produce four times the cap.
  const BOMB_BYTES = 64 * 1024 * 1024;
  const bombs: Array<[string, string, () => Buffer, string]> = [
    ['gzip', 'gzip', () => zlib.gzipSync(Buffer.alloc(BOMB_BYTES)), 'gunzip'],
    ['deflate', 'deflate', () => zlib.deflateSync(Buffer.alloc(BOMB_BYTES)), 'inflate'],
    ['br', 'br', () => zlib.brotliCompressSync(Buffer.alloc(BOMB_BYTES), FAST_BROTLI), 'brotli'],
  ];

  for (const [label, encoding, make, kind] of bombs) {
    for (const cap of [MAX_DECODED_BYTES, 1025, 256 * 1024]) {
      it(`${label}, cap ${cap}: produced ≤ cap + ${CHUNK}, input left unread`, async () => {
        const bomb = make();
        const decoded = await decodeBody(bomb, [encoding], cap);
        expect(decoded.truncated).toBe(true);
        expect(decoded.bytes.length).toBe(cap);
        const streams = observed.filter((o) => o.kind === kind);
        expect(streams).toHaveLength(1);
        const [o] = streams;
        expect(o!.produced).toBeGreaterThan(cap);
        expect(o!.produced).toBeLessThanOrEqual(cap + CHUNK);
        // zlib reports how much of its input it consumed: not all of it.
        expect(o!.stream.bytesWritten).toBeLessThan(bomb.length);
        expect(o!.stream.destroyed).toBe(true);
      });
    }
  }

  it('a body within the cap is inflated whole, by one stream, to its end', async () => {
    const plain = Buffer.from('{"ok":true}'.repeat(1000));
    const gz = zlib.gzipSync(plain);
    const decoded = await decodeBody(gz, ['gzip'], MAX_DECODED_BYTES);
    expect(decoded).toMatchObject({ truncated: false, encodings: ['gzip'] });
    expect(decoded.bytes.equals(plain)).toBe(true);
    expect(observed.map((o) => [o.kind, o.produced, o.stream.bytesWritten])).toEqual([['gunzip', plain.length, gz.length]]);
  });
});

describe('parseEncodings: the Content-Encoding tokens to undo', () => {
  it.each<[string | null, string[] | null]>([
    [null, []],
    ['', []],
    ['identity', []],
    ['Identity , ', []],
    ['gzip', ['gzip']],
    [' GZIP , br ', ['gzip', 'br']],
    ['gzip, identity, br', ['gzip', 'br']],
    ['gzip,,br', ['gzip', 'br']],
    ['x-gzip, deflate', ['x-gzip', 'deflate']],
    ['zstd', null],
    ['gzip, zstd', null],
    ['compress, gzip', null],
    ['constructor', null],
    ['toString', null],
  ])('%j → %j', (header, tokens) => expect(parseEncodings(header)).toEqual(tokens));
});

describe('decodeBody: several encodings, and bodies that are not what they say', () => {
  const plain = Buffer.from('{"layered":true}'.repeat(64));

  it('undoes the last applied first (Content-Encoding: gzip, br is br over gzip)', async () => {
    const body = zlib.brotliCompressSync(zlib.gzipSync(plain));
    const decoded = await decodeBody(body, ['gzip', 'br']);
    expect(decoded).toMatchObject({ truncated: false, encodings: ['gzip', 'br'] });
    expect(decoded.bytes.equals(plain)).toBe(true);
    await expect(decodeBody(body, ['br', 'gzip'])).rejects.toThrow(DecodeError);
  });

  it('"deflate" sent as raw DEFLATE (no zlib wrapper) decodes', async () => {
    const decoded = await decodeBody(zlib.deflateRawSync(plain), ['deflate']);
    expect(decoded.bytes.equals(plain)).toBe(true);
  });

  it.each([['gzip'], ['x-gzip'], ['br'], ['deflate']])('a body that is not %s throws DecodeError naming the encoding', async (encoding) => {
    const err = await decodeBody(Buffer.from('plain text, not compressed at all'), [encoding]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toContain(`not valid ${encoding}`);
  });

  it('a body that turns corrupt before the cap throws, even after some output', async () => {
    await expect(decodeBody(poisoned('gzip', 4096), ['gzip'], 1 << 20)).rejects.toThrow(DecodeError);
  });

  it('truncation in an inner layer is reported', async () => {
    const body = zlib.gzipSync(zlib.brotliCompressSync(Buffer.alloc(1 << 20), FAST_BROTLI));
    const decoded = await decodeBody(body, ['br', 'gzip'], 4096);
    expect(decoded.truncated).toBe(true);
    expect(decoded.bytes.equals(Buffer.alloc(4096))).toBe(true);
  });

  it.each([['zstd'], ['constructor'], ['__proto__']])('an encoding it does not know (%s) throws DecodeError saying so', async (encoding) => {
    const err = await decodeBody(plain, [encoding]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toBe(`hookbin cannot decode the encoding "${encoding}"`);
  });

  it('with no encodings the bytes come back as they are', async () => {
    expect(await decodeBody(plain, [])).toEqual({ bytes: plain, encodings: [], truncated: false });
  });
});
