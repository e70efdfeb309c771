import type { Socket } from 'node:net';
import { EDGE_WHITESPACE, NO_BODY_STATUS, ORIGIN_HEADERS } from '../common/http-syntax.js';
import type { CaptureResponse } from '../common/types.js';
import type { ServerResponse } from 'node:http';
import { sendReply } from './reply.js';

/** What waiting out an answer needs: what may cut the wait short, and its bound. */
export interface WaitOptions {
  /** The request's socket: a wait ends when it closes. */
  socket?: Socket;
  /** Aborted at shutdown: a delay ends early (the reply goes out), a hang ends (the socket is closed). */
  shutdown?: AbortSignal;
  /**
   * The longest a `hang` holds the request, its delay included, before the
   * connection is reset as a `reset` fault would; unbounded when absent.
   */
  hangMs?: number;
}

/** What carrying out an answer needs besides the answer. */
export interface CarryOutOptions extends WaitOptions {
  captureId: string;
  method: string;
  /** Close the connection after the reply (e.g. after a 413 whose body was not read). */
  close: boolean;
  /** The request's socket; faults act on it. */
  socket: Socket;
}

/**
 * Waits out an answer's `delayMs`, and for a `hang` until the client gives
 * up (or `hangMs` has passed): cut short when the client leaves or the
 * server shuts down.
 */
export async function waitOut(answer: CaptureResponse, opts: WaitOptions): Promise<void> {
  if (answer.delayMs > 0) await wait(answer.delayMs, opts);
  // A client that never gives up must not hold its socket forever: past the bound the hang ends as a reset.
  if (answer.fault === 'hang') await wait(Math.max(0, (opts.hangMs ?? Infinity) - answer.delayMs), opts);
}

/**
 * Carries out a stored answer on `res`: waits it out (`waitOut`), then
 * replies, or for a fault resets the connection. Resolves once that is done.
 */
export async function carryOut(answer: CaptureResponse, opts: CarryOutOptions, res: ServerResponse): Promise<void> {
  // Most answers wait for nothing: no timer, listener or promise for them on the capture path.
  if (answer.delayMs > 0 || answer.fault === 'hang') await waitOut(answer, opts);
  if (answer.fault !== null) {
    // resetAndDestroy sends a TCP RST, the closest thing to a crashed server.
    opts.socket.resetAndDestroy();
    return;
  }
  const status = answer.status ?? 500;
  const noBody = opts.method === 'HEAD' || NO_BODY_STATUS.has(status);
  const body = noBody ? null : answer.body;
  sendReply(res, { status, headers: replyHeaders(answer.headers, opts.captureId, body !== null), body }, opts.close);
}

/**
 * A stored answer's headers as they are sent: lower-case names, repeated
 * names joined with ", " (as a `Headers` object would make them), values
 * trimmed, a text/plain Content-Type when a body has none, and the capture
 * id. Headers that act on hookbin's origin (`ORIGIN_HEADERS`) are never
 * sent, whatever the answer holds; Set-Cookie, the one header a record could
 * not join, is one of them. `sendReply` sets hookbin's bin answer headers
 * over any of the same name.
 */
export function replyHeaders(pairs: readonly (readonly [string, string])[], captureId: string, hasBody: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [rawName, rawValue] of pairs) {
    const name = rawName.toLowerCase();
    if (ORIGIN_HEADERS.has(name)) continue;
    const value = rawValue.replace(EDGE_WHITESPACE, '');
    const had = out[name];
    out[name] = had === undefined ? value : `${had}, ${value}`;
  }
  out['x-hookbin-capture-id'] = captureId;
  if (hasBody && out['content-type'] === undefined) out['content-type'] = 'text/plain; charset=UTF-8';
  return out;
}

/** Resolves after `ms`, or as soon as the client's socket closes or the server shuts down. */
function wait(ms: number, opts: WaitOptions): Promise<void> {
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
