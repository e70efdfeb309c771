/**
 * Reading an import from the request body as it streams in: an NDJSON
 * export line by line (one line held at a time, each checked as it comes),
 * or a HAR document whole (it is one JSON value). Every capture is checked
 * before anything is stored; the first bad one refuses the import, named by
 * its line (NDJSON) or entry (HAR).
 */
import type { TransferFormat } from '../../common/limits.js';
import type { HeaderPair } from '../../common/types.js';
import { ApiError } from '../errors.js';
import { DraftError, type Draft } from './draft.js';
import { harDraft, harEntries } from './har.js';
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
}

const NEWLINE = 0x0a;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(message: string): ApiError {
  return new ApiError(400, 'invalid_import', message);
}

/** Parses one NDJSON line, or refuses it by number. */
function parseLine(bytes: Buffer, n: number): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw refuse(`line ${n}: not UTF-8 text`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw refuse(`line ${n}: not JSON (${(err as Error).message.slice(0, 120)})`);
  }
}

/** NDJSON by content: the first line is an object whose first key is `hookbin` (`{"hookbin":"export",…}`); anything else is read as HAR. */
function looksNdjson(firstLine: Buffer): boolean {
  return /^\s*\{\s*"hookbin"\s*:/.test(firstLine.subarray(0, 200).toString('latin1'));
}

/**
 * Reads and checks every capture of the body. Resolves to the format and
 * the drafts in file order; throws `ApiError` 400 (`line N: reason`,
 * `entry N: reason`) or 413 (over `maxBytes`).
 */
export async function readImport(body: ReadableStream<Uint8Array> | null, opts: ImportReading): Promise<{ format: TransferFormat; drafts: Draft[] }> {
  const drafts: Draft[] = [];
  let format = opts.format;
  let total = 0;
  let lineNo = 0;
  let pending: Buffer[] = [];
  // HAR is one JSON value: its chunks are kept until the end.
  const whole: Buffer[] = [];

  const onLine = (line: Buffer) => {
    lineNo++;
    if (lineNo === 1 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (lineNo === 1) {
      format ??= looksNdjson(line) ? 'ndjson' : 'har';
      if (format === 'har') return whole.push(line, Buffer.of(NEWLINE));
      try {
        checkNdjsonHeader(parseLine(line, 1));
      } catch (err) {
        throw err instanceof DraftError ? refuse(`line 1: ${err.message}`) : err;
      }
      return;
    }
    if (format === 'har') return whole.push(line, Buffer.of(NEWLINE));
    // Blank lines (a trailing one, say) are skipped; only a short line can be blank, so a long one is never copied to test it.
    if (line.byteLength < 64 && /^\s*$/.test(line.toString('latin1'))) return;
    try {
      drafts.push(ndjsonDraft(parseLine(line, lineNo), opts.maxBody));
    } catch (err) {
      throw err instanceof DraftError ? refuse(`line ${lineNo}: ${err.message}`) : err;
    }
  };

  if (body) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > opts.maxBytes) throw new ApiError(413, 'payload_too_large', `imports are limited to ${opts.maxBytes / (1024 * 1024)} MiB`);
        let chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        // Once a file is known to be HAR, its bytes are only kept.
        if (format === 'har' && lineNo > 0) {
          whole.push(chunk);
          continue;
        }
        for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE)) {
          pending.push(chunk.subarray(0, nl));
          onLine(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
          pending = [];
          chunk = chunk.subarray(nl + 1);
          if (format === 'har') {
            whole.push(chunk);
            chunk = chunk.subarray(chunk.byteLength);
            break;
          }
        }
        if (chunk.byteLength > 0) pending.push(Buffer.from(chunk));
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (pending.length > 0) onLine(Buffer.concat(pending));
  if (lineNo === 0 || total === 0) throw refuse('the file is empty: an import is a hookbin NDJSON export or a HAR file');
  if (format === 'ndjson') return { format, drafts };
  return { format: 'har', drafts: harDrafts(Buffer.concat(whole), opts) };
}

function harDrafts(bytes: Buffer, opts: ImportReading): Draft[] {
  let doc: unknown;
  try {
    doc = JSON.parse(strictUtf8.decode(bytes));
  } catch (err) {
    throw refuse(`not a hookbin export (whose first line is {"hookbin":"export",…}) nor a HAR file (it is not JSON: ${(err as Error).message.slice(0, 120)})`);
  }
  let entries: unknown[];
  try {
    entries = harEntries(doc);
  } catch (err) {
    throw refuse((err as Error).message);
  }
  return entries.map((e, i) => {
    try {
      return harDraft(e, opts.maxBody, opts.identify);
    } catch (err) {
      throw err instanceof DraftError ? refuse(`entry ${i + 1}: ${err.message}`) : err;
    }
  });
}
