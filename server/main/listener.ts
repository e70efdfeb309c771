import { createServer, IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { BinHandler } from '../capture/ingress.js';
import type { AddressInfo, Socket } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { WebSocketServer } from 'ws';
import { StartError } from '../http/errors.js';

/**
 * How long an anonymous sender may hold a socket (ms); the values hookbin
 * runs with, and why, are `DEFAULT_TIMEOUTS` in server/main/start.ts.
 */
export interface Timeouts {
  /** To send the request's headers. */
  headersMs: number;
  /** To send the whole request, body included. */
  requestMs: number;
  /** The longest a `hang` fault holds a request (its delay included) before the connection is reset. */
  hangMs: number;
  /**
   * The longest a socket may see no bytes move either way while a request is
   * in progress (a client that stops reading an answer); then it is destroyed.
   * Must exceed the longest delay a bin may answer with, and `requestMs`.
   * An idle keep-alive socket between requests is governed by Node's `keepAliveTimeout` instead.
   */
  idleMs: number;
}

/** The one path a WebSocket upgrade is taken on: the inspector's live feed. */
const LIVE_PATH = '/api/ws';

const rawUpgrade = Symbol('rawUpgrade');

/**
 * A request with `Connection: Upgrade` served as plain HTTP is answered with
 * `Connection: close`: llhttp stops parsing at the end of such a request, so
 * a request pipelined behind it in the same read would never be answered.
 * Closing tells the client to send the rest on a new connection.
 */
function closeAfterRawUpgrade(req: IncomingMessage, res: ServerResponse): void {
  if ((req as HookbinIncomingMessage)[rawUpgrade]) res.shouldKeepAlive = false;
}

/**
 * Node hands every request with `Connection: Upgrade` to the server's
 * 'upgrade' listeners (as soon as there is one) and detaches its socket from
 * HTTP: an `Upgrade: h2c` nobody takes would then get no answer and hold its
 * socket forever. Node asks `req.upgrade` whether to do so once the headers
 * are read (and before the body is parsed), so this message answers yes only
 * for what hookbin does upgrade, a WebSocket to `/api/ws` (and CONNECT, which
 * Node then refuses by closing). Any other upgrade request is served like
 * every request, its body included: a bin captures it and answers as the bin
 * would.
 */
class HookbinIncomingMessage extends IncomingMessage {
  [rawUpgrade] = false;

  get upgrade(): boolean {
    if (!this[rawUpgrade]) return false;
    if (this.method === 'CONNECT') return true;
    const url = this.url ?? '';
    const q = url.indexOf('?');
    return (q === -1 ? url : url.slice(0, q)) === LIVE_PATH && this.headers.upgrade?.toLowerCase() === 'websocket';
  }

  set upgrade(value: boolean) {
    this[rawUpgrade] = value;
  }
}

/** A listening HTTP server plus what it takes to close it whatever its sockets do. */
export interface Listener {
  server: Server;
  /** Every socket the server accepted and that is still open, upgraded ones included. */
  sockets: ReadonlySet<Socket>;
}

/** What a listener serves: bin URLs first, from `node:http`; everything else through the app. */
export interface Handlers {
  /** The app's fetch (Hono): the control API, the inspector, and what `bins` does not take. */
  fetch: Parameters<typeof createAdaptorServer>[0]['fetch'];
  /** Answers bin URLs straight from `node:http` (capture/ingress.ts); returns false for any other request. */
  bins?: BinHandler;
}

/**
 * Builds (without listening) an HTTP server: each request goes to `bins`
 * first, and to the app's fetch when it is not a bin URL. With `wss` it
 * takes WebSocket upgrades at `/api/ws`; without one it takes none.
 */
export function createListener({ fetch, bins }: Handlers, timeouts: Timeouts, wss?: WebSocketServer): Listener {
  const server = createAdaptorServer({
    fetch,
    ...(wss ? { websocket: { server: wss } } : {}),
    serverOptions: {
      IncomingMessage: HookbinIncomingMessage,
      // Node only checks the timeouts below this often (default 30 s).
      connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
    },
    // Bin URLs skip Hono and the Fetch objects: the hot path, answered from node:http.
    createServer: bins
      ? (((options: ServerOptions, app: RequestListener) =>
          createServer(options, (req, res) => {
            if (!bins(req, res)) void app(req, res);
          })) as typeof createServer)
      : undefined,
  }) as Server;
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  // Node keeps only the first 1,000 header pairs by default and drops the rest
  // silently; the header size limit (16 KiB) already bounds them, so keep all.
  server.maxHeadersCount = 0;
  // No bytes either way for this long while a request is in progress (a client that
  // stops reading): Node destroys the socket. Reset to keepAliveTimeout between requests.
  server.timeout = timeouts.idleMs;
  server.prependListener('request', closeAfterRawUpgrade);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  if (wss) {
    // A refused or failed handshake is answered with socket.end(), which leaves the
    // socket half-open for as long as the client keeps its side: close it once flushed.
    const adaptor = server.listeners('upgrade') as Array<(req: IncomingMessage, socket: Socket, head: Buffer) => void>;
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.once('finish', () => socket.destroy());
      for (const listener of adaptor) listener.call(server, req, socket, head);
    });
  }
  return { server, sockets };
}

/**
 * Listens on `host:port` and resolves to the real port. Throws `StartError`
 * for a port in use or a host that is not this machine's; `flag` names the
 * option to change in the message.
 */
export function listen(server: Server, port: number, host: string, flag = '--port'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new StartError(`port ${port} is already in use; choose another with ${flag} (or ${flag} 0 for a free one)`));
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

/**
 * Stops accepting, lets busy requests finish for up to `graceMs`, then
 * destroys every socket still open (upgraded and WebSocket ones too, which
 * Node's own `closeAllConnections` does not reach). Resolves once the server
 * has closed; never later than about `graceMs`.
 */
export function closeListener({ server, sockets }: Listener, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening && sockets.size === 0) {
      resolve();
      return;
    }
    // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const force = setTimeout(() => {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }, graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
