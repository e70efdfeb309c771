/**
 * A local "developer's app" for the sender and forward tests: a real
 * node:http server that records every request as it arrived (raw header
 * pairs, exact body bytes, time) and answers as the test says.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { afterEach } from 'vitest';
import type { HeaderPair } from '../../server/common/types.js';

/** One request as the target received it. */
export interface Received {
  method: string;
  /** The raw request target (path and query). */
  url: string;
  headers: HeaderPair[];
  body: Buffer;
  /** ms since the epoch, when the request's body was complete. */
  at: number;
}

/** How the target answers request number `n` (1-based). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string | Buffer } | 'hang' | 'reset';

export interface TestTarget {
  /** `http://127.0.0.1:port` */
  origin: string;
  port: number;
  requests: Received[];
  /** Replaces how it answers. */
  answer: (fn: (req: Received, n: number) => Answer) => void;
  close(): Promise<void>;
}

/**
 * Starts a target on a free port; it answers 200 `ok` until told otherwise.
 * With `tls`, it speaks https with a self-signed certificate for localhost and
 * 127.0.0.1 (test/support/fixtures/self-signed.*), as a developer's local app might.
 */
export async function startTarget(
  fn: (req: Received, n: number) => Answer = () => ({ status: 200, body: 'ok' }),
  options: { tls?: boolean } = {},
): Promise<TestTarget> {
  let answer = fn;
  const requests: Received[] = [];
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: HeaderPair[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const received: Received = { method: req.method ?? '', url: req.url ?? '', headers, body: Buffer.concat(chunks), at: Date.now() };
      requests.push(received);
      const a = answer(received, requests.length);
      if (a === 'hang') return;
      if (a === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: readFileSync(new URL('./fixtures/self-signed.key', import.meta.url)), cert: readFileSync(new URL('./fixtures/self-signed.crt', import.meta.url)) }, handler)
    : createServer(handler);
  server.on(options.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    answer: (f) => {
      answer = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released), for refused connections. */
export async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** For a test file: a `startTarget` whose targets are all closed after each test. */
export function useTargets(): (...args: Parameters<typeof startTarget>) => Promise<TestTarget> {
  const targets: TestTarget[] = [];
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((t) => t.close()));
  });
  return async (...args) => {
    const t = await startTarget(...args);
    targets.push(t);
    return t;
  };
}
