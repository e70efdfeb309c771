import type { IncomingMessage, ServerResponse } from 'node:http';
import { type IngressTarget, type RawRequest, type ReadBody, BodyAbortedError, headerValue, nodeRequest, parseContentLength, parseIngressTarget, readBody, TRUNCATED_KEEP_BYTES } from './read.js';
import { BIN_ID_PATTERN, newCaptureId } from '../store/ids.js';
import { BinGoneError, type Bins, type CaptureSummaryRecord, type CaptureWriter } from '../store/index.js';
import { type BinSettings, type NormalizedSettings, normalizeSettings, schemesFor, secretsFor } from './settings.js';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import { MAX_URL_LENGTH } from '../common/limits.js';
import { INTERNAL_ERROR_MESSAGE } from '../common/error-body.js';
import { indexHeaders } from '../common/header-index.js';
import { eventIdentity } from './event-identity.js';
import { detectProvider } from './provider.js';
import { decideAnswer, ownJsonAnswer } from './answer.js';
import { judgeRequest } from './verdicts.js';
import { AS_RECEIVED, binTarget, signedUrl, type PublicUrlPolicy } from './public-url.js';
import { zoomChallenge } from './zoom-challenge.js';
import type { SecretInput } from '../verify/index.js';
import { errorBody } from '../common/error-body.js';
import { BIN_ANSWER_HEADERS, securedAnswer } from './answer-headers.js';
import type { CaptureResponse, RespondSettings } from '../common/types.js';
import { carryOut } from './faults.js';
import { isPreflight, preflightHeaders, withCors } from './cors.js';
import type { ForwardHook } from '../outbound/forward.js';
import { sendError, sendReply } from './reply.js';

/** What the ingress needs from the app. */
export interface IngressDeps {
  /** Each bin's settings, and the one write path. */
  store: Pick<Bins, 'binSettings'> & CaptureWriter;
  /** Bodies over this many bytes are answered 413 and recorded truncated. */
  maxBody: number;
  now: () => number;
  /** Secrets from the config, tried after each bin's own. */
  globalSecrets: readonly SecretInput[];
  /** Users' own schemes for every bin, after each bin's own. */
  globalSchemes?: readonly CustomSchemeDef[];
  /** Aborted when the server shuts down: delays end early and hung requests are let go. */
  shutdown?: AbortSignal;
  /** The longest a `hang` fault holds a request before its connection is reset; unbounded when absent. */
  hangMs?: number;
  /** Called after a capture is committed (the live feed hooks in here). */
  onCapture: (capture: CaptureSummaryRecord, pruned: number) => void;
  /** Forwards a committed capture to the developer's app; returns the app's reply when the bin relays it. */
  forward?: ForwardHook;
  /** How the URL a provider signed is known (URL-signed schemes); as received when absent. */
  urls?: PublicUrlPolicy;
}

function jsonError(code: string, message: string): string {
  return JSON.stringify(errorBody(code, message));
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** The answer to a body over the limit: a 413 with hookbin's JSON error, whatever the bin is set to answer (see `ownJsonAnswer`). */
function tooLarge(maxBody: number, captureId: string, respond: RespondSettings): CaptureResponse {
  const message = `the body is over the ${mib(maxBody)} limit; its first ${mib(Math.min(TRUNCATED_KEEP_BYTES, maxBody))} were recorded as capture ${captureId}`;
  return ownJsonAnswer(respond, 413, jsonError('payload_too_large', message), 0, 'too large');
}

/** A bin's settings as the capture path uses them. */
interface PreparedSettings {
  settings: NormalizedSettings;
  /** The bin's secrets, then the global ones. */
  secrets: SecretInput[];
  /** The bin's own schemes, then the global ones it does not redefine. */
  schemes: CustomSchemeDef[];
}

/**
 * Derives what the capture path needs from a bin's stored settings once per
 * settings object: `store.binSettings` returns the same object until the
 * bin's settings change, so defaults are filled in and the secret list built
 * once per change, not once per request.
 */
function settingsPreparer(globalSecrets: readonly SecretInput[], globalSchemes: readonly CustomSchemeDef[]): (stored: BinSettings) => PreparedSettings {
  const cache = new WeakMap<BinSettings, PreparedSettings>();
  return (stored) => {
    let p = cache.get(stored);
    // Stryker disable next-line ConditionalExpression: equivalent, a cache (preparing again gives the same settings and secrets)
    if (!p) {
      const settings = normalizeSettings(stored);
      p = { settings, secrets: secretsFor(settings, globalSecrets), schemes: schemesFor(settings, globalSchemes) };
      cache.set(stored, p);
    }
    return p;
  };
}

/**
 * Answers a request at a bin URL, or says it is not one. Called by the
 * listener for every request before Hono (see server/main/listener.ts).
 */
export type BinHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The bin ingress: any method at `/b/{binId}` and `/b/{binId}/{sub/path}`,
 * answered from `node:http` directly, ahead of Hono and the Fetch objects:
 * the one path webhooks take, and the hot one. It routes on the raw target
 * (a normalized URL would put `/b/a/../b` in bin `b`), reads the request
 * raw, commits it to the store, and only then answers. Returns false for
 * any other target, and for one over `MAX_URL_LENGTH` (the app answers 414).
 */
export function createIngress(deps: IngressDeps): BinHandler {
  const prepare = settingsPreparer(deps.globalSecrets, deps.globalSchemes ?? []);
  return (req, res) => {
    const rawTarget = req.url!;
    if (rawTarget.length > MAX_URL_LENGTH) return false;
    const target = parseIngressTarget(rawTarget);
    if (!target) return false;
    capture(req, res, target, deps, prepare).catch((err: unknown) => failed(req, res, err));
    return true;
  };
}

/** An unexpected failure: a 500 with a JSON sentence (details to the log), or a reset once the answer has begun. */
function failed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  console.error('hookbin: unexpected error', err);
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  sendError(res, 500, 'internal', INTERNAL_ERROR_MESSAGE, unread(req));
}

/**
 * Whether a body may still be arriving: then an answer given before reading
 * it closes the connection rather than read the rest of what an anonymous
 * sender chose to send. (Node sets `complete` only after the 'request'
 * event, so a request without a body is known by its headers.)
 */
function unread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** An answer hookbin gives for a bin URL before any body is read. */
function early(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  sendError(res, status, code, message, unread(req));
}

async function capture(
  req: IncomingMessage,
  res: ServerResponse,
  target: IngressTarget,
  deps: IngressDeps,
  prepare: (stored: BinSettings) => PreparedSettings,
): Promise<void> {
  const receivedAt = deps.now();
  const { binId, path, query } = target;
  if (binId === '') return early(req, res, 404, 'bin_not_found', 'a bin URL is /b/{binId}');
  const stored = BIN_ID_PATTERN.test(binId) ? deps.store.binSettings(binId) : undefined;
  if (!stored) return early(req, res, 404, 'bin_not_found', `there is no bin "${binId}"`);

  const raw = nodeRequest(req);
  const { settings, secrets, schemes } = prepare(stored);
  // A preflight of a CORS bin is answered, not captured (see cors.ts).
  if (settings.cors && isPreflight(raw.method, raw.headers)) {
    return sendReply(res, { status: 204, headers: [...preflightHeaders(raw.headers), ...BIN_ANSWER_HEADERS], body: null }, unread(req));
  }
  const declared = parseContentLength(headerValue(raw.headers, 'content-length'));
  let body;
  try {
    body = await readBody(req, declared, deps.maxBody);
  } catch (err) {
    // The client is gone; there is nobody to answer and nothing complete to keep.
    if (err instanceof BodyAbortedError) return sendReply(res, { status: 400, headers: [], body: null }, true);
    throw err;
  }
  const id = newCaptureId(receivedAt);
  const url = signedUrl(deps.urls ?? AS_RECEIVED, raw.headers, binTarget(binId, path, query));
  // Signatures, event and provider all read the headers: indexed once for the three.
  const index = indexHeaders(raw.headers);
  const judged = judgeRequest(raw.headers, body.bytes, receivedAt, secrets, { method: raw.method, url }, schemes, index);
  const identity = eventIdentity(raw.headers, body.bytes, { keyHeader: settings.eventKey?.header, keyPointer: settings.eventKey?.pointer }, index);
  const event = { key: identity.key, type: identity.type };
  // Zoom's URL validation is answered by hookbin itself, whatever the bin is set to answer (see zoom-challenge.ts).
  const challenge = body.truncated ? null : zoomChallenge(raw.method, raw.headers, body.bytes, Math.floor(receivedAt / 1000), secrets);
  // The stored answer lists hookbin's bin answer headers too: the capture records what was sent.
  const answer = (attempt: number): CaptureResponse => {
    const decided = body.truncated
      ? tooLarge(deps.maxBody, id, settings.respond)
      : challenge ?? decideAnswer(settings.respond, { method: raw.method, path, headers: raw.headers, event: { key: event.key, type: event.type, attempt } });
    // A fault sends no headers at all.
    return securedAnswer(settings.cors && decided.status !== null ? { ...decided, headers: withCors(decided.headers, raw.headers) } : decided);
  };

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
      event,
      retryClaim: identity.retryClaim ?? null,
      provider: detectProvider(raw.headers, index),
      answer,
      ...judged,
    });
  } catch (err) {
    if (err instanceof BinGoneError) return sendError(res, 404, 'bin_not_found', `there is no bin "${binId}"`, body.truncated);
    throw err;
  }
  deps.onCapture(added.capture, added.pruned);
  await answerCapture(req, res, deps, added, { raw, path, query, body, settings, relayAnswers: challenge === null });
}

/**
 * Answers a committed capture: with the app's reply when its bin relays (and
 * the answer is not hookbin's own, as a Zoom challenge's is), else with the
 * stored answer, carried out (delays, faults).
 */
async function answerCapture(
  req: IncomingMessage,
  res: ServerResponse,
  deps: IngressDeps,
  added: { capture: CaptureSummaryRecord; response: CaptureResponse },
  c: { raw: RawRequest; path: string; query: string; body: ReadBody; settings: NormalizedSettings; relayAnswers: boolean },
): Promise<void> {
  const { raw, body } = c;
  // Forwarding starts only after the commit; a relaying bin answers with the app's reply instead of its own.
  const relayed = deps.forward?.(added.capture, { method: raw.method, path: c.path, query: c.query, headers: raw.headers, body: body.bytes, truncated: body.truncated }, c.settings);
  if (relayed && c.relayAnswers) return sendReply(res, await relayed, body.truncated);
  // The app still sees the validation request; its reply is not what Zoom gets.
  if (relayed) void relayed.catch(() => undefined);
  await carryOut(
    added.response,
    {
      captureId: added.capture.id,
      method: raw.method,
      // After a 413 the rest of the body is not read; closing is the clean way out.
      close: body.truncated,
      socket: req.socket,
      shutdown: deps.shutdown,
      hangMs: deps.hangMs,
    },
    res,
  );
}
