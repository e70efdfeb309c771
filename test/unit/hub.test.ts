import { describe, expect, it, vi } from 'vitest';
import { createHub, type HubClient } from '../../server/live/hub.js';
import type { ServerMessage } from '../../server/common/types.js';

/** An in-memory socket: records what it was sent; its buffer level is set by the test. */
function socket(bufferedAmount = 0) {
  const sent: ServerMessage[] = [];
  const s = {
    open: true,
    bufferedAmount,
    pings: 0,
    terminated: false,
    sent,
    send(data: string) {
      sent.push(JSON.parse(data) as ServerMessage);
    },
    ping() {
      s.pings++;
    },
    terminate() {
      s.terminated = true;
      s.open = false;
    },
  };
  return s satisfies HubClient;
}

const created = (binId: string): ServerMessage => ({
  type: 'capture.created',
  pruned: 0,
  capture: {
    id: `c-${binId}`,
    binId,
    receivedAt: new Date(0).toISOString(),
    method: 'POST',
    path: '',
    query: '',
    contentType: null,
    bodySize: 0,
    truncated: false,
    remoteAddress: null,
    status: 200,
    fault: null,
    delayMs: 0,
    verdict: null,
    event: { key: 'k', type: null, attempt: 1 },
    provider: null,
  },
});

describe('hub', () => {
  it('sends a client that has not subscribed no bin\'s captures, only what is for everyone', () => {
    const hub = createHub({ version: '9.9.9', heartbeatMs: 60_000 });
    const quiet = socket();
    hub.connect(quiet);
    hub.publish(created('one'), 'one');
    hub.publish({ type: 'bin.deleted', binId: 'zzz' });
    expect(quiet.sent.map((m) => m.type)).toEqual(['hello', 'bin.deleted']);
  });

  it('greets a new client and routes capture events by subscription', () => {
    const hub = createHub({ version: '9.9.9', heartbeatMs: 60_000 });
    const a = socket();
    const b = socket();
    const all = socket();
    hub.connect(a).subscribe(['one']);
    hub.connect(b).subscribe(['two']);
    hub.connect(all).subscribe(['*']);
    expect(a.sent[0]).toEqual({ type: 'hello', version: '9.9.9', heartbeatMs: 60_000 });

    hub.publish(created('one'), 'one');
    hub.publish({ type: 'bin.deleted', binId: 'zzz' });
    expect(a.sent.map((m) => m.type)).toEqual(['hello', 'capture.created', 'bin.deleted']);
    expect(b.sent.map((m) => m.type)).toEqual(['hello', 'bin.deleted']);
    expect(all.sent.map((m) => m.type)).toEqual(['hello', 'capture.created', 'bin.deleted']);
    hub.close();
  });

  it('does not serialize when nobody listens', () => {
    const hub = createHub({ version: '1', heartbeatMs: 60_000 });
    let serialized = 0;
    const message = { type: 'bin.deleted', binId: 'x', toJSON: () => (serialized++, { type: 'bin.deleted', binId: 'x' }) };
    hub.publish(message as unknown as ServerMessage);
    expect(serialized).toBe(0);
    hub.connect(socket());
    hub.publish(message as unknown as ServerMessage);
    expect(serialized).toBe(1);
    hub.close();
  });

  it('sends only to open sockets', () => {
    const hub = createHub({ version: '1', heartbeatMs: 60_000 });
    const closed = socket();
    hub.connect(closed).subscribe(['*']);
    closed.open = false;
    hub.publish({ type: 'bin.deleted', binId: 'x' });
    expect(closed.sent.map((m) => m.type)).toEqual(['hello']);
    hub.close();
  });

  it('drops a slow client instead of buffering without end', () => {
    const hub = createHub({ version: '1', heartbeatMs: 60_000, maxBufferedBytes: 1000 });
    const slow = socket();
    const fast = socket();
    hub.connect(slow).subscribe(['*']);
    hub.connect(fast).subscribe(['*']);
    slow.bufferedAmount = 5000;
    hub.publish({ type: 'bin.deleted', binId: 'x' });
    expect(slow.terminated).toBe(true);
    expect(fast.terminated).toBe(false);
    expect(hub.size).toBe(1);
    expect(fast.sent.map((m) => m.type)).toEqual(['hello', 'bin.deleted']);
    hub.close();
  });

  it('keeps a client whose queue is at the bound, drops one a byte past it', () => {
    const hub = createHub({ version: '1', heartbeatMs: 60_000, maxBufferedBytes: 1000 });
    const at = socket(1000);
    const past = socket(1001);
    hub.connect(at).subscribe(['*']);
    hub.connect(past).subscribe(['*']);
    hub.publish({ type: 'bin.deleted', binId: 'x' });
    expect([at.terminated, past.terminated]).toEqual([false, true]);
    expect(at.sent.map((m) => m.type)).toEqual(['hello', 'bin.deleted']);
    hub.close();
  });

  it('heartbeats, and drops a client that missed a pong', () => {
    vi.useFakeTimers();
    try {
      const hub = createHub({ version: '1', heartbeatMs: 20 });
      const quiet = socket();
      const lively = socket();
      hub.connect(quiet);
      const conn = hub.connect(lively);
      for (let i = 0; i < 4; i++) {
        vi.advanceTimersByTime(20);
        conn.alive(); // the pong to this round's ping
      }
      expect(quiet.terminated).toBe(true);
      expect(lively.terminated).toBe(false);
      expect(lively.pings).toBe(4);
      expect(lively.sent.filter((m) => m.type === 'heartbeat')).toHaveLength(4);
      hub.close();
      expect(lively.terminated).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets a disconnected client', () => {
    const hub = createHub({ version: '1', heartbeatMs: 60_000 });
    const s = socket();
    const conn = hub.connect(s);
    conn.disconnect();
    conn.disconnect();
    expect(hub.size).toBe(0);
    hub.publish({ type: 'bin.deleted', binId: 'x' });
    expect(s.sent.map((m) => m.type)).toEqual(['hello']);
    hub.close();
  });
});
