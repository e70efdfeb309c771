import { upgradeWebSocket } from '@hono/node-server';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { BIN_ID_PATTERN } from '../store/ids.js';
import type { Hub, HubConnection } from './hub.js';
import { CLOSE_AUTH_TIMEOUT, CLOSE_UNAUTHORIZED, type ServerMessage } from '../common/types.js';
import { safeEqual } from '../http/security.js';
import { describeIssues } from '../http/validate.js';

/** The largest WebSocket message a client may send; larger ones close the socket (1009). */
export const MAX_CLIENT_MESSAGE = 64 * 1024;

const clientMessage = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('subscribe'),
      bins: z.array(z.string().refine((b) => b === '*' || BIN_ID_PATTERN.test(b), 'not a bin id')).max(1000),
    })
    .strict(),
  z.object({ type: z.literal('ping') }).strict(),
  z.object({ type: z.literal('auth'), token: z.string() }).strict(),
]);

const corked = new WeakSet<WebSocket>();

/**
 * Holds a socket's writes until the end of this turn of the event loop: the
 * captures of one batch are published together, and each message would
 * otherwise be its own write system call. Reaches for ws's socket, which it
 * does not document; without one, messages simply go one by one.
 */
// Stryker disable all: batching changes how many writes carry the messages, not the messages.
function corkForThisTurn(raw: WebSocket): void {
  if (corked.has(raw)) return;
  const socket = (raw as unknown as { _socket?: Socket | null })._socket;
  if (!socket || socket.destroyed) return;
  corked.add(raw);
  socket.cork();
  process.nextTick(() => {
    corked.delete(raw);
    socket.uncork();
  });
}
// Stryker restore all

/** Sends a message; ws drops one sent to a socket that is closing. */
function send(raw: WebSocket, message: ServerMessage): void {
  raw.send(JSON.stringify(message));
}

/** How long a socket opened without a token has to send its `auth` message. */
export const AUTH_TIMEOUT_MS = 5000;
// The close codes live in types.ts, beside ClientMessage, so the inspector imports the same ones.
export { CLOSE_AUTH_TIMEOUT, CLOSE_UNAUTHORIZED };
/**
 * How long a refused socket has to answer its close frame before it is
 * dropped: ws would wait 30 s for a peer that never answers, holding the
 * socket (and a shutdown) that long.
 */
export const CLOSE_GRACE_MS = 1000;

/** What the live route needs besides the hub. */
export interface LiveOptions {
  /** The control-plane token an `auth` message must carry. */
  token: string;
  /** Aborted at shutdown: sockets still waiting for their `auth` message are dropped. */
  shutdown?: AbortSignal;
  /** How long a socket opened without a token may wait before its `auth` message (default `AUTH_TIMEOUT_MS`). */
  authTimeoutMs?: number;
  /** How long a refused socket may take to answer its close frame (default `CLOSE_GRACE_MS`). */
  closeGraceMs?: number;
}

/**
 * Reads a socket's first message: null for `{type:'auth', token}` with the
 * right token, else the reason to close it with (4401).
 */
function authRefusal(data: unknown, token: string): string | null {
  let parsed: unknown;
  try {
    // Stryker disable next-line ConditionalExpression: equivalent under hono's adapter (binary data is no string, and its text is not JSON); kept so text alone is ever read
    parsed = typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    // Not JSON: refused below.
  }
  const msg = parsed as { type?: unknown; token?: unknown } | undefined;
  if (!msg || typeof msg !== 'object' || msg.type !== 'auth' || typeof msg.token !== 'string') {
    return 'unauthorized: the first message must be {"type":"auth","token":"<token>"}';
  }
  return safeEqual(msg.token, token) ? null : 'unauthorized: the token is wrong';
}

/** Joins a socket to the hub as a live client. */
function joinHub(hub: Hub, raw: WebSocket): HubConnection {
  const conn = hub.connect({
    get open() {
      // Stryker disable next-line ConditionalExpression: equivalent, ws drops what is sent to a closing socket
      return raw.readyState === raw.OPEN;
    },
    get bufferedAmount() {
      return raw.bufferedAmount;
    },
    send: (data) => {
      corkForThisTurn(raw);
      raw.send(data);
    },
    ping: () => raw.ping(),
    terminate: () => raw.terminate(),
  });
  raw.on('pong', () => conn.alive());
  return conn;
}

/** Answers a message of a signed-in socket: `subscribe`, `ping`, or an `error` for anything else. */
function answer(raw: WebSocket, conn: HubConnection, data: unknown): void {
  conn.alive();
  if (typeof data !== 'string') {
    send(raw, { type: 'error', code: 'bad_message', message: 'messages are JSON text' });
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    send(raw, { type: 'error', code: 'bad_message', message: 'the message is not valid JSON' });
    return;
  }
  const result = clientMessage.safeParse(parsed);
  if (!result.success) {
    send(raw, { type: 'error', code: 'bad_message', message: describeIssues(result.error) });
  } else if (result.data.type === 'auth') {
    send(raw, { type: 'error', code: 'bad_message', message: 'this socket is already authenticated' });
  } else if (result.data.type === 'ping') {
    send(raw, { type: 'pong' });
  } else {
    conn.subscribe(result.data.bins);
    send(raw, { type: 'subscribed', bins: result.data.bins });
  }
}

/**
 * `GET /api/ws`: joins the socket to the hub and reads its `subscribe` and
 * `ping` messages. A socket whose upgrade carried the token (`Authorization`
 * or `?token=`, for scripts) is joined at once; one without (the browser's)
 * must send `{type:'auth', token}` first, within `AUTH_TIMEOUT_MS`: until then
 * it is sent nothing, and a wrong or missing `auth` closes it (4401, 4408).
 * A refused socket reads nothing more (frames already on the wire after the
 * refused one are ignored, a right token among them too) and is dropped if
 * it does not answer the close frame within `CLOSE_GRACE_MS`; a shutdown
 * drops every socket not joined yet. A malformed message after joining gets
 * an `error` message, not a close, so a buggy client can see what it did wrong.
 */
export function liveRoute(hub: Hub, options: LiveOptions) {
  // Sockets not in the hub (which a shutdown closes): waiting for their `auth`, or refused and closing.
  const pending = new Set<WebSocket>();
  options.shutdown?.addEventListener('abort', () => {
    for (const raw of pending) raw.terminate();
    pending.clear();
  });
  return upgradeWebSocket((c) => {
    let conn: HubConnection | undefined;
    // Stryker disable next-line StringLiteral: 'waiting' is only ever told apart from the other two
    let state: 'waiting' | 'refused' | 'joined' = c.get('tokenVerified') === true ? 'joined' : 'waiting';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const after = (ms: number, then: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(then, ms);
      timer.unref();
    };
    const refuse = (raw: WebSocket, code: number, reason: string) => {
      state = 'refused';
      raw.close(code, reason);
      after(options.closeGraceMs ?? CLOSE_GRACE_MS, () => raw.terminate());
    };
    const forget = (raw: WebSocket) => {
      clearTimeout(timer);
      pending.delete(raw);
      // Stryker disable next-line OptionalChaining: not observable, a throw here would come after the cleanup above
      conn?.disconnect();
    };
    return {
      onOpen(_event, ws) {
        const raw = ws.raw as WebSocket;
        if (state === 'joined') {
          conn = joinHub(hub, raw);
          return;
        }
        if (options.shutdown?.aborted) return raw.terminate();
        pending.add(raw);
        const ms = options.authTimeoutMs ?? AUTH_TIMEOUT_MS;
        after(ms, () => refuse(raw, CLOSE_AUTH_TIMEOUT, `unauthorized: no {"type":"auth"} message within ${ms} ms`));
      },
      onMessage(event, ws) {
        const raw = ws.raw as WebSocket;
        if (state === 'joined') return answer(raw, conn!, event.data);
        if (state === 'refused') return;
        const refusal = authRefusal(event.data, options.token);
        if (refusal !== null) return refuse(raw, CLOSE_UNAUTHORIZED, refusal);
        clearTimeout(timer);
        pending.delete(raw);
        state = 'joined';
        conn = joinHub(hub, raw);
      },
      onClose(_event, ws) {
        forget(ws.raw as WebSocket);
      },
      onError(_event, ws) {
        forget(ws.raw as WebSocket);
      },
    };
  });
}
