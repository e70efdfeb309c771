/**
 * The live feed: a WebSocket to `/api/ws` that never gives up. It subscribes
 * to the selected bin, pings every `heartbeatMs` (from `hello`) and treats
 * silence for twice that as a dead link; it reconnects with exponential
 * backoff (0.5 s doubling to 10 s, with jitter) and calls `resync` on every
 * (re)connect, so whatever happened while it was away is fetched over HTTP.
 * Its first message on every socket is `{type:'auth', token}`: the URL of a
 * WebSocket carries no token and the browser sends no credential of its own.
 */
import { CLOSE_UNAUTHORIZED, type ClientMessage, type ServerMessage } from '../../../server/common/types.js';
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
  const link = new LiveLink(opts);
  link.open();
  return link;
}

/** The state of one live feed, and a method per socket event (see connectLive). */
class LiveLink implements Live {
  private readonly WS: typeof WebSocket;
  private readonly url: string;
  private readonly token: () => string | null;
  private bins: string[] = [];
  private ws: WebSocket | null = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private deadTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private status: LiveStatus | null = null;

  constructor(private readonly opts: LiveOptions) {
    this.WS = opts.WebSocket ?? WebSocket;
    this.url = opts.url ?? liveUrl();
    this.token = opts.token ?? currentToken;
  }

  subscribe(next: string[]): void {
    this.bins = [...next];
    this.send({ type: 'subscribe', bins: this.bins });
  }

  poke(): void {
    // Only while waiting to retry: a socket that is opening is left to finish.
    if (!this.stopped && this.ws === null) {
      this.attempt = 0;
      this.open();
    }
  }

  stop(): void {
    this.stopped = true;
    this.discard();
  }

  restart(): void {
    this.discard();
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  /** Opens a socket (unless stopped) and wires its events to the methods below while it is the current one. */
  open(): void {
    if (this.stopped) return;
    this.clearTimers();
    this.setStatus(this.everOpened || this.attempt > 0 ? 'reconnecting' : 'connecting');
    let sock: WebSocket;
    try {
      sock = new this.WS(this.url);
    } catch {
      this.drop();
      return;
    }
    this.ws = sock;
    this.watch(CONNECT_TIMEOUT_MS);
    // Each handler first checks that its socket is still the current one (a dropped socket may still fire).
    sock.onopen = () => this.ws === sock && this.onOpen();
    sock.onmessage = (ev: MessageEvent) => this.ws === sock && this.onFrame(ev.data);
    sock.onclose = (ev: CloseEvent) => this.ws === sock && this.onClosed(ev.code);
    sock.onerror = () => this.ws === sock && this.drop();
  }

  private onOpen(): void {
    this.everOpened = true;
    this.watch(2 * this.heartbeatMs);
    this.startPing();
    // First, always, with the token of this moment: hookbin sends nothing and reads nothing else until it has it.
    this.send({ type: 'auth', token: this.token() ?? '' });
    this.send({ type: 'subscribe', bins: this.bins });
    void Promise.resolve()
      .then(() => this.opts.resync())
      .catch(() => undefined);
  }

  private onFrame(data: unknown): void {
    const msg = parseServerMessage(data);
    this.watch(2 * this.heartbeatMs);
    if (!msg) return;
    // A server that speaks is a good connection: the next failure starts the backoff afresh.
    this.attempt = 0;
    if (msg.type === 'hello') {
      // hookbin greets only a socket whose token it accepted: this is when the feed is live.
      this.setStatus('live');
      if (Number.isFinite(msg.heartbeatMs) && msg.heartbeatMs >= 100) {
        this.heartbeatMs = msg.heartbeatMs;
        this.watch(2 * this.heartbeatMs);
        this.startPing();
      }
    }
    this.opts.onMessage(msg);
  }

  private onClosed(code: number): void {
    if (code !== CLOSE_UNAUTHORIZED) return this.drop();
    // Retrying with the same token would be refused again: wait for a new one (`restart`).
    this.stop();
    this.opts.onUnauthorized?.();
  }

  private setStatus(s: LiveStatus): void {
    if (s === this.status) return;
    this.status = s;
    this.opts.onStatus(s);
  }

  private send(msg: ClientMessage): void {
    if (this.ws && this.ws.readyState === this.WS.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.deadTimer);
    clearInterval(this.pingTimer);
    this.retryTimer = this.deadTimer = this.pingTimer = undefined;
  }

  /** (Re)arms the watchdog: no frame for `ms` means the link is dead. */
  private watch(ms: number): void {
    clearTimeout(this.deadTimer);
    this.deadTimer = setTimeout(() => this.drop(), ms);
  }

  private startPing(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), this.heartbeatMs);
  }

  /** Detaches and closes the current socket, if any, and clears the timers. */
  private discard(): void {
    const old = this.ws;
    this.ws = null;
    this.clearTimers();
    if (!old) return;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // already closed
    }
  }

  /** Abandons the current socket (whatever state it is in) and schedules a reconnect. */
  private drop(): void {
    this.discard();
    if (this.stopped) return;
    this.setStatus('reconnecting');
    this.retryTimer = setTimeout(() => this.open(), backoffDelay(this.attempt++, this.opts.random));
  }
}
