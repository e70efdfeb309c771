import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { newBinId, newToken } from './ids.js';
import { hostPolicy } from './security.js';
import { createHub, type Hub } from './hub.js';
import { MAX_CLIENT_MESSAGE } from './live.js';
import { defaultSettings } from './settings.js';
import { openStore, type Store } from './store.js';
import { reverifyIfSecretsChanged } from './signatures.js';
import { VERSION } from './version.js';
import { createForwarder } from './forward.js';
import { createSender, type Sender } from './send.js';
import { outboxSummaryJson } from './send-api.js';

/** The built inspector next to the compiled server (`dist/server` → `dist/web`). */
export const BUILT_WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/** A start failure the CLI reports as one sentence. */
export class StartError extends Error {}

/** Options of `start` beyond the user's configuration. */
export interface StartOptions {
  /** Absolute path of the built inspector; defaults to `BUILT_WEB_ROOT` (right for the compiled server only). */
  webRoot?: string | null;
  /** The clock; tests inject their own. */
  now?: () => number;
  /** How long a client may take to send its headers, and its whole request (ms); see `DEFAULT_TIMEOUTS`. */
  timeouts?: { headersMs: number; requestMs: number };
}

/**
 * Slow senders hold sockets open; these bound how long. The body timeout is
 * generous: a 25 MiB body through a slow tunnel takes minutes.
 */
export const DEFAULT_TIMEOUTS = { headersMs: 20_000, requestMs: 300_000 };

/** A running hookbin. */
export interface Running {
  /** `http://host:port`, with the real port. */
  origin: string;
  port: number;
  token: string;
  /** The inspector URL with the token, as the banner prints it. */
  inspectorUrl: string;
  /** The URL of the oldest bin (created on first start). */
  binUrl: string;
  /** The database file, or null with `--memory`. */
  dbFile: string | null;
  store: Store;
  hub: Hub;
  server: Server;
  /** The outbound engine (send, resend, retries). */
  sender: Sender;
  /** How many pending deliveries were resumed from the outbox at start. */
  resumed: number;
  /**
   * Settles when stored verdicts agree with the configured global secrets
   * (re-judged in the background after a change); resolves to how many
   * captures were re-judged.
   */
  reverified: Promise<number>;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the database. */
  close(graceMs?: number): Promise<void>;
}

function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new StartError(`cannot write to the data dir ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose another with --data-dir or use --memory`);
  }
}

/** The token kept in the data dir, made (mode 0600) on first start. */
function loadOrCreateToken(dir: string): string {
  const file = join(dir, 'token');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new StartError(`port ${port} is already in use; choose another with --port (or --port 0 for a free one)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new StartError(`cannot listen on host ${host}: it is not an address of this machine`));
      else if (err.code === 'EACCES') reject(new StartError(`no permission to listen on port ${port}; use a port above 1023`));
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Opens the store, makes sure one bin exists, and serves the app. Throws
 * `StartError` for a port in use or an unwritable data dir.
 */
export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  let dbFile: string | null = null;
  if (!config.memory) {
    prepareDataDir(config.dataDir);
    dbFile = join(config.dataDir, 'hookbin.db');
  }
  let store: Store;
  try {
    store = openStore({ file: dbFile, maxCapturesPerBin: config.maxCaptures, maxDbBytes: config.maxDbSize });
  } catch (err) {
    throw new StartError(`cannot open the database ${dbFile}: ${(err as Error).message}`);
  }
  try {
    const token = config.token ?? (config.memory ? newToken() : loadOrCreateToken(config.dataDir));
    const now = options.now ?? Date.now;
    if (store.listBins().length === 0) {
      const id = newBinId();
      store.createBin({ id, name: 'default', createdAt: now(), settings: defaultSettings() });
    }
    const hub = createHub({ version: VERSION });
    const shutdown = new AbortController();
    const globalForward = config.forward === null ? null : { url: config.forward, relay: config.forwardRelay, insecure: config.forwardInsecure === true };
    const forwarder = createForwarder({
      store,
      global: globalForward,
      shutdown: shutdown.signal,
      now,
      publish: (message, binId) => hub.publish(message, binId),
    });
    const sender = createSender({
      store,
      now,
      onUpdate: (delivery) => hub.publish({ type: 'outbox.updated', delivery: outboxSummaryJson(delivery) }),
    });
    const app = createApp({
      store,
      hub,
      token,
      hosts: hostPolicy(config.host),
      maxBody: config.maxBody,
      webRoot: options.webRoot === undefined ? BUILT_WEB_ROOT : options.webRoot,
      version: VERSION,
      now,
      globalSecrets: config.secrets,
      shutdown: shutdown.signal,
      sender,
      forwarder,
      globalForward,
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });
    const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    const server = createAdaptorServer({
      fetch: app.fetch,
      websocket: { server: wss },
      // Node only checks the timeouts below this often (default 30 s).
      serverOptions: { connectionsCheckingInterval: Math.min(1000, timeouts.headersMs) },
    }) as Server;
    server.headersTimeout = timeouts.headersMs;
    server.requestTimeout = timeouts.requestMs;
    const port = await listen(server, config.port, config.host);
    const origin = `http://${displayHost(config.host)}:${port}`;
    const firstBin = store.listBins()[0]!;
    // Only once listening: a pending delivery may target one of this hookbin's own bins.
    const resumed = sender.resume();
    // Captures keep flowing while old verdicts are re-judged in batches.
    const reverified = reverifyIfSecretsChanged(store, config.secrets).then((n) => {
      if (n > 0) hub.publish({ type: 'captures.reverified', binId: null });
      return n;
    });
    // A failure here (e.g. the store closed mid-way) must not crash the process.
    const settled = reverified.catch(() => 0);
    let closing: Promise<void> | undefined;
    return {
      origin,
      port,
      token,
      inspectorUrl: `${origin}/?token=${encodeURIComponent(token)}`,
      binUrl: `${origin}/b/${firstBin.id}`,
      dbFile,
      store,
      hub,
      server,
      sender,
      resumed,
      reverified: settled,
      close(graceMs = 10_000) {
        // Live sockets never end by themselves; drop them so close() can finish.
        hub.close();
        // Delayed answers go out now; hung requests are let go.
        shutdown.abort();
        // The sender stops its timers and drops attempts in flight at once (they are
        // made again after a restart); forwards in flight end with the shutdown signal.
        closing ??= Promise.all([closeServer(server, graceMs), sender.close()])
          .then(() => forwarder.idle())
          .then(() => settled)
          .then(() => store.close());
        return closing;
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
