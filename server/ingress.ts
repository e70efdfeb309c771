import type { Context, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { type IngressTarget, BodyAbortedError, headerValue, parseContentLength, parseIngressTarget, rawRequest, readBody, TRUNCATED_KEEP_BYTES } from './capture.js';
import { BIN_ID_PATTERN, newCaptureId } from './ids.js';
import { BinGoneError, type CaptureSummaryRecord, type Store } from './store.js';
import { normalizeSettings, secretsFor } from './settings.js';
import { judgeRequest } from './signatures.js';
import type { SecretInput } from './verify/index.js';
import { errorBody } from './errors.js';
import type { CaptureResponse, HeaderPair } from './types.js';

/** What the ingress needs from the app. */
export interface IngressDeps {
  store: Store;
  /** Bodies over this many bytes are answered 413 and recorded truncated. */
  maxBody: number;
  now: () => number;
  /** Secrets from the config, tried after each bin's own. */
  globalSecrets: readonly SecretInput[];
  /** Called after a capture is committed (the live feed hooks in here). */
  onCapture?: (capture: CaptureSummaryRecord, pruned: number) => void;
}

/** Statuses whose responses must not carry a body. */
const NO_BODY_STATUS = new Set([204, 205, 304]);

function jsonError(code: string, message: string): string {
  return JSON.stringify(errorBody(code, message));
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/**
 * The answer to a captured request: the bin's configured response, or a 413
 * for a body over the limit. The body is a string so it is stored as sent.
 */
function answerFor(respond: { status: number; headers: Record<string, string>; body: string }, truncated: boolean, maxBody: number, captureId: string): CaptureResponse {
  if (truncated) {
    return {
      status: 413,
      headers: [['content-type', 'application/json']],
      body: jsonError(
        'payload_too_large',
        `the body is over the ${mib(maxBody)} limit; its first ${mib(Math.min(TRUNCATED_KEEP_BYTES, maxBody))} were recorded as capture ${captureId}`,
      ),
      delayMs: 0,
      fault: null,
    };
  }
  return {
    status: respond.status,
    headers: Object.entries(respond.headers) as HeaderPair[],
    body: NO_BODY_STATUS.has(respond.status) ? '' : respond.body,
    delayMs: 0,
    fault: null,
  };
}

/**
 * The bin ingress: any method at `/b/{binId}` and `/b/{binId}/{sub/path}`.
 * A middleware ahead of all routing, because it must route on the raw target:
 * the adapter's URL is normalized (`/b/a/../b` would become bin `b`). The
 * request is read raw, committed to the store, and only then answered.
 */
export function createIngress(deps: IngressDeps): MiddlewareHandler<{ Bindings: Partial<HttpBindings> }> {
  return async (c, next) => {
    const incoming = c.env?.incoming;
    let rawTarget = incoming?.url;
    if (rawTarget === undefined) {
      const url = new URL(c.req.url);
      rawTarget = url.pathname + url.search;
    }
    const target = parseIngressTarget(rawTarget);
    if (!target) return next();
    return capture(c, target, deps);
  };
}

async function capture(c: Context<{ Bindings: Partial<HttpBindings> }>, target: IngressTarget, deps: IngressDeps): Promise<Response> {
  const receivedAt = deps.now();
  const { binId, path, query } = target;
  if (binId === '') return c.json(errorBody('bin_not_found', 'a bin URL is /b/{binId}'), 404);
  const bin = BIN_ID_PATTERN.test(binId) ? deps.store.getBin(binId) : undefined;
  if (!bin) return c.json(errorBody('bin_not_found', `there is no bin "${binId}"`), 404);

  const raw = rawRequest(c.req.raw, c.env?.incoming);
  const declared = parseContentLength(headerValue(raw.headers, 'content-length'));
  let body;
  try {
    body = await readBody(raw.body, declared, deps.maxBody);
  } catch (err) {
    // The client is gone; there is nobody to answer and nothing complete to keep.
    if (err instanceof BodyAbortedError) return new Response(null, { status: 400 });
    throw err;
  }
  const id = newCaptureId(receivedAt);
  const settings = normalizeSettings(bin.settings);
  const response = answerFor(settings.respond, body.truncated, deps.maxBody, id);
  const judged = judgeRequest(raw.headers, body.bytes, receivedAt, secretsFor(settings, deps.globalSecrets));

  let added;
  try {
    added = await deps.store.addCapture({
      id,
      binId,
      receivedAt,
      method: raw.method,
      path,
      query,
      headers: raw.headers,
      contentType: headerValue(raw.headers, 'content-type'),
      bodySize: body.size,
      truncated: body.truncated,
      body: body.bytes,
      remoteAddress: raw.remoteAddress,
      httpVersion: raw.httpVersion,
      response: { ...response },
      ...judged,
    });
  } catch (err) {
    if (err instanceof BinGoneError) return c.json(errorBody('bin_not_found', `there is no bin "${binId}"`), 404);
    throw err;
  }
  deps.onCapture?.(added.capture, added.pruned);

  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  headers.set('X-Hookbin-Capture-Id', id);
  // After a 413 the rest of the body is not read; closing is the clean way out.
  if (body.truncated) headers.set('Connection', 'close');
  const noBody = raw.method === 'HEAD' || NO_BODY_STATUS.has(response.status);
  return new Response(noBody ? null : response.body, { status: response.status, headers });
}
