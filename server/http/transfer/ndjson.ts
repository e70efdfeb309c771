/**
 * hookbin's own export, NDJSON (one JSON value a line), version 1. The first
 * line names the format (`{"hookbin":"export","version":1,…}`), so an import
 * refuses any other file at once; each further line is one capture, oldest
 * first, lossless: header pairs in order, the stored body bytes in base64
 * (compressed bodies as received), the answer as stored, the event, the
 * verdicts and the live forward's result.
 */
import { z } from 'zod';
import { EXPORT_VERSION } from '../../common/limits.js';
import { iso } from '../../common/text.js';
import type { WalkedCapture } from '../../store/index.js';
import { base64Body, checked, DraftError, eventSchema, headerPairs, methodSchema, pathSchema, querySchema, responseSchema, timeSchema, type Draft } from './draft.js';

/** The first line of an export: what it is and where it came from. */
export function ndjsonHeader(bin: { id: string; name: string }, exportedAt: number): string {
  return `${JSON.stringify({ hookbin: 'export', version: EXPORT_VERSION, bin: { id: bin.id, name: bin.name }, exportedAt: iso(exportedAt), order: 'oldest first' })}\n`;
}

/** One capture as a line (with its newline). */
export function ndjsonLine(c: WalkedCapture): string {
  return `${JSON.stringify({
    id: c.id,
    receivedAt: iso(c.receivedAt),
    method: c.method,
    path: c.path,
    query: c.query,
    httpVersion: c.httpVersion,
    remoteAddress: c.remoteAddress,
    headers: c.headers,
    body: c.body.toString('base64'),
    bodySize: c.bodySize,
    truncated: c.truncated,
    response: c.response,
    event: c.event,
    retryClaim: c.retryClaim,
    provider: c.provider,
    signatures: c.signatures,
    verdict: c.verdict,
    forward: c.forward,
  })}\n`;
}

/**
 * Checks an export's first line; throws `DraftError` with the reason when it
 * is not hookbin's export of this version.
 */
export function checkNdjsonHeader(value: unknown): void {
  const v = value as { hookbin?: unknown; version?: unknown } | null;
  if (typeof v !== 'object' || v === null || v.hookbin !== 'export') {
    throw new DraftError('not a hookbin export: its first line must be {"hookbin":"export","version":1,…}');
  }
  if (v.version !== EXPORT_VERSION) throw new DraftError(`a hookbin export of version ${JSON.stringify(v.version)}; this hookbin reads version ${EXPORT_VERSION}`);
}

const lineSchema = z.object({
  receivedAt: timeSchema,
  method: methodSchema,
  path: pathSchema,
  query: querySchema,
  httpVersion: z.string().regex(/^\d(\.\d)?$/, 'httpVersion is like 1.1').nullable().optional(),
  remoteAddress: z.string().max(100).nullable().optional(),
  headers: headerPairs,
  body: z.string(),
  bodySize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  truncated: z.boolean().optional(),
  response: responseSchema,
  event: eventSchema,
  retryClaim: z.string().max(512).nullable().optional(),
});

/** One capture line as a draft; throws `DraftError` with the reason. Verdicts, provider and id in the line are not read: the import makes its own. */
export function ndjsonDraft(value: unknown, maxBody: number): Draft {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DraftError('a capture line is a JSON object');
  const l = checked(lineSchema, value);
  const body = base64Body(l.body, maxBody);
  const truncated = l.truncated ?? false;
  const bodySize = l.bodySize ?? body.byteLength;
  if (bodySize < body.byteLength) throw new DraftError('bodySize is less than the body it gives');
  return {
    receivedAt: l.receivedAt,
    method: l.method,
    path: l.path,
    query: l.query,
    httpVersion: l.httpVersion ?? null,
    remoteAddress: l.remoteAddress ?? null,
    headers: l.headers,
    body,
    bodySize,
    truncated,
    response: l.response,
    event: l.event,
    retryClaim: l.retryClaim ?? null,
  };
}
