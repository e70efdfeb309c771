import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../server/main/config.js';
import { afterAll, beforeAll, expect } from 'vitest';
import WebSocket from 'ws';
import { start, type Running } from '../../server/main/start.js';
import type { ServerMessage } from '../../server/common/types.js';

/** The built inspector; tests run the server from source, so they name it. */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));
/** The compiled CLI entry, as `npx hookbin` runs it. */
export const BIN_JS = fileURLToPath(new URL('../../bin/hookbin.js', import.meta.url));

/**
 * The token every test server of this test file uses. Random per file (each
 * file loads this module afresh): a live client left reconnecting by another
 * file, to a port the OS has since handed to this file's server, is then
 * refused instead of being counted as this file's listener.
 */
export const TOKEN = `test-token-${randomBytes(8).toString('hex')}`;

const dirs: string[] = [];

/** A fresh temp directory, removed by `cleanupTempDirs`. */
export function tempDir(prefix = 'hookbin-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Removes every temp directory made by `tempDir`. */
export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A test configuration: port 0, loopback, a temp data dir, the test token. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir: overrides.dataDir ?? tempDir(),
    memory: false,
    token: TOKEN,
    secrets: [],
    open: false,
    maxBody: 25 * 1024 * 1024,
    maxCaptures: 10_000,
    maxDbSize: 2 * 1024 ** 3,
    forward: null,
    forwardRelay: false,
    ...overrides,
  };
}

/** A real hookbin on a free port with a real SQLite file, plus helpers to call it. */
export interface TestServer extends Running {
  /** fetch against the server with the token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** fetch against the server without a token. */
  raw(path: string, init?: RequestInit): Promise<Response>;
  /** The id of the bin made on first start. */
  defaultBinId: string;
}

/**
 * One real server for a whole test file: started before its tests, closed
 * (and temp dirs removed) after them. Returns a getter, since the server
 * exists only once the file's tests run.
 */
export function useServer(overrides: Partial<Config> = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer(overrides);
  });
  afterAll(async () => {
    await server?.close();
    cleanupTempDirs();
  });
  return () => {
    if (!server) throw new Error('useServer: the server starts in beforeAll; call the getter inside a test');
    return server;
  };
}

/** Starts the real server (from source) as the CLI would. Close it with `close()`. */
export async function startServer(overrides: Partial<Config> = {}, now?: () => number): Promise<TestServer> {
  const running = await start(testConfig(overrides), { webRoot: WEB_ROOT, now });
  return Object.assign(running, {
    defaultBinId: running.binUrl.split('/b/')[1]!,
    api: (path: string, init: RequestInit = {}) =>
      fetch(running.origin + path, {
        ...init,
        headers: { authorization: `Bearer ${running.token}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    raw: (path: string, init?: RequestInit) => fetch(running.origin + path, init),
  });
}

/**
 * Sends raw bytes on a new TCP connection and resolves with everything the
 * server wrote back before it closed the connection (or `timeoutMs` passed).
 * For requests no HTTP client would send as they are: header case, duplicates, bad framing.
 */
export function rawExchange(port: number, request: Buffer | string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (chunks.length) resolve(Buffer.concat(chunks));
      else reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(request);
  });
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A real ws client on `/api/ws` that records every message; `opened` is 101 or the refusal status. */
export async function connectLive(server: TestServer, opts: { token?: string | null; origin?: string } = {}) {
  const token = opts.token === undefined ? server.token : opts.token;
  const url = `${server.origin.replace('http', 'ws')}/api/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  const ws = new WebSocket(url, { headers: opts.origin ? { origin: opts.origin } : {} });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  const opened = await new Promise<number>((resolve) => {
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
  const of = <T extends ServerMessage['type']>(type: T) => messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  return { ws, messages, opened, of };
}

/** The JSON of a response, after checking its status (200 unless told); the body is in the failure message. */
export async function expectJson<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Asserts the status and that the body is exactly `{error:{code,message}}` with a non-empty message. */
export async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: unknown; message: unknown } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect((body.error.message as string).length).toBeGreaterThan(0);
  return body.error.message as string;
}
