/**
 * How the Node API (library.ts) talks to the hookbin it started: the control
 * API over HTTP with the token, and the live feed (`/api/ws`) as a wake-up
 * call for captures awaited. The same contract as any other client: nothing
 * here reaches into the server's store or hub.
 */
import WebSocket from 'ws';
import type { ApiErrorBody, Capture, CapturePage, CaptureSummary, ServerMessage } from '../common/types.js';

/** A call of the Node API that did not succeed: the HTTP status and the API's error code and message, or why no answer came. */
export class HookbinError extends Error {
  override name = 'HookbinError';
  constructor(
    message: string,
    /** The HTTP status, or 0 when no answer came. */
    readonly status: number,
    /**
     * The API's error code (`bin_not_found`, `invalid_request`, …); `network`
     * when hookbin could not be reached, `closed` after `close()`, `timeout`
     * when `waitForCapture` found no match in time.
     */
    readonly code: string,
  ) {
    super(message);
  }
}

/** A capture as the API shows it (`GET /api/captures/{id}`), with `body` its exact bytes, whole (`/api/captures/{id}/body`). */
export type CapturedRequest = Omit<Capture, 'body'> & { body: Buffer };

/** The control API of one running hookbin. */
export interface ApiClient {
  /** A JSON call; throws `HookbinError` for an answer that is not 2xx. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Every capture of a bin, oldest first (the API pages newest first). */
  summaries(binId: string): Promise<CaptureSummary[]>;
  /** One capture with its whole body. */
  capture(id: string): Promise<CapturedRequest>;
}

/** A client of `origin`'s control API with `token`. */
export function createApiClient(origin: string, token: string): ApiClient {
  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(origin + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new HookbinError(`hookbin: ${method} ${path} failed: ${(err as Error).message}`, 0, 'network');
    }
    if (res.ok) return res;
    const text = await res.text();
    let error: ApiErrorBody['error'] | undefined;
    try {
      error = (JSON.parse(text) as ApiErrorBody).error;
    } catch {
      // Not the API's JSON error (a proxy's page?): the status says enough.
    }
    throw new HookbinError(`hookbin: ${method} ${path} answered ${res.status}: ${error?.message ?? text.slice(0, 200)}`, res.status, error?.code ?? 'http');
  }

  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await call(method, path, body);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };

  return {
    json,
    async summaries(binId) {
      const all: CaptureSummary[] = [];
      let before: string | null = null;
      do {
        const page: CapturePage = await json<CapturePage>('GET', `/api/bins/${binId}/captures?limit=1000${before === null ? '' : `&before=${before}`}`);
        all.push(...page.captures);
        before = page.next;
      } while (before !== null);
      return all.reverse();
    },
    async capture(id) {
      const [capture, body] = await Promise.all([
        json<Capture>('GET', `/api/captures/${id}`),
        call('GET', `/api/captures/${id}/body`).then(async (res) => Buffer.from(await res.arrayBuffer())),
      ]);
      return { ...capture, body };
    },
  };
}

/** Why a listener is woken. */
export type Why = 'changed' | 'reverified' | 'closed';

/** The live feed as wake-up calls: each bin's listeners hear that its captures changed. */
export interface LiveWaker {
  /** Resolves once the socket is subscribed to every bin; rejects when it cannot be. */
  ready(): Promise<void>;
  /**
   * Calls `wake` whenever a capture of `binId` arrives, is deleted or cleared
   * (`changed`), or stored verdicts were judged again (`reverified`), and
   * once with `closed` when `close()` is called; returns the unsubscribe.
   */
  listen(binId: string, wake: (why: Why) => void): () => void;
  /** Closes the socket; each listener hears `closed`, then nothing more. */
  close(): void;
}

/** How long after the live feed dropped it is opened again. */
const RECONNECT_MS = 100;

/** Opens `/api/ws` on first use, subscribed to every bin (`*`), and dispatches capture messages by bin. */
export function createLiveWaker(origin: string, token: string): LiveWaker {
  type Wake = (why: Why) => void;
  const listeners = new Map<string, Set<Wake>>();
  let socket: WebSocket | null = null;
  let opened: Promise<void> | null = null;
  let closed = false;

  const dispatch = (binId: string | null, why: Why) => {
    const targets = binId === null ? [...listeners.values()] : [listeners.get(binId) ?? new Set<Wake>()];
    for (const set of targets) for (const wake of [...set]) wake(why);
  };

  const open = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/ws`, { headers: { authorization: `Bearer ${token}` } });
      socket = ws;
      ws.on('message', (data) => {
        let message: ServerMessage;
        try {
          message = JSON.parse(String(data)) as ServerMessage;
        } catch {
          return;
        }
        if (message.type === 'subscribed') resolve();
        else if (message.type === 'capture.created') dispatch(message.capture.binId, 'changed');
        else if (message.type === 'capture.deleted' || message.type === 'captures.cleared') dispatch(message.binId, 'changed');
        else if (message.type === 'captures.reverified') dispatch(message.binId, 'reverified');
      });
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', bins: ['*'] })));
      ws.on('error', (err) => reject(new HookbinError(`hookbin: the live feed failed: ${err.message}`, 0, 'network')));
      ws.on('close', () => {
        reject(closed ? new HookbinError('hookbin: closed', 0, 'closed') : new HookbinError('hookbin: the live feed closed', 0, 'network'));
        opened = null;
        if (!closed && listeners.size > 0) setTimeout(reconnect, RECONNECT_MS).unref();
      });
    });

  /**
   * Dropped while captures are awaited (the hub drops a client that falls
   * behind): subscribe again, then every waiter scans for what it missed. If
   * hookbin is gone, this repeats every `RECONNECT_MS` until the waiters' timeouts say so.
   */
  const reconnect = () => {
    if (closed || listeners.size === 0 || opened) return;
    opened = open();
    opened.then(
      () => dispatch(null, 'changed'),
      () => undefined,
    );
  };

  return {
    ready() {
      if (closed) return Promise.reject(new HookbinError('hookbin: closed', 0, 'closed'));
      opened ??= open();
      return opened;
    },
    listen(binId, wake) {
      // A wait that began before close() and subscribes after it hears `closed` all the same.
      if (closed) {
        queueMicrotask(() => wake('closed'));
        return () => undefined;
      }
      let set = listeners.get(binId);
      if (!set) listeners.set(binId, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0) listeners.delete(binId);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      dispatch(null, 'closed');
      listeners.clear();
      socket?.terminate();
    },
  };
}
