import { upgradeWebSocket } from '@hono/node-server';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { BIN_ID_PATTERN } from './ids.js';
import type { Hub, HubConnection } from './hub.js';
import type { ServerMessage } from './types.js';
import { describeIssues } from './validate.js';

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
]);

const corked = new WeakSet<WebSocket>();

/**
 * Holds a socket's writes until the end of this turn of the event loop: the
 * captures of one batch are published together, and each message would
 * otherwise be its own write system call. Reaches for ws's socket, which it
 * does not document; without one, messages simply go one by one.
 */
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

function send(raw: WebSocket, message: ServerMessage): void {
  if (raw.readyState === raw.OPEN) raw.send(JSON.stringify(message));
}

/**
 * `GET /api/ws`: joins the socket to the hub and reads its `subscribe` and
 * `ping` messages. A malformed message gets an `error` message, not a close,
 * so a buggy client can see what it did wrong.
 */
export function liveRoute(hub: Hub) {
  return upgradeWebSocket(() => {
    let conn: HubConnection | undefined;
    return {
      onOpen(_event, ws) {
        const raw = ws.raw as WebSocket;
        conn = hub.connect({
          get open() {
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
        raw.on('pong', () => conn?.alive());
      },
      onMessage(event, ws) {
        const raw = ws.raw as WebSocket;
        conn?.alive();
        if (typeof event.data !== 'string') {
          send(raw, { type: 'error', code: 'bad_message', message: 'messages are JSON text' });
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(event.data);
        } catch {
          send(raw, { type: 'error', code: 'bad_message', message: 'the message is not valid JSON' });
          return;
        }
        const result = clientMessage.safeParse(parsed);
        if (!result.success) {
          send(raw, { type: 'error', code: 'bad_message', message: describeIssues(result.error) });
          return;
        }
        if (result.data.type === 'ping') {
          send(raw, { type: 'pong' });
          return;
        }
        conn?.subscribe(result.data.bins);
        send(raw, { type: 'subscribed', bins: result.data.bins });
      },
      onClose() {
        conn?.disconnect();
      },
      onError() {
        conn?.disconnect();
      },
    };
  });
}
