/**
 * The real listener over an app built from deps the test chooses (a store
 * that fails, a small body limit): bin URLs through the bin handler, the
 * rest through the app, on a port of its own. For what `startServer`'s
 * config cannot set.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createApp, createBinHandler, type AppDeps } from '../../server/http/app.js';
import { createListener, type Listener } from '../../server/main/listener.js';
import { MAX_CLIENT_MESSAGE } from '../../server/live/route.js';

/** A listening server over `deps`; `close` drops its sockets and closes it (the store stays the test's). */
export interface ServedDeps {
  origin: string;
  port: number;
  listener: Listener;
  close(): Promise<void>;
}

/** Serves `deps` on 127.0.0.1 and a free port, with the live feed when `deps.hub` is given. */
export async function serveDeps(deps: AppDeps): Promise<ServedDeps> {
  const timeouts = { headersMs: 5000, requestMs: 10_000, hangMs: 10_000, idleMs: 20_000 };
  const wss = deps.hub ? new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE }) : undefined;
  const listener = createListener({ fetch: createApp(deps).fetch, bins: createBinHandler(deps) }, timeouts, wss);
  await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
  const port = (listener.server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    listener,
    async close() {
      for (const s of listener.sockets) s.destroy();
      await new Promise((resolve) => listener.server.close(resolve));
    },
  };
}
