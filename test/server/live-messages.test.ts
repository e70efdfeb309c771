/**
 * The live route's conversation, message by message, on a real server whose
 * hub beats every 100 ms: the first message of a socket without a token
 * (each malformed kind refused with its words), messages after joining, the
 * heartbeat's ping and pong, the hub forgetting closed sockets, and shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHub, type Hub } from '../../server/live/hub.js';
import { CLOSE_UNAUTHORIZED } from '../../server/live/route.js';
import { hostPolicy } from '../../server/http/security.js';
import { openStore, type Store } from '../../server/store/index.js';
import { waitFor } from '../support/helpers.js';
import { serveDeps, type ServedDeps } from '../support/serve-deps.js';

const TOKEN = 'live-messages-token';
const HEARTBEAT_MS = 100;
let store: Store;
let hub: Hub;
let served: ServedDeps;
let port: number;
const shutdown = new AbortController();

beforeAll(async () => {
  store = openStore({ file: null, maxCapturesPerBin: 10 });
  hub = createHub({ version: '0.0.0-test', heartbeatMs: HEARTBEAT_MS });
  served = await serveDeps({ store, hub, token: TOKEN, hosts: hostPolicy('127.0.0.1'), maxBody: 1024, webRoot: null, version: '0.0.0-test', shutdown: shutdown.signal });
  port = served.port;
});

afterAll(async () => {
  hub.close();
  await served.close();
  store.close();
});

/** A client socket: what it heard, and how it closed. */
async function client(opts: { token?: boolean; autoPong?: boolean } = {}) {
  const url = `ws://127.0.0.1:${port}/api/ws${opts.token ? `?token=${TOKEN}` : ''}`;
  const ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
  const heard: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => heard.push(JSON.parse(String(d)) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, heard, closed, of: (type: string) => heard.filter((m) => m.type === type) };
}

describe('a socket without a token: its first message', () => {
  const FIRST = 'unauthorized: the first message must be {"type":"auth","token":"<token>"}';
  it.each([['null'], ['42'], ['"auth"'], ['[]'], ['{"type":"auth"}'], ['{"type":"auth","token":1}'], ['{"token":"x"}'], ['{"type":"subscribe","bins":["*"]}'], ['not json']])(
    '%s is refused (4401) with what the first message must be',
    async (text) => {
      const c = await client();
      c.ws.send(text);
      expect(await c.closed).toEqual({ code: CLOSE_UNAUTHORIZED, reason: FIRST });
      expect(c.heard).toEqual([]);
    },
  );

  it('the auth message as a binary frame is refused too', async () => {
    const c = await client();
    c.ws.send(Buffer.from(JSON.stringify({ type: 'auth', token: TOKEN })), { binary: true });
    expect(await c.closed).toEqual({ code: CLOSE_UNAUTHORIZED, reason: FIRST });
  });

  it('a wrong token is refused saying so; the right one joins', async () => {
    const wrong = await client();
    wrong.ws.send(JSON.stringify({ type: 'auth', token: 'nope' }));
    expect(await wrong.closed).toEqual({ code: CLOSE_UNAUTHORIZED, reason: 'unauthorized: the token is wrong' });
    const right = await client();
    right.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    await waitFor(() => right.of('hello').length === 1, 2000, 'hello');
    right.ws.close();
    await right.closed;
  });

  it('a socket that leaves before its auth message is forgotten without harm', async () => {
    const before = hub.size;
    const c = await client();
    c.ws.close();
    await c.closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hub.size).toBe(before);
  });
});

describe('a joined socket', () => {
  it('with the token in its URL (a script) is greeted at once, without an auth message', async () => {
    const c = await client({ token: true });
    await waitFor(() => c.of('hello').length === 1, 2000, 'hello');
    c.ws.close();
    await c.closed;
  });

  it('gets an error message with its words for each bad message, and stays open', async () => {
    const c = await client({ token: true });
    c.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    c.ws.send('{not json');
    c.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    c.ws.send(JSON.stringify({ type: 'subscribe', bins: 'all' }));
    c.ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => c.of('pong').length === 1, 2000, 'pong');
    const errors = c.of('error');
    expect(errors.slice(0, 3)).toEqual([
      { type: 'error', code: 'bad_message', message: 'messages are JSON text' },
      { type: 'error', code: 'bad_message', message: 'the message is not valid JSON' },
      { type: 'error', code: 'bad_message', message: 'this socket is already authenticated' },
    ]);
    expect(errors[3]).toMatchObject({ type: 'error', code: 'bad_message' });
    expect(String(errors[3]!.message)).toMatch(/bins/);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
    await c.closed;
  });

  it('is pinged with each heartbeat and, answering, stays; one that never answers is dropped', async () => {
    const answering = await client({ token: true });
    const silent = await client({ token: true, autoPong: false });
    await waitFor(() => answering.of('heartbeat').length >= 4, 5000, 'four heartbeats');
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    expect((await silent.closed).code).toBe(1006);
    answering.ws.close();
    await answering.closed;
  });

  it('the hub forgets a socket that closed', async () => {
    const before = hub.size;
    const c = await client({ token: true });
    await waitFor(() => hub.size === before + 1, 2000, 'joined');
    c.ws.close();
    await c.closed;
    await waitFor(() => hub.size === before, 2000, 'forgotten');
  });
});

describe('shutdown', () => {
  it('drops sockets waiting for their auth message, and new ones at once', async () => {
    const waiting = await client();
    shutdown.abort();
    expect((await waiting.closed).code).toBe(1006);
    const late = await client().catch(() => null);
    if (late) expect((await late.closed).code).toBe(1006);
  });
});
