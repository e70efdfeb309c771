/**
 * Writing a bin URL's answer straight onto Node's response: bin URLs are
 * answered from `node:http` without Hono or the Fetch objects (see
 * ingress.ts), so every answer a bin gives goes out through here, with
 * hookbin's bin answer headers (answer-headers.ts) set over any of the same name.
 */
import type { ServerResponse } from 'node:http';
import { errorBody } from '../common/error-body.js';
import { NO_BODY_STATUS } from '../common/http-syntax.js';
import type { HeaderPair } from '../common/types.js';
import { BIN_ANSWER_HEADERS } from './answer-headers.js';

const NON_ASCII = /[^\x00-\x7f]/;

/** An answer as it leaves a bin URL. */
export interface BinReply {
  status: number;
  /**
   * Header pairs in order (a name may repeat), or a record of lower-case
   * names. Content-Length is hookbin's: any given here is replaced.
   */
  headers: readonly HeaderPair[] | Readonly<Record<string, string>>;
  /** Null (or ignored) for HEAD and statuses without a body. */
  body: string | Uint8Array | null;
}

/**
 * Writes `reply` and ends the response. hookbin's bin answer headers are set
 * over the reply's; Content-Length is computed here (Node would otherwise
 * chunk an answer whose headers it was given whole). `close` answers with
 * `Connection: close` (a request whose body was not read). Headers the reply
 * names twice are sent twice.
 */
export function sendReply(res: ServerResponse, reply: BinReply, close = false): void {
  const flat: string[] = [];
  // Latin-1 in a header value: the head must not go out in the same write as a string body (see below).
  let latin1 = false;
  const add = (name: string, value: string) => {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'content-security-policy' || lower === 'x-content-type-options' || (close && lower === 'connection')) return;
    if (!latin1 && NON_ASCII.test(value)) latin1 = true;
    flat.push(name, value);
  };
  if (Array.isArray(reply.headers)) {
    for (const [n, v] of reply.headers as readonly HeaderPair[]) add(n, v);
  } else {
    const record = reply.headers as Readonly<Record<string, string>>;
    for (const n in record) add(n, record[n]!);
  }
  for (const [n, v] of BIN_ANSWER_HEADERS) flat.push(n, v);
  if (close) flat.push('connection', 'close');
  // Node writes the head and a string body as one string in the body's encoding (UTF-8), which
  // would re-encode Latin-1 header bytes; bytes (or no body) keep the head in Latin-1.
  const body = typeof reply.body === 'string' && latin1 ? Buffer.from(reply.body) : reply.body;
  // A HEAD answer and a 204 or 304 carry no body and say no length.
  if (body !== null || !(NO_BODY_STATUS.has(reply.status) || res.req.method === 'HEAD')) {
    flat.push('content-length', String(body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
  }
  res.writeHead(reply.status, flat);
  // Node sends no body for HEAD and 204/304 whatever end() is given.
  if (body === null) res.end();
  else res.end(body);
}

/** A JSON error answer from a bin URL (the API's error body: `{error: {code, message}}`). */
export function sendError(res: ServerResponse, status: number, code: string, message: string, close = false): void {
  sendReply(res, { status, headers: [['content-type', 'application/json']], body: JSON.stringify(errorBody(code, message)) }, close);
}
