/**
 * What both import formats make of one captured request before it is
 * stored: a draft, checked field by field with bounds (an import is as
 * untrusted as a bin URL), each refusal one short reason.
 */
import { z } from 'zod';
import { HEADER_VALUE, HTTP_TOKEN } from '../../common/http-syntax.js';
import type { CaptureResponse, HeaderPair } from '../../common/types.js';
import { MAX_DELAY_MS, MAX_RESPOND_BODY } from '../../common/limits.js';
import { MAX_KEY_LENGTH, MAX_TYPE_LENGTH } from '../../capture/event-identity.js';
import type { ImportedCapture } from '../../store/index.js';

/** A capture as a file gives it; the route adds the id, provider and verdicts. */
export type Draft = Omit<ImportedCapture, 'id' | 'contentType' | 'provider' | 'signatures' | 'verdict'>;

/** A refusal of one line (NDJSON) or entry (HAR); the route says which. */
export class DraftError extends Error {}

/** The most header pairs one request (or answer) of an import may carry. */
export const MAX_IMPORT_HEADERS = 1000;
/** The longest header value an import may carry. */
const MAX_HEADER_VALUE = 65_536;
/** The longest path, and query, of an imported request (the ingress refuses longer targets). */
const MAX_TARGET = 8192;

const headerName = z.string().min(1).max(256).regex(HTTP_TOKEN, 'a header name is an HTTP token');
const headerValue = z.string().max(MAX_HEADER_VALUE).regex(HEADER_VALUE, 'a header value has no CR, LF or NUL');
/** Header pairs in order, duplicates kept. */
export const headerPairs = z.array(z.tuple([headerName, headerValue]), { message: 'headers are [name, value] pairs' }).max(MAX_IMPORT_HEADERS);
/** A request method as the ingress takes it. */
export const methodSchema = z.string().min(1).max(64).regex(HTTP_TOKEN, 'a method is an HTTP token');
/** The path after `/b/{binId}`: "" or from "/", no spaces or control characters. */
export const pathSchema = z.string().max(MAX_TARGET).regex(/^(\/[^\x00-\x20\x7f]*)?$/, 'a path is empty or starts with /, without spaces');
/** The query without `?`. */
export const querySchema = z.string().max(MAX_TARGET).regex(/^[^\x00-\x20\x7f#]*$/, 'a query has no spaces or #');
/** An ISO-8601 time with its zone, as ms since the epoch. */
export const timeSchema = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)$/, 'a time is ISO-8601 with its zone, e.g. 2026-01-02T03:04:05.678Z')
  .transform((t) => Date.parse(t))
  .refine((ms) => Number.isFinite(ms) && ms >= 0, 'a time must be after 1970');

/** What hookbin answered, as a capture stores it. */
export const responseSchema = z.object({
  status: z.number().int().min(100).max(999).nullable(),
  headers: headerPairs,
  body: z.string().max(MAX_RESPOND_BODY * 2),
  delayMs: z.number().int().min(0).max(MAX_DELAY_MS),
  fault: z.enum(['reset', 'hang']).nullable(),
  reason: z.string().max(200),
}) satisfies z.ZodType<CaptureResponse>;

/** An event as stored: a key, a type, an attempt. */
export const eventSchema = z.object({
  key: z.string().min(1).max(MAX_KEY_LENGTH),
  type: z.string().max(MAX_TYPE_LENGTH).nullable(),
  attempt: z.number().int().min(1).max(1_000_000_000),
});

/**
 * Strict base64 (RFC 4648, padded), as the export writes it: whole quads,
 * `=` only as the last one or two characters. A single class run with the
 * length checked apart, because a regex group repeated per quad overflows
 * V8's stack on bodies of a few MB.
 */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** The bytes of `text` in base64, refused past `maxBody` bytes. */
export function base64Body(text: string, maxBody: number, what = 'body'): Buffer {
  if (!isBase64(text)) throw new DraftError(`${what} is not base64`);
  if ((text.length / 4) * 3 > maxBody + 2) throw new DraftError(`${what} is over the ${maxBody}-byte --max-body of this hookbin`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength > maxBody) throw new DraftError(`${what} is over the ${maxBody}-byte --max-body of this hookbin`);
  return bytes;
}

/** Parses `value` with `schema`, or refuses with the first problem and where it is. */
export function checked<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.join('.');
  // zod words a missing field as a type error ("expected string, received undefined").
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message) && where !== '') throw new DraftError(`${where} is missing`);
  throw new DraftError(where !== '' ? `${where}: ${issue.message}` : issue.message);
}

/** The header pairs as HAR writes them. */
export function harHeaders(pairs: readonly HeaderPair[]): { name: string; value: string }[] {
  return pairs.map(([name, value]) => ({ name, value }));
}
