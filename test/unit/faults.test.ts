/**
 * How `waitOut` waits (carryOut waits so before it answers): a delay or a
 * hang ends when its time is up, when the client's socket closes, or at
 * shutdown, and cleans up after itself. Fake timers say when a wait ends
 * without timing anything; the sockets are real.
 */
import { getEventListeners } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitOut } from '../../server/capture/faults.js';
import type { CaptureResponse } from '../../server/common/types.js';

const answer = (over: Partial<CaptureResponse> = {}): CaptureResponse => ({ status: 200, headers: [], body: 'ok', delayMs: 0, fault: null, reason: 'default', ...over });

/** Settles `promise` into a flag, so a test can ask whether it has settled yet. */
function track<T>(promise: Promise<T>): { done: () => boolean; value: Promise<T> } {
  let settled = false;
  void promise.finally(() => (settled = true)).catch(() => {});
  return { done: () => settled, value: promise };
}

/** Lets pending promise callbacks run (fake timers do not stop microtasks). */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('waitOut (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a delay ends when its time is up, not before', async () => {
    const r = track(waitOut(answer({ delayMs: 1000 }), {}));
    await vi.advanceTimersByTimeAsync(999);
    expect(r.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.done()).toBe(true);
  });

  it('a hang with a delay lasts hangMs in all, the delay included', async () => {
    const r = track(waitOut(answer({ status: null, fault: 'hang', delayMs: 200 }), { hangMs: 500 }));
    await vi.advanceTimersByTimeAsync(499);
    expect(r.done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.done()).toBe(true);
  });

  it('a hang with a delay longer than hangMs ends with the delay', async () => {
    const r = track(waitOut(answer({ status: null, fault: 'hang', delayMs: 800 }), { hangMs: 500 }));
    await vi.advanceTimersByTimeAsync(799);
    expect(r.done()).toBe(false);
    // The delay is over and so is the bound: the hang waits no more (a zero-length timer).
    await vi.advanceTimersByTimeAsync(2);
    expect(r.done()).toBe(true);
  });

  it('without hangMs a hang lasts until shutdown, which ends it and removes its listener', async () => {
    const shutdown = new AbortController();
    const r = track(waitOut(answer({ status: null, fault: 'hang' }), { shutdown: shutdown.signal }));
    await vi.advanceTimersByTimeAsync(24 * 3600 * 1000);
    expect(r.done()).toBe(false);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    shutdown.abort();
    await flush();
    expect(r.done()).toBe(true);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('a delay that ends on time removes its shutdown listener', async () => {
    const shutdown = new AbortController();
    const r = waitOut(answer({ delayMs: 10 }), { shutdown: shutdown.signal });
    await vi.advanceTimersByTimeAsync(10);
    await r;
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('after shutdown has begun, a delay does not wait at all', async () => {
    const shutdown = new AbortController();
    shutdown.abort();
    const r = track(waitOut(answer({ delayMs: 600_000 }), { shutdown: shutdown.signal }));
    await flush();
    expect(r.done()).toBe(true);
  });
});

describe('waitOut on a real socket', () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];
  const clients: Socket[] = [];

  beforeEach(async () => {
    server = createServer((s) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const s of [...accepted, ...clients]) s.destroy();
    accepted.length = 0;
    clients.length = 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The server's side of a fresh connection, and the client's. */
  async function pair(): Promise<{ socket: Socket; client: Socket }> {
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    clients.push(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await vi.waitFor(() => expect(accepted.length).toBe(clients.length));
    return { socket: accepted.at(-1)!, client };
  }

  it('a delay ends when the client leaves, and its timer and close listener go with it', async () => {
    const { socket, client } = await pair();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const before = socket.listenerCount('close');
      const r = waitOut(answer({ delayMs: 600_000 }), { socket });
      expect(socket.listenerCount('close')).toBe(before + 1);
      expect(vi.getTimerCount()).toBe(1);
      client.destroy();
      await r;
      expect(socket.listenerCount('close')).toBe(before);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a delay that ends on time removes its close listener from the socket', async () => {
    const { socket } = await pair();
    const before = socket.listenerCount('close');
    await waitOut(answer({ delayMs: 5 }), { socket });
    expect(socket.listenerCount('close')).toBe(before);
  });

  it('a socket already gone does not wait at all', async () => {
    const { socket } = await pair();
    socket.destroy();
    // It resolves at once: a 600 s timer would outlast the test.
    await waitOut(answer({ delayMs: 600_000 }), { socket });
  });
});
