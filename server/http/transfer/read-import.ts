/**
 * Reading an import from the request body as it streams in: an NDJSON
 * export line by line, or a HAR document entry by entry (har-split.ts), so
 * one line or entry is held at a time. Each capture is checked as it comes
 * and handed to the caller, who stages it; the first bad one refuses the
 * import, named by its line (NDJSON) or entry (HAR), and the caller drops
 * what it staged.
 */
import type { TransferFormat } from '../../common/limits.js';
import type { HeaderPair } from '../../common/types.js';
import { ApiError } from '../errors.js';
import { DraftError, type Draft } from './draft.js';
import { harDraft } from './har.js';
import { createHarSplitter, HarSplitError } from './har-split.js';
import { checkNdjsonHeader, ndjsonDraft } from './ndjson.js';

/** What reading an import needs. */
export interface ImportReading {
  /** The format `?format=` named, or undefined to tell by the content. */
  format: TransferFormat | undefined;
  /** The most bytes the body may have. */
  maxBytes: number;
  /** The largest body one capture may carry (`--max-body`). */
  maxBody: number;
  /** The event of a HAR request that does not carry hookbin's own. */
  identify: (headers: HeaderPair[], body: Buffer) => { key: string; type: string | null };
  /** Takes each checked capture, in file order; reading waits for a promise it returns, and a throw ends the import. */
  take: (draft: Draft) => void | Promise<void>;
}

const NEWLINE = 0x0a;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(message: string): ApiError {
  return new ApiError(400, 'invalid_import', message);
}

/** Parses one NDJSON line or HAR entry, or refuses it by its place (`line 3`, `entry 2`). */
function parseJson(bytes: Buffer, where: string): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw refuse(`${where}: not UTF-8 text`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw refuse(`${where}: not JSON (${(err as Error).message.slice(0, 120)})`);
  }
}

/** NDJSON by content: the file starts with an object whose first key is `hookbin` (`{"hookbin":"export",…}`); anything else is read as HAR. */
function looksNdjson(head: Buffer): boolean {
  return /^\s*\{\s*"hookbin"\s*:/.test(head.subarray(0, 200).toString('latin1'));
}

/** How many bytes of the start are enough to tell the format, when the first line is longer. */
const SNIFF_BYTES = 256;

/** A reader of one format: `write` each chunk, then `end`; each may throw `ApiError` 400. */
interface FormatReader {
  write(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** NDJSON, line by line: the header line checked, then each capture line made a draft and taken. */
function ndjsonReader(opts: ImportReading): FormatReader {
  let lineNo = 0;
  let pending: Buffer[] = [];
  const onLine = async (line: Buffer) => {
    lineNo++;
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (lineNo === 1) {
      try {
        return checkNdjsonHeader(parseJson(line, 'line 1'));
      } catch (err) {
        throw err instanceof DraftError ? refuse(`line 1: ${err.message}`) : err;
      }
    }
    // Blank lines (a trailing one, say) are skipped; only a short line can be blank, so a long one is never copied to test it.
    if (line.byteLength < 64 && /^\s*$/.test(line.toString('latin1'))) return;
    let draft: Draft;
    try {
      draft = ndjsonDraft(parseJson(line, `line ${lineNo}`), opts.maxBody);
    } catch (err) {
      throw err instanceof DraftError ? refuse(`line ${lineNo}: ${err.message}`) : err;
    }
    await opts.take(draft);
  };
  return {
    async write(chunk) {
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE)) {
        pending.push(chunk.subarray(0, nl));
        const line = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        chunk = chunk.subarray(nl + 1);
        await onLine(line);
      }
      if (chunk.byteLength > 0) pending.push(Buffer.from(chunk));
    },
    async end() {
      if (pending.length > 0) await onLine(Buffer.concat(pending));
    },
  };
}

/** HAR, entry by entry: each element of `log.entries` made a draft and taken. */
function harReader(opts: ImportReading): FormatReader {
  let n = 0;
  const drafts: Draft[] = [];
  const splitter = createHarSplitter((bytes) => {
    n++;
    const where = `entry ${n}`;
    try {
      drafts.push(harDraft(parseJson(bytes, where), opts.maxBody, opts.identify));
    } catch (err) {
      throw err instanceof DraftError ? refuse(`${where}: ${err.message}`) : err;
    }
  });
  const split = (step: () => void) => {
    try {
      step();
    } catch (err) {
      if (!(err instanceof HarSplitError)) throw err;
      throw refuse(err.entry ? `entry ${n + 1}: ${err.message}` : err.message);
    }
  };
  // The splitter calls back synchronously; what one chunk gave is taken before the next is read.
  const drain = async () => {
    for (const d of drafts.splice(0)) await opts.take(d);
  };
  return {
    async write(chunk) {
      split(() => splitter.write(chunk));
      await drain();
    },
    async end() {
      split(() => splitter.end());
      await drain();
    },
  };
}

/**
 * Reads and checks every capture of the body, handing each to `opts.take`
 * in file order. Resolves to the format and how many captures it took;
 * throws `ApiError` 400 (`line N: reason`, `entry N: reason`) or 413 (over
 * `maxBytes`).
 */
export async function readImport(body: ReadableStream<Uint8Array> | null, opts: ImportReading): Promise<{ format: TransferFormat; count: number }> {
  let count = 0;
  const counted: ImportReading = { ...opts, take: (d) => (count++, opts.take(d)) };
  let reader: FormatReader | null = null;
  let format = opts.format;
  let total = 0;
  // The first bytes, kept until there are enough to tell the format by.
  let head: Buffer[] = [];
  let headBytes = 0;
  const open = async (): Promise<void> => {
    let start = Buffer.concat(head);
    head = [];
    if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) start = start.subarray(3);
    format ??= looksNdjson(start) ? 'ndjson' : 'har';
    reader = format === 'ndjson' ? ndjsonReader(counted) : harReader(counted);
    await reader.write(start);
  };

  if (body) {
    const stream = body.getReader();
    try {
      for (;;) {
        const { done, value } = await stream.read();
        if (done) break;
        total += value.byteLength;
        if (total > opts.maxBytes) throw new ApiError(413, 'payload_too_large', `imports are limited to ${opts.maxBytes / (1024 * 1024)} MiB`);
        const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        if (reader) {
          await (reader as FormatReader).write(chunk);
          continue;
        }
        head.push(chunk);
        headBytes += chunk.byteLength;
        // The first line (or enough of it) tells the format.
        if (headBytes >= SNIFF_BYTES || chunk.includes(NEWLINE)) await open();
      }
    } finally {
      stream.releaseLock();
    }
  }
  if (!reader) {
    if (/^\s*$/.test(Buffer.concat(head).toString('latin1'))) throw refuse('the file is empty: an import is a hookbin NDJSON export or a HAR file');
    await open();
  }
  await (reader as unknown as FormatReader).end();
  return { format: format!, count };
}
