import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createApp, createBinHandler, createIngressApp, type AppDeps } from '../http/app.js';
import type { Config } from './config.js';
import { newBinId, newToken } from '../store/ids.js';
import { hostPolicy } from '../http/security.js';
import { createHub, type Hub } from '../live/hub.js';
import { MAX_CLIENT_MESSAGE } from '../live/route.js';
import { defaultSettings, MAX_DELAY_MS } from '../capture/settings.js';
import { openStore, type Store } from '../store/index.js';
import { reverifyIfSecretsChanged } from '../capture/verdicts.js';
import { VERSION } from './version.js';
import { createForwarder, type Forwarder } from '../outbound/forward.js';
import { createSender, type Sender } from '../outbound/sender.js';
import { outboxSummaryJson } from '../http/present.js';
import { StartError } from '../http/errors.js';
import { closeListener, createListener, listen, type Listener, type Timeouts } from './listener.js';
import { lockDataDir, type DataDirLock } from './datadir-lock.js';

export { StartError };

/**
 * The built inspector beside the compiled server: `dist/web`, one folder up
 * from the bundle (`dist/server/*.mjs`, which the CLI and the Node API run) and two from
 * this compiled module (`dist/server/main/start.js`).
 */
export const BUILT_WEB_ROOT = fileURLToPath(
  [new URL('../web/', import.meta.url), new URL('../../web/', import.meta.url)].find((dir) => existsSync(new URL('index.html', dir))) ??
    new URL('../web/', import.meta.url),
);

/** Options of `start` beyond the user's configuration. */
export interface StartOptions {
  /** Absolute path of the built inspector; defaults to `BUILT_WEB_ROOT` (right for the compiled server only). */
  webRoot?: string | null;
  /** The clock; tests inject their own. */
  now?: () => number;
  /** How long a sender may hold a socket (ms), each defaulting to `DEFAULT_TIMEOUTS`; tests inject small ones. */
  timeouts?: Partial<Timeouts>;
}

/**
 * How long an anonymous sender may hold a socket, the one place these are set:
 * - `headersMs`: 20 s to send the headers.
 * - `requestMs`: 5 min for the whole request: a 25 MiB body through a slow tunnel takes minutes.
 * - `hangMs`: a `hang` bin holds a request 10 min (`MAX_DELAY_MS`), far past any
 *   provider's own timeout, then resets the connection; a sender that never gives
 *   up no longer holds its socket forever.
 * - `idleMs`: a socket with a request in progress on which no byte moves either way
 *   for 11 min (a client that never reads a large answer) is destroyed. It exceeds the
 *   longest delay a bin may answer with (`MAX_DELAY_MS`, no bytes move meanwhile) and
 *   `requestMs` (a slow body is cut by that bound, not this one) by a margin.
 *   Between requests an idle keep-alive socket goes after Node's `keepAliveTimeout` (5 s).
 */
export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 20_000,
  requestMs: 300_000,
  hangMs: MAX_DELAY_MS,
  idleMs: MAX_DELAY_MS + 60_000,
};

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
  /** `--ingress-port`: the real port of the bins-only listener, or null without one. */
  ingressPort: number | null;
  /** `http://host:ingressPort`, or null without an ingress listener. */
  ingressOrigin: string | null;
  /** The oldest bin's URL on the ingress listener (the one to give a tunnel), or null. */
  ingressBinUrl: string | null;
  /** The database file, or null with `--memory`. */
  dbFile: string | null;
  store: Store;
  hub: Hub;
  server: Server;
  /** The bins-only server of `--ingress-port`, or null. */
  ingressServer: Server | null;
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
  /**
   * Stops accepting, lets in-flight requests finish (up to `graceMs`, then
   * every socket left is destroyed, upgraded ones too), closes the database
   * and lets the data dir go.
   */
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

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The store and the hold on its data dir (none with `--memory`). */
interface OpenedData {
  store: Store;
  lock: DataDirLock | null;
  dbFile: string | null;
}

/** Takes the data dir (before the database is touched) and opens the store in it, or in memory. */
function openData(config: Config): OpenedData {
  let dbFile: string | null = null;
  let lock: DataDirLock | null = null;
  if (!config.memory) {
    prepareDataDir(config.dataDir);
    // Before the database is opened: a second hookbin must not touch it at all.
    lock = lockDataDir(config.dataDir);
    dbFile = join(config.dataDir, 'hookbin.db');
  }
  try {
    const store = openStore({ file: dbFile, maxCapturesPerBin: config.maxCaptures, maxDbBytes: config.maxDbSize });
    return { store, lock, dbFile };
  } catch (err) {
    lock?.release();
    throw new StartError(`cannot open the database ${dbFile}: ${(err as Error).message}`);
  }
}

/** What serves requests besides the listeners: the live feed, the outbound engines, the shutdown signal. */
interface Engines {
  hub: Hub;
  shutdown: AbortController;
  forwarder: Forwarder;
  sender: Sender;
  deps: AppDeps;
}

/** Builds the live feed and the outbound engines, and the dependencies both apps are built from. */
function buildEngines(config: Config, store: Store, token: string, now: () => number, webRoot: string | null, hangMs: number): Engines {
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
  const deps: AppDeps = {
    store,
    hub,
    token,
    hosts: hostPolicy(config.host),
    maxBody: config.maxBody,
    webRoot,
    version: VERSION,
    now,
    globalSecrets: config.secrets,
    globalSchemes: config.schemes ?? [],
    shutdown: shutdown.signal,
    hangMs,
    sender,
    forwarder,
    globalForward,
    urls: { publicUrl: config.publicUrl ?? null, trustProxy: config.trustProxy === true },
  };
  return { hub, shutdown, forwarder, sender, deps };
}

/**
 * Listens on the main port and, with `--ingress-port`, the bins-only one.
 * Each listener is pushed to `listeners` as soon as it exists, so a failed
 * start can close what was opened.
 */
async function listenBoth(config: Config, deps: AppDeps, timeouts: Timeouts, listeners: Listener[]) {
  // One bin handler for both ports: one settings cache, one path.
  const bins = createBinHandler(deps);
  const main = createListener({ fetch: createApp(deps).fetch, bins }, timeouts, new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE }));
  listeners.push(main);
  const port = await listen(main.server, config.port, config.host);
  let ingress: Listener | null = null;
  let ingressPort: number | null = null;
  if (config.ingressPort != null) {
    ingress = createListener({ fetch: createIngressApp().fetch, bins }, timeouts);
    listeners.push(ingress);
    ingressPort = await listen(ingress.server, config.ingressPort, config.host, '--ingress-port');
  }
  return { main, port, ingress, ingressPort };
}

/**
 * The running hookbin's `close(graceMs)`: stops the engines and listeners,
 * then closes the store and only then lets the data dir go, whatever failed
 * on the way. Called again, it returns the same promise.
 */
function closer(data: OpenedData, engines: Engines, listeners: readonly Listener[], settled: Promise<unknown>): Running['close'] {
  let closing: Promise<void> | undefined;
  return (graceMs = 10_000) => {
    // Live sockets never end by themselves; drop them so close() can finish.
    engines.hub.close();
    // Delayed answers go out now; hung requests are let go; a re-judge stops between batches.
    engines.shutdown.abort();
    // The sender stops its timers and drops attempts in flight at once (they are
    // made again after a restart); forwards in flight end with the shutdown signal.
    closing ??= Promise.all([...listeners.map((l) => closeListener(l, graceMs)), engines.sender.close()])
      .then(() => engines.forwarder.idle())
      .then(() => settled)
      .then(() => undefined)
      .finally(() => {
        // The store is closed before the dir is let go, even when a step above failed.
        try {
          data.store.close();
        } finally {
          data.lock?.release();
        }
      });
    return closing;
  };
}

/**
 * Opens the store, makes sure one bin exists, and serves the app. Throws
 * `StartError` for a port in use or an unwritable data dir.
 */
export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  const data = openData(config);
  const { store, lock, dbFile } = data;
  const listeners: Listener[] = [];
  try {
    const token = config.token ?? (config.memory ? newToken() : loadOrCreateToken(config.dataDir));
    const now = options.now ?? Date.now;
    if (store.listBins().length === 0) {
      store.createBin({ id: newBinId(), name: 'default', createdAt: now(), settings: defaultSettings() });
    }
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const webRoot = options.webRoot === undefined ? BUILT_WEB_ROOT : options.webRoot;
    const engines = buildEngines(config, store, token, now, webRoot, timeouts.hangMs);
    const { hub, sender } = engines;
    const { main, port, ingress, ingressPort } = await listenBoth(config, engines.deps, timeouts, listeners);
    lock?.setPort(port);
    const origin = `http://${displayHost(config.host)}:${port}`;
    const ingressOrigin = ingressPort === null ? null : `http://${displayHost(config.host)}:${ingressPort}`;
    const firstBin = store.listBins()[0]!;
    // Only once listening: a pending delivery may target one of this hookbin's own bins.
    const resumed = sender.resume();
    // Captures keep flowing while old verdicts are re-judged in batches; a shutdown stops it between them.
    const reverified = reverifyIfSecretsChanged(store, config.secrets, engines.shutdown.signal, engines.deps.urls, config.schemes ?? []).then((n) => {
      if (n > 0) hub.publish({ type: 'captures.reverified', binId: null });
      return n;
    });
    // A failure here (e.g. the store closed mid-way) must not crash the process.
    const settled = reverified.catch(() => 0);
    return {
      origin,
      port,
      token,
      inspectorUrl: `${origin}/?token=${encodeURIComponent(token)}`,
      binUrl: `${config.publicUrl ?? origin}/b/${firstBin.id}`,
      ingressPort,
      ingressOrigin,
      ingressBinUrl: ingressOrigin === null ? null : `${ingressOrigin}/b/${firstBin.id}`,
      dbFile,
      store,
      hub,
      server: main.server,
      ingressServer: ingress?.server ?? null,
      sender,
      resumed,
      reverified: settled,
      close: closer(data, engines, listeners, settled),
    };
  } catch (err) {
    await Promise.all(listeners.map((l) => closeListener(l, 0)));
    try {
      store.close();
    } finally {
      lock?.release();
    }
    throw err;
  }
}
