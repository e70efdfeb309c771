import type { Socket } from 'node:net';
import { EDGE_WHITESPACE, NO_BODY_STATUS, ORIGIN_HEADERS } from '../common/http-syntax.js';
import type { CaptureResponse } from '../common/types.js';
import { BIN_ANSWER_HEADERS } from './answer-headers.js';

/** What carrying out an answer needs besides the answer. */
export interface CarryOutOptions {
  captureId: string;
  method: string;
  /** Close the connection after the reply (e.g. after a 413 whose body was not read). */
  close: boolean;
  /** The request's socket; faults act on it. Absent under `app.request()`. */
  socket?: Socket;
  /** Aborted at shutdown: a delay ends early (the reply goes out), a hang ends (the socket is closed). */
  shutdown?: AbortSignal;
  /**
   * The longest a `hang` holds the request, its delay included, before the
   * connection is reset as a `reset` fault would; unbounded when absent.
   */
  hangMs?: number;
}

/**
 * Carries out a stored answer: waits `delayMs` (cut short when the client
 * leaves or the server shuts down), then replies, resets the socket, or
 * holds the request open until the client gives up (or `hangMs` has passed,
 * then the connection is reset). Resolves to the
 * Response the adapter sends; after a fault the socket is already gone and
 * the adapter's write goes nowhere.
 */
export async function carryOut(answer: CaptureResponse, opts: CarryOutOptions): Promise<Response> {
  if (answer.delayMs > 0) await wait(answer.delayMs, opts);
  // A client that never gives up must not hold its socket forever: past the bound the hang ends as a reset.
  if (answer.fault === 'hang') await wait(Math.max(0, (opts.hangMs ?? Infinity) - answer.delayMs), opts);
  if (answer.fault !== null) {
    if (opts.socket) {
      // resetAndDestroy sends a TCP RST, the closest thing to a crashed server.
      opts.socket.resetAndDestroy();
      // Stryker disable next-line ObjectLiteral: equivalent, the socket is gone and this goes nowhere
      return new Response(null, { status: 500 });
    }
    // No socket to act on (app.request in tests): say what would have happened.
    return Response.json(
      { error: { code: 'fault', message: `this request was answered with a "${answer.fault}" fault` } },
      { status: 502, headers: [...BIN_ANSWER_HEADERS, ['X-Hookbin-Capture-Id', opts.captureId], ['X-Hookbin-Fault', answer.fault]] },
    );
  }
  const status = answer.status ?? 500;
  const noBody = opts.method === 'HEAD' || NO_BODY_STATUS.has(status);
  const body = noBody ? null : answer.body;
  return new Response(body, { status, headers: replyHeaders(answer.headers, opts, body !== null) });
}

/**
 * The reply's headers as a plain record, exactly as a `Headers` object would
 * have made them (lower-case names, repeated names joined with ", ", a
 * text/plain Content-Type when a body has none): the Node adapter writes a
 * record straight out, where a `Headers` object costs a sort and a copy on
 * every capture. Headers that act on hookbin's origin (`ORIGIN_HEADERS`)
 * are never sent, whatever the answer holds; Set-Cookie, the one header a
 * record could not join, is one of them. hookbin's bin answer headers are
 * set over any of the same name.
 */
function replyHeaders(pairs: readonly (readonly [string, string])[], opts: CarryOutOptions, hasBody: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [rawName, rawValue] of pairs) {
    const name = rawName.toLowerCase();
    if (ORIGIN_HEADERS.has(name)) continue;
    const value = rawValue.replace(EDGE_WHITESPACE, '');
    const had = out[name];
    out[name] = had === undefined ? value : `${had}, ${value}`;
  }
  out['x-hookbin-capture-id'] = opts.captureId;
  // Whatever the stored answer says, a bin's answer is sandboxed (see answer-headers.ts).
  for (const [n, v] of BIN_ANSWER_HEADERS) out[n] = v;
  if (opts.close) out['connection'] = 'close';
  if (hasBody && out['content-type'] === undefined) out['content-type'] = 'text/plain; charset=UTF-8';
  return out;
}

/** Resolves after `ms`, or as soon as the client's socket closes or the server shuts down. */
function wait(ms: number, opts: CarryOutOptions): Promise<void> {
  return new Promise((resolve) => {
    const { socket, shutdown } = opts;
    if (shutdown?.aborted || socket?.destroyed) return resolve();
    const done = () => {
      clearTimeout(timer);
      socket?.off('close', done);
      shutdown?.removeEventListener('abort', done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    socket?.once('close', done);
    // `done` removes it, whichever way the wait ends.
    shutdown?.addEventListener('abort', done);
  });
}
