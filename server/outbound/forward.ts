/**
 * Live forwarding: after a capture is committed, the same request goes on to
 * the developer's app (a bin's `forwardTo`, or `--forward` for bins without
 * one), and the app's reply is stored with the capture. With `relay`, the
 * provider is answered with the app's reply instead of the bin's own answer,
 * so its retries react to the real app.
 *
 * The forwarded request is the captured one (method, headers in order and
 * case, bytes) minus hop-by-hop headers, with the app's Host, the captured
 * sub-path and query appended to the target, and a `Via: 1.1 hookbin-…`
 * entry (RFC 9110 §7.6.3): a forward that comes back to this hookbin (a bin
 * forwarding to itself) is recognised by it and not forwarded again.
 */
import { randomBytes } from 'node:crypto';
import { errorBody } from '../common/error-body.js';
import { exchange, MAX_REPLY_BYTES, outboundHeaders, targetOf, type ExchangeResult } from './exchange.js';
import { droppedNote, relayHeaders, withBinAnswerHeaders } from '../capture/answer-headers.js';
import { withCors } from '../capture/cors.js';
import type { BinReply } from '../capture/reply.js';
import { NO_BODY_STATUS } from '../common/http-syntax.js';
import type { NormalizedSettings } from '../capture/settings.js';
import type { Captures, CaptureSummaryRecord, ForwardRecord } from '../store/index.js';
import type { CaptureResponse, HeaderPair, ServerMessage } from '../common/types.js';
import { lossyUtf8 } from '../common/text.js';

/** The captured request as forwarding needs it. */
export interface ForwardRequest {
  method: string;
  /** The path after `/b/{binId}`, raw. */
  path: string;
  /** The raw query string. */
  query: string;
  headers: HeaderPair[];
  body: Uint8Array;
  /** A truncated body is not the request the provider sent: it is not forwarded. */
  truncated: boolean;
}

/** `--forward URL` with `--forward-relay` and `--forward-insecure`. */
export interface GlobalForward {
  url: string;
  relay: boolean;
  insecure: boolean;
}

/**
 * Where a bin's captures are forwarded and how: its own `forwardTo`, else
 * `--forward`; relay and an unverified certificate when the bin's own
 * options or the `--forward` flags say so. Null when the bin forwards nowhere.
 */
export function forwardTargetOf(settings: NormalizedSettings, global: GlobalForward | null): { url: string; relay: boolean; insecure: boolean } | null {
  const url = settings.forwardTo ?? global?.url ?? null;
  if (url === null) return null;
  const viaGlobal = settings.forwardTo === null;
  return {
    url,
    relay: settings.forward.relay || (viaGlobal && global?.relay === true),
    insecure: settings.forward.insecure || (viaGlobal && global?.insecure === true),
  };
}

/**
 * The ingress hook, called after a capture is committed: undefined when the
 * bin does not relay (a forward, if any, runs in the background and the bin
 * answers as usual), else a promise of the app's reply to answer with.
 */
export type ForwardHook = (capture: CaptureSummaryRecord, request: ForwardRequest, settings: NormalizedSettings) => Promise<BinReply> | undefined;

/** Options of `createForwarder`. */
export interface ForwarderOptions {
  store: Pick<Captures, 'setCaptureForward'>;
  /** `--forward URL` (and `--forward-relay`, `--forward-insecure`): for bins without their own `forwardTo`. */
  global: GlobalForward | null;
  /** Aborted at shutdown: forwards in flight are dropped (a relayed request is answered 503). */
  shutdown?: AbortSignal;
  now?: () => number;
  /** Tells live clients a forward finished. */
  publish?: (message: ServerMessage, binId?: string) => void;
}

/** Forwards captures; `idle()` resolves when none is in flight. */
export interface Forwarder {
  forward: ForwardHook;
  idle(): Promise<void>;
}

/** Appends this hookbin to the Via header (one entry per hop, comma-separated). */
function withVia(headers: HeaderPair[], pseudonym: string): HeaderPair[] {
  const entry = `1.1 ${pseudonym}`;
  const i = headers.findIndex(([n]) => n.toLowerCase() === 'via');
  if (i === -1) return [...headers, ['Via', entry]];
  const out = headers.slice();
  out[i] = [out[i]![0], `${out[i]![1]}, ${entry}`];
  return out;
}

function viaHas(headers: HeaderPair[], pseudonym: string): boolean {
  return headers.some(([n, v]) => n.toLowerCase() === 'via' && v.split(',').some((e) => e.trim().split(/\s+/)[1] === pseudonym));
}

/** Adds a CORS bin's headers to a relayed answer's (see capture/cors.ts); the identity for other bins. */
type CorsOf = (headers: HeaderPair[]) => HeaderPair[];

/** A relay that could not pass the app's reply on: 502 (503 at shutdown) with a JSON sentence, stored as answered. */
function relayFailure(captureId: string, code: 502 | 503, message: string, cors: CorsOf): { reply: BinReply; answered: CaptureResponse } {
  const text = JSON.stringify(errorBody('forward_failed', message));
  const headers = withBinAnswerHeaders(cors([['content-type', 'application/json']]));
  return {
    reply: { status: code, headers: [...headers, ['X-Hookbin-Capture-Id', captureId]], body: text },
    answered: { status: code, headers, body: text, delayMs: 0, fault: null, reason: 'relay' },
  };
}

/**
 * The app's reply as hookbin passes it on, and as the capture records it:
 * its status, the headers that can be sent (framing, hop-by-hop and
 * unsendable ones left out, the last named in `reason`), hookbin's own
 * answer headers, and its bytes. No reply, a status outside 200–599, or a
 * body over what hookbin reads (`MAX_REPLY_BYTES`, which would be cut
 * short) is a 502 saying so.
 */
function relayedAnswer(result: ExchangeResult, captureId: string, method: string, shutdown: boolean, cors: CorsOf): { reply: BinReply; answered: CaptureResponse } {
  const status = result.status;
  if (shutdown) return relayFailure(captureId, 503, 'hookbin shut down before the app answered', cors);
  if (result.error !== null || status === null || status < 200 || status > 599) {
    return relayFailure(
      captureId,
      502,
      `hookbin could not get a reply from the app at ${result.request.url}: ${result.error ?? 'bad status'} (${result.errorMessage ?? status})`,
      cors,
    );
  }
  const reply = result.response!;
  if (reply.truncated) {
    return relayFailure(captureId, 502, `the app at ${result.request.url} replied with a body over the ${MAX_REPLY_BYTES} bytes hookbin relays`, cors);
  }
  const { headers: sendable, dropped } = relayHeaders(reply.headers);
  // The app's own CORS headers, if it sends any, win (`withCors` keeps them).
  const headers = withBinAnswerHeaders(cors(sendable));
  const noBody = method === 'HEAD' || NO_BODY_STATUS.has(status);
  const note = droppedNote(dropped);
  return {
    reply: { status, headers: [...headers, ['X-Hookbin-Capture-Id', captureId]], body: noBody ? null : reply.body },
    answered: { status, headers, body: noBody ? '' : lossyUtf8(reply.body), delayMs: 0, fault: null, reason: note === '' ? 'relay' : `relay; ${note}` },
  };
}

/** Creates the forwarder; it makes no request until a capture asks for one. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const now = options.now ?? Date.now;
  const pseudonym = `hookbin-${randomBytes(4).toString('hex')}`;
  const inflight = new Set<Promise<unknown>>();

  const store = (capture: CaptureSummaryRecord, forward: ForwardRecord, answered?: CaptureResponse) => {
    try {
      options.store.setCaptureForward(capture.id, forward, answered);
    } catch (err) {
      // The store closed under a late forward (shutdown): nothing to keep it in.
      console.error('hookbin: could not store a forward reply', err);
      return;
    }
    options.publish?.(
      {
        type: 'capture.forwarded',
        binId: capture.binId,
        id: capture.id,
        status: answered ? answered.status : capture.status,
        forward: { status: forward.status, error: forward.error, durationMs: forward.durationMs, relayed: forward.relayed },
      },
      capture.binId,
    );
  };

  const skipped = (url: string, error: 'loop' | 'truncated', message: string): ForwardRecord => ({
    url,
    at: now(),
    status: null,
    response: null,
    durationMs: 0,
    error,
    errorMessage: message,
    relayed: false,
  });

  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => {});
    return p;
  };

  return {
    forward(capture, request, settings) {
      const to = forwardTargetOf(settings, options.global);
      if (to === null) return undefined;
      const { relay } = to;
      const target = targetOf(to.url, { path: request.path, query: request.query });
      if (viaHas(request.headers, pseudonym)) {
        store(capture, skipped(target.url, 'loop', 'not forwarded: this request was forwarded by this hookbin (its Via header says so), so forwarding it again would loop'));
        return undefined;
      }
      if (request.truncated) {
        store(capture, skipped(target.url, 'truncated', 'not forwarded: the body was over --max-body and only its first bytes were kept'));
        return undefined;
      }
      const headers = outboundHeaders(withVia(request.headers, pseudonym), target, request.method, request.body.length);
      const run = exchange({
        method: request.method,
        target,
        headers,
        body: request.body,
        timeoutMs: settings.forward.timeoutMs,
        signal: options.shutdown,
        now,
        insecure: to.insecure,
      }).then((result) => {
        const record: ForwardRecord = {
          url: target.url,
          at: result.at,
          status: result.status,
          response: result.response,
          durationMs: result.durationMs,
          error: result.aborted ? 'other' : result.error,
          errorMessage: result.aborted ? 'hookbin shut down before the app answered' : result.errorMessage,
          relayed: relay,
        };
        if (!relay) {
          store(capture, record);
          return undefined;
        }
        const cors: CorsOf = settings.cors ? (h) => withCors(h, request.headers) : (h) => h;
        const { reply, answered } = relayedAnswer(result, capture.id, request.method, result.aborted, cors);
        store(capture, record, answered);
        return reply;
      });
      track(run);
      return relay ? (run as Promise<BinReply>) : undefined;
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}
