/**
 * The inspector's live feed client (web/src/api/live.ts) against a fake socket:
 * what it sends first on every socket (the token), and what a close for a
 * wrong token (4401) does. The real server's side is test/server/live.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_UNAUTHORIZED, type ClientMessage } from '../../server/common/types.js';
import { connectLive, type LiveStatus } from '../../web/src/api/live.js';

/** A WebSocket the test drives: it records what the client sends and fires the events the test asks for. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: ClientMessage[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close(): void {
    this.closed = true;
    this.readyState = FakeSocket.CLOSED;
  }
  /** The server accepted the connection. */
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  /** The server closed it with `code`. */
  serverClose(code: number): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code });
  }
}

function start(token: () => string | null) {
  const statuses: LiveStatus[] = [];
  const onUnauthorized = vi.fn();
  const resync = vi.fn();
  const live = connectLive({
    url: 'ws://hookbin.test/api/ws',
    onMessage: () => undefined,
    onStatus: (s) => statuses.push(s),
    resync,
    token,
    onUnauthorized,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    random: () => 0,
  });
  return { live, statuses, onUnauthorized, resync };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connectLive: the token on the socket', () => {
  it('sends auth with the token as the very first frame, before subscribe', () => {
    const { live } = start(() => 'tok-1');
    live.subscribe(['a']);
    const sock = FakeSocket.all[0]!;
    expect(sock.sent).toEqual([]);
    sock.open();
    expect(sock.sent).toEqual([
      { type: 'auth', token: 'tok-1' },
      { type: 'subscribe', bins: ['a'] },
    ]);
    live.stop();
  });

  it('sends auth again, with the token of that moment, on a reconnect', () => {
    let token = 'tok-1';
    const { live } = start(() => token);
    FakeSocket.all[0]!.open();
    token = 'tok-2';
    // The link drops (not for the token): the client retries after its backoff.
    FakeSocket.all[0]!.serverClose(1006);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(2);
    const again = FakeSocket.all[1]!;
    again.open();
    expect(again.sent[0]).toEqual({ type: 'auth', token: 'tok-2' });
    expect(again.sent[1]).toEqual({ type: 'subscribe', bins: [] });
    live.stop();
  });

  it('on a 4401 close calls onUnauthorized and sets no retry timer; restart connects again with the new token', () => {
    let token: string | null = 'wrong';
    const { live, onUnauthorized } = start(() => token);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.serverClose(CLOSE_UNAUTHORIZED);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    // No retry (nor ping, nor watchdog) is pending: the same token would be refused again.
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    live.poke();
    expect(FakeSocket.all).toHaveLength(1);
    // A new token arrived (another tab, a checked link): the feed starts afresh with it.
    token = 'right';
    live.restart();
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.open();
    expect(FakeSocket.all[1]!.sent[0]).toEqual({ type: 'auth', token: 'right' });
    live.stop();
  });
});
