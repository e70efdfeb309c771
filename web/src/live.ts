/**
 * The live feed: a WebSocket to `/api/ws` that never gives up. It subscribes
 * to the selected bin, pings every `heartbeatMs` (from `hello`) and treats
 * silence for twice that as a dead link; it reconnects with exponential
 * backoff (0.5 s doubling to 10 s, with jitter) and calls `resync` on every
 * (re)connect, so whatever happened while it was away is fetched over HTTP.
 * Its first message on every socket is `{type:'auth', token}`: the URL of a
 * WebSocket carries no token and the browser sends no credential of its own.
 */
import { CLOSE_UNAUTHORIZED, type ClientMessage, type ServerMessage } from '../../server/types.js';
import { currentToken } from './token.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
/** Assumed until `hello` says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A socket that has not opened after this long is given up and retried. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The wait before reconnect attempt `attempt` (0-based): 0.5 s, 1 s, 2 s …
 * capped at 10 s, each between 50 % and 100 % of that (jitter spreads a
 * crowd of tabs reconnecting to a restarted server).
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, Math.min(attempt, 20)));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** `ws://host/api/ws` or `wss://…`, from the page's own origin. */
export function liveUrl(loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/ws`;
}

/** Parses a frame into a server message, or null for anything else. */
export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const msg = JSON.parse(data) as unknown;
    return msg !== null && typeof msg === 'object' && typeof (msg as { type?: unknown }).type === 'string' ? (msg as ServerMessage) : null;
  } catch {
    return null;
  }
}

export interface LiveOptions {
  url?: string;
  onMessage(msg: ServerMessage): void;
  onStatus(status: LiveStatus): void;
  /** Called on every open, after the subscription is sent. */
  resync(): void | Promise<unknown>;
  /** The token for the `auth` message (default: the stored one). */
  token?: () => string | null;
  /** Called when hookbin closes the socket for a wrong or missing token (4401). */
  onUnauthorized?: () => void;
  /** For tests. */
  WebSocket?: typeof WebSocket;
  random?: () => number;
}

export interface Live {
  /** Replaces the set of subscribed bins (sent now when open, and on every reconnect). */
  subscribe(bins: string[]): void;
  /** Reconnects now if the link is down (e.g. the network came back). */
  poke(): void;
  /** Closes the link and stops retrying (until `restart`). */
  stop(): void;
  /** After `stop` (or at any time), connects afresh with the current token: a new token arrived. */
  restart(): void;
}

/**
 * Opens the live feed and keeps it open: every socket sends `auth` (with the
 * token of that moment) then `subscribe` first; a close for a wrong token
 * (4401) calls `onUnauthorized` and, like `stop`, retries no more.
 */
export function connectLive(opts: LiveOptions): Live {
  const WS = opts.WebSocket ?? WebSocket;
  const url = opts.url ?? liveUrl();
  const token = opts.token ?? currentToken;
  let bins: string[] = [];
  let ws: WebSocket | null = null;
  let attempt = 0;
  let everOpened = false;
  let stopped = false;
  let heartbeatMs = DEFAULT_HEARTBEAT_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let deadTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let status: LiveStatus | null = null;

  function setStatus(s: LiveStatus): void {
    if (s !== status) {
      status = s;
      opts.onStatus(s);
    }
  }

  function send(msg: ClientMessage): void {
    if (ws && ws.readyState === WS.OPEN) ws.send(JSON.stringify(msg));
  }

  function clearTimers(): void {
    clearTimeout(retryTimer);
    clearTimeout(deadTimer);
    clearInterval(pingTimer);
    retryTimer = deadTimer = pingTimer = undefined;
  }

  /** (Re)arms the watchdog: no frame for `ms` means the link is dead. */
  function watch(ms: number): void {
    clearTimeout(deadTimer);
    deadTimer = setTimeout(drop, ms);
  }

  function startPing(): void {
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: 'ping' }), heartbeatMs);
  }

  /** Detaches and closes the current socket, if any, and clears the timers. */
  function discard(): void {
    const old = ws;
    ws = null;
    clearTimers();
    if (!old) return;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // already closed
    }
  }

  /** Abandons the current socket (whatever state it is in) and schedules a reconnect. */
  function drop(): void {
    discard();
    if (stopped) return;
    setStatus('reconnecting');
    retryTimer = setTimeout(open, backoffDelay(attempt++, opts.random));
  }

  function onOpen(): void {
    everOpened = true;
    watch(2 * heartbeatMs);
    startPing();
    // First, always, with the token of this moment: hookbin sends nothing and reads nothing else until it has it.
    send({ type: 'auth', token: token() ?? '' });
    send({ type: 'subscribe', bins });
    void Promise.resolve()
      .then(() => opts.resync())
      .catch(() => undefined);
  }

  function onFrame(data: unknown): void {
    const msg = parseServerMessage(data);
    watch(2 * heartbeatMs);
    if (!msg) return;
    // A server that speaks is a good connection: the next failure starts the backoff afresh.
    attempt = 0;
    if (msg.type === 'hello') {
      // hookbin greets only a socket whose token it accepted: this is when the feed is live.
      setStatus('live');
      if (Number.isFinite(msg.heartbeatMs) && msg.heartbeatMs >= 100) {
        heartbeatMs = msg.heartbeatMs;
        watch(2 * heartbeatMs);
        startPing();
      }
    }
    opts.onMessage(msg);
  }

  function onClosed(code: number): void {
    if (code === CLOSE_UNAUTHORIZED) {
      // Retrying with the same token would be refused again: wait for a new one (`restart`).
      stopped = true;
      discard();
      opts.onUnauthorized?.();
      return;
    }
    drop();
  }

  function open(): void {
    if (stopped) return;
    clearTimers();
    setStatus(everOpened || attempt > 0 ? 'reconnecting' : 'connecting');
    let sock: WebSocket;
    try {
      sock = new WS(url);
    } catch {
      drop();
      return;
    }
    ws = sock;
    watch(CONNECT_TIMEOUT_MS);
    // Each handler first checks that its socket is still the current one (a dropped socket may still fire).
    sock.onopen = () => ws === sock && onOpen();
    sock.onmessage = (ev: MessageEvent) => ws === sock && onFrame(ev.data);
    sock.onclose = (ev: CloseEvent) => ws === sock && onClosed(ev.code);
    sock.onerror = () => ws === sock && drop();
  }

  open();

  return {
    subscribe(next) {
      bins = [...next];
      send({ type: 'subscribe', bins });
    },
    poke() {
      // Only while waiting to retry: a socket that is opening is left to finish.
      if (!stopped && ws === null) {
        attempt = 0;
        open();
      }
    },
    stop() {
      stopped = true;
      discard();
    },
    restart() {
      discard();
      stopped = false;
      attempt = 0;
      open();
    },
  };
}
