/**
 * HAR 1.2 (the HTTP Archive format other tools read): a bin's captures as
 * `log.entries`, each the request as it reached the bin's public URL and
 * what hookbin answered. Bodies that are not UTF-8 text, and compressed ones,
 * are base64 with `"encoding": "base64"` (HAR 1.2 defines it on `content`;
 * hookbin writes it on `postData` too, as browsers' exports do). hookbin's
 * own fields ride along as `_hookbin` (HAR allows `_`-prefixed fields), so a
 * HAR of hookbin imports back with its events and answers; a HAR of another
 * tool imports too.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { MAX_RESPOND_BODY } from '../../common/limits.js';
import { iso, lossyUtf8, utf8OrNull } from '../../common/text.js';
import type { CaptureResponse, HeaderPair } from '../../common/types.js';
import { headerValue } from '../../capture/read.js';
import type { WalkedCapture } from '../../store/index.js';
import { base64Body, checked, DraftError, eventSchema, harHeaders, headerPairs, MAX_IMPORT_HEADERS, methodSchema, pathSchema, querySchema, timeSchema, type Draft } from './draft.js';

/** The start of a HAR document, up to the first entry. */
export function harPrefix(version: string): string {
  return `{"log":{"version":"1.2","creator":{"name":"hookbin","version":${JSON.stringify(version)}},"pages":[],"entries":[\n`;
}

/** The end of a HAR document, after the last entry. */
export const HAR_SUFFIX = '\n]}}\n';

/** `name=value` pairs of a query, decoded where they are valid percent-encoding. */
function queryString(query: string): { name: string; value: string }[] {
  if (query === '') return [];
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq === -1 ? { name: decode(part), value: '' } : { name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) };
  });
}

/** Body bytes as HAR text: UTF-8 text as is, anything else (or anything compressed) base64 and marked so. */
function harText(body: Buffer, headers: readonly HeaderPair[]): { text: string; encoding?: 'base64' } {
  const coding = headerValue(headers, 'content-encoding');
  const text = coding === null || coding.trim().toLowerCase() === 'identity' ? utf8OrNull(body) : null;
  return text === null ? { text: body.toString('base64'), encoding: 'base64' } : { text };
}

/** One capture as a HAR entry; `binUrl` is the bin's public URL (`…/b/{binId}`). */
export function harEntry(c: WalkedCapture, binUrl: string): string {
  const contentType = headerValue(c.headers, 'content-type');
  const answerType = headerValue(c.response.headers, 'content-type');
  const answerSize = Buffer.byteLength(c.response.body);
  const entry = {
    startedDateTime: iso(c.receivedAt),
    time: c.response.delayMs,
    request: {
      method: c.method,
      url: `${binUrl}${c.path}${c.query === '' ? '' : `?${c.query}`}`,
      httpVersion: `HTTP/${c.httpVersion ?? '1.1'}`,
      cookies: [],
      headers: harHeaders(c.headers),
      queryString: queryString(c.query),
      ...(c.body.byteLength > 0 ? { postData: { mimeType: contentType ?? 'application/octet-stream', ...harText(c.body, c.headers) } } : {}),
      headersSize: -1,
      bodySize: c.body.byteLength,
    },
    response: {
      // HAR has no word for an answer that never came: status 0, as browsers write it.
      status: c.response.status ?? 0,
      statusText: c.response.status === null ? '' : (STATUS_CODES[c.response.status] ?? ''),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(c.response.headers),
      content: { size: answerSize, mimeType: answerType ?? 'text/plain', text: c.response.body },
      redirectURL: '',
      headersSize: -1,
      bodySize: c.response.status === null ? -1 : answerSize,
    },
    cache: {},
    timings: { send: 0, wait: c.response.delayMs, receive: 0 },
    _hookbin: {
      id: c.id,
      bodySize: c.bodySize,
      truncated: c.truncated,
      remoteAddress: c.remoteAddress,
      answer: { fault: c.response.fault, delayMs: c.response.delayMs, reason: c.response.reason },
      event: c.event,
      retryClaim: c.retryClaim,
      provider: c.provider,
      verdict: c.verdict,
    },
  };
  return JSON.stringify(entry);
}

const nameValues = z.array(z.object({ name: z.string(), value: z.string() }).passthrough(), { message: 'headers are {name, value} objects' });

const entrySchema = z.object({
  startedDateTime: timeSchema,
  request: z.object({
    method: methodSchema,
    url: z.string().max(16_384),
    httpVersion: z.string().max(20).optional(),
    headers: nameValues,
    postData: z
      .object({
        mimeType: z.string().max(1024).optional(),
        text: z.string().optional(),
        encoding: z.string().optional(),
        params: z.array(z.object({ name: z.string(), value: z.string().optional(), fileName: z.string().optional(), contentType: z.string().optional() }).passthrough()).max(MAX_IMPORT_HEADERS).optional(),
      })
      .passthrough()
      .optional(),
  }),
  response: z
    .object({
      status: z.number().int().min(0).max(999),
      headers: nameValues,
      content: z.object({ text: z.string().optional(), encoding: z.string().optional() }).passthrough().optional(),
    })
    .optional(),
  _hookbin: z.unknown().optional(),
});

const extraSchema = z
  .object({
    bodySize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    truncated: z.boolean(),
    remoteAddress: z.string().max(100).nullable(),
    answer: z.object({ fault: z.enum(['reset', 'hang']).nullable(), delayMs: z.number().int().min(0).max(600_000), reason: z.string().max(200) }),
    event: eventSchema,
    retryClaim: z.string().max(512).nullable(),
  })
  .partial();

/** HTTP/2 and /3 pseudo-headers (`:authority`…) are not headers a bin receives: dropped. */
function pairs(list: { name: string; value: string }[], what: string): HeaderPair[] {
  try {
    return checked(
      headerPairs,
      list.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value]),
    );
  } catch (err) {
    throw new DraftError(`${what}: ${(err as Error).message}`);
  }
}

/** Where in a URL the bin's own part ends: the first `/b/{binId}` is the bin, the rest its path; a URL of another server gives its whole path. */
function splitUrl(text: string): { path: string; query: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DraftError('request.url is not an absolute URL');
  }
  // The first /b/{binId} (a --public-url may put a path before it).
  const bin = /^.*?\/b\/[^/]+(\/.*)?$/.exec(url.pathname);
  const path = bin ? (bin[1] ?? '') : url.pathname;
  return { path: checked(pathSchema, path), query: checked(querySchema, url.search.slice(1)) };
}

type PostParam = { name: string; value?: string; fileName?: string; contentType?: string };

/** `"` and line ends as a multipart header's quoted string cannot hold them. */
const quoted = (s: string) => `"${s.replace(/[\r\n]/g, ' ').replace(/"/g, '%22')}"`;

/**
 * The body a HAR `postData` gives as `params` alone (HAR 1.2 makes `text`
 * and `params` alternatives; some tools write only `params` for forms):
 * `multipart/form-data` rebuilt with the boundary of the request's
 * Content-Type, anything else URL-encoded as a browser sends a form.
 */
function paramsBody(params: PostParam[], mimeType: string | undefined, headers: readonly HeaderPair[]): Buffer {
  const type = headerValue(headers, 'content-type') ?? mimeType ?? '';
  if (!/^\s*multipart\/form-data/i.test(type)) {
    return Buffer.from(new URLSearchParams(params.map((p) => [p.name, p.value ?? ''])).toString(), 'utf8');
  }
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!boundary) throw new DraftError('request.postData gives params without text, and its multipart Content-Type has no boundary to rebuild the body with');
  const b = boundary[1] ?? boundary[2]!;
  const parts = params.map((p) => {
    const disposition = `Content-Disposition: form-data; name=${quoted(p.name)}${p.fileName === undefined ? '' : `; filename=${quoted(p.fileName)}`}`;
    const type = p.contentType === undefined ? '' : `\r\nContent-Type: ${p.contentType.replace(/[\r\n]/g, ' ')}`;
    return `--${b}\r\n${disposition}${type}\r\n\r\n${p.value ?? ''}\r\n`;
  });
  return Buffer.from(`${parts.join('')}--${b}--\r\n`, 'utf8');
}

/** The request body of a HAR entry: `postData.text` (base64 when so marked), else its `params`, else none. */
function postBody(post: z.output<typeof entrySchema>['request']['postData'], headers: readonly HeaderPair[], maxBody: number): Buffer {
  let body: Buffer;
  if (post?.text === undefined && post?.params !== undefined) body = paramsBody(post.params, post.mimeType, headers);
  else if (post?.encoding === 'base64') body = base64Body(post.text ?? '', maxBody, 'request.postData.text');
  else body = Buffer.from(post?.text ?? '', 'utf8');
  if (body.byteLength > maxBody) throw new DraftError(`request.postData is over the ${maxBody}-byte --max-body of this hookbin`);
  return body;
}

/** A HAR entry as a draft; `identify` names the event of a request that does not carry hookbin's. Throws `DraftError`. */
export function harDraft(value: unknown, maxBody: number, identify: (headers: HeaderPair[], body: Buffer) => { key: string; type: string | null }): Draft {
  const e = checked(entrySchema, value);
  let extra: z.output<typeof extraSchema> = {};
  if (e._hookbin !== undefined) extra = checked(extraSchema, e._hookbin);
  const headers = pairs(e.request.headers, 'request.headers');
  const body = postBody(e.request.postData, headers, maxBody);
  const { path, query } = splitUrl(e.request.url);
  const res = e.response;
  const status = res && res.status >= 100 ? res.status : null;
  const content = res?.content;
  const answerText = content?.encoding === 'base64' ? lossyUtf8(Buffer.from(content.text ?? '', 'base64')) : (content?.text ?? '');
  const response: CaptureResponse = {
    status,
    headers: res ? pairs(res.headers, 'response.headers') : [],
    // An answer larger than any a bin sends is kept in part: it is a record, not a setting.
    body: answerText.slice(0, MAX_RESPOND_BODY),
    delayMs: extra.answer?.delayMs ?? 0,
    fault: status === null ? (extra.answer?.fault ?? 'reset') : null,
    reason: extra.answer?.reason ?? 'imported',
  };
  const bodySize = extra.bodySize !== undefined && extra.bodySize >= body.byteLength ? extra.bodySize : body.byteLength;
  const version = /^HTTP\/(\d(?:\.\d)?)$/i.exec(e.request.httpVersion ?? '')?.[1] ?? null;
  return {
    receivedAt: e.startedDateTime,
    method: e.request.method,
    path,
    query,
    httpVersion: version,
    remoteAddress: extra.remoteAddress ?? null,
    headers,
    body,
    bodySize,
    truncated: extra.truncated ?? false,
    response,
    event: extra.event ?? { ...identify(headers, body), attempt: null },
    retryClaim: extra.retryClaim ?? null,
  };
}

/** The entries of a HAR document; throws `DraftError` when it is not one. */
export function harEntries(doc: unknown): unknown[] {
  const log = (doc as { log?: { entries?: unknown } } | null)?.log;
  if (typeof log !== 'object' || log === null || !Array.isArray(log.entries)) throw new DraftError('not a HAR file: it has no log.entries');
  return log.entries;
}
