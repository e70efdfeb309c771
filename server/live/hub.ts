import type { ServerMessage } from '../common/types.js';

/** One live socket as the hub sees it; the WebSocket route adapts `ws` to this. */
export interface HubClient {
  /** True while the socket can take a message. */
  readonly open: boolean;
  /** Bytes queued on the socket and not yet written to the network. */
  readonly bufferedAmount: number;
  send(data: string): void;
  /** A transport-level ping; the peer's pong must reach `HubConnection.alive()`. */
  ping(): void;
  /** Drops the connection at once, discarding whatever is still queued. */
  terminate(): void;
}

/** A client's handle on the hub. */
export interface HubConnection {
  /** Replaces the bins whose capture events reach this client (`"*"`: all). */
  subscribe(bins: readonly string[]): void;
  /** Marks the client alive (call on every pong or message). */
  alive(): void;
  /** Removes the client; safe to call twice. */
  disconnect(): void;
}

/** The one broadcast path from routes to inspectors. */
export interface Hub {
  /**
   * Sends a message to every open client, or, with `binId`, only to those
   * subscribed to that bin. Serializes once, and not at all when nobody
   * listens; given a function, builds the message only when somebody does
   * (the capture path publishes every capture).
   */
  publish(message: ServerMessage | (() => ServerMessage), binId?: string): void;
  /** Registers a socket; it gets `hello` at once. */
  connect(client: HubClient): HubConnection;
  /** How many clients are connected. */
  readonly size: number;
  /** Stops the heartbeat and terminates every client. */
  close(): void;
}

/** Options of `createHub`. */
export interface HubOptions {
  version: string;
  /** How often clients get a heartbeat and a ping; one missed pong drops them. */
  heartbeatMs?: number;
  /**
   * A client whose queued bytes pass this bound is dropped rather than
   * buffered without end; it reconnects and refetches what it missed.
   */
  maxBufferedBytes?: number;
}

interface Member {
  client: HubClient;
  bins: Set<string>;
  all: boolean;
  alive: boolean;
}

/** Creates the hub. Its heartbeat timer does not keep the process alive. */
export function createHub(options: HubOptions): Hub {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const members = new Set<Member>();

  const drop = (m: Member) => {
    members.delete(m);
    m.client.terminate();
  };

  const deliver = (m: Member, data: string) => {
    if (!m.client.open) return;
    if (m.client.bufferedAmount > maxBuffered) {
      drop(m);
      return;
    }
    m.client.send(data);
  };

  const heartbeat = setInterval(() => {
    const data = JSON.stringify({ type: 'heartbeat' } satisfies ServerMessage);
    for (const m of members) {
      if (!m.alive) {
        drop(m);
        continue;
      }
      m.alive = false;
      m.client.ping();
      deliver(m, data);
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    publish(message, binId) {
      // Built by the first member that takes it: nothing is serialized when nobody listens.
      let data: string | undefined;
      for (const m of members) {
        if (binId !== undefined && !m.all && !m.bins.has(binId)) continue;
        data ??= JSON.stringify(typeof message === 'function' ? message() : message);
        deliver(m, data);
      }
    },
    connect(client) {
      const member: Member = { client, bins: new Set(), all: false, alive: true };
      members.add(member);
      deliver(member, JSON.stringify({ type: 'hello', version: options.version, heartbeatMs } satisfies ServerMessage));
      return {
        subscribe(bins) {
          member.all = bins.includes('*');
          member.bins = new Set(bins);
        },
        alive() {
          member.alive = true;
        },
        disconnect() {
          members.delete(member);
        },
      };
    },
    get size() {
      return members.size;
    },
    close() {
      clearInterval(heartbeat);
      for (const m of members) drop(m);
    },
  };
}
