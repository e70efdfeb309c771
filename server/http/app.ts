import { Hono, type MiddlewareHandler } from 'hono';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import { bodyLimit } from 'hono/body-limit';
import { errorResponse, handleError } from './errors.js';
import { createIngress } from '../capture/ingress.js';
import { securedResponse } from '../capture/answer-headers.js';
import { apiGuard, type HostPolicy } from './security.js';
import type { Hub } from '../live/hub.js';
import { liveRoute } from '../live/route.js';
import { summaryJson } from './present.js';
import type { ServerMessage } from '../common/types.js';
import type { CaptureSummaryRecord, Store, WalkLimits } from '../store/index.js';
import { createUi } from './ui.js';
import type { Forwarder, GlobalForward } from '../outbound/forward.js';
import type { Sender } from '../outbound/sender.js';
import { createBinRoutes } from './routes/bins.js';
import { createCaptureRoutes } from './routes/captures.js';
import { createEventRoutes } from './routes/events.js';
import { createTransferRoutes, isImportPath } from './routes/export.js';
import { createMetaRoutes } from './routes/meta.js';
import { createOutboxRoutes } from './routes/outbox.js';
import { createSendRoutes } from './routes/send.js';
import { createCheckRoutes } from './routes/check.js';
import { createTemplateRoutes } from './routes/templates.js';
import type { SecretInput } from '../verify/index.js';
import { AS_RECEIVED, type PublicUrlPolicy } from '../capture/public-url.js';

/** The longest request target (path and query) hookbin reads; longer ones get 414. */
export const MAX_URL_LENGTH = 8192;

/** The largest JSON body the control API reads. */
export const MAX_API_BODY = 2 * 1024 * 1024;

/** Everything the app is built from; the start module wires the real ones. */
export interface AppDeps {
  store: Store;
  /** The control-plane token. */
  token: string;
  /** Which Host names the control plane answers to. */
  hosts: HostPolicy;
  /** Bin bodies over this many bytes are answered 413 and recorded truncated. */
  maxBody: number;
  /** Absolute path of the built inspector, or null to serve a "not built" page. */
  webRoot: string | null;
  version: string;
  /** The clock (ms since the epoch); tests inject their own. */
  now?: () => number;
  /** The live feed; without one, `/api/ws` answers 503 and nothing is published. */
  hub?: Hub;
  /** Secrets from the config (`--secret`), tried on every bin after the bin's own. */
  globalSecrets?: readonly SecretInput[];
  /** Users' own schemes from `--schemes FILE`, for every bin (a bin's own scheme of the same id wins). */
  globalSchemes?: readonly CustomSchemeDef[];
  /** Aborted when the server shuts down: bin delays end early and hung requests are let go. */
  shutdown?: AbortSignal;
  /** The longest a `hang` fault holds a request before its connection is reset; unbounded when absent. */
  hangMs?: number;
  /** Called after each capture is committed. */
  onCapture?: (capture: CaptureSummaryRecord, pruned: number) => void;
  /** The outbound engine; without one the sender routes answer 503. */
  sender?: Sender;
  /** Live forwarding of captures; without one nothing is forwarded. */
  forwarder?: Forwarder;
  /** `--forward` and `--forward-relay`: for bins without their own `forwardTo` (the default resend target too). */
  globalForward?: GlobalForward | null;
  /** How much one batch of an export reads from the store (routes/export.ts's EXPORT_BATCH when absent). */
  exportBatch?: WalkLimits;
  /** `--public-url` and `--trust-proxy`: the URL bins are reached at (bin URLs in the API, URL-signed schemes); as received when absent. */
  urls?: PublicUrlPolicy;
}

/** Refuses request targets over `MAX_URL_LENGTH` with 414, ahead of any routing. */
const urlLengthLimit: MiddlewareHandler = async (c, next) => {
  const target = (c.env as { incoming?: { url?: string } } | undefined)?.incoming?.url ?? c.req.url;
  if (target.length > MAX_URL_LENGTH) {
    c.header('Connection', 'close');
    // The target may be a bin URL: answered as every bin answer is (sandboxed), which costs nothing elsewhere.
    return securedResponse(errorResponse(c, 414, 'uri_too_long', `request targets are limited to ${MAX_URL_LENGTH} characters`));
  }
  await next();
};

/** The bin ingress as both listeners serve it: commits, then publishes to the live feed. */
function binIngress(deps: AppDeps, now: () => number, publish: (message: ServerMessage | (() => ServerMessage), binId?: string) => void) {
  const onCapture = (capture: CaptureSummaryRecord, pruned: number) => {
    publish(() => ({ type: 'capture.created', capture: summaryJson(capture), pruned }), capture.binId);
    deps.onCapture?.(capture, pruned);
  };
  return createIngress({
    store: deps.store,
    maxBody: deps.maxBody,
    now,
    globalSecrets: deps.globalSecrets ?? [],
    globalSchemes: deps.globalSchemes ?? [],
    shutdown: deps.shutdown,
    hangMs: deps.hangMs,
    onCapture,
    forward: deps.forwarder?.forward,
    urls: deps.urls,
  });
}

/**
 * Builds the hono app: ingress at `/b`, the guarded control API at `/api`, the
 * inspector everywhere else. No side effects: nothing listens until the start
 * module serves it, and `app.request()` works without a port.
 */
export function createApp(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  const hub = deps.hub;
  const globalSecrets = deps.globalSecrets ?? [];
  const globalSchemes = deps.globalSchemes ?? [];
  const globalForward = deps.globalForward ?? null;
  const urls = deps.urls ?? AS_RECEIVED;
  const { store } = deps;
  // The one path from routes to live clients: routes store first, then publish here.
  const publish = (message: ServerMessage | (() => ServerMessage), binId?: string) => hub?.publish(message, binId);
  const passThrough: MiddlewareHandler = (_c, next) => next();
  const apiBodyLimit = bodyLimit({
    maxSize: MAX_API_BODY,
    onError: (c) => {
      // The unread rest of the body makes the socket unusable; say so instead of keep-alive.
      c.header('Connection', 'close');
      return errorResponse(c, 413, 'payload_too_large', `API request bodies are limited to ${MAX_API_BODY} bytes`);
    },
  });
  const api = new Hono()
    // The browser's WebSocket sends its token in its first message; scripts may send it at the upgrade.
    .use(
      '*',
      apiGuard({ token: deps.token, hosts: deps.hosts, open: new Set(['/api/health']), queryToken: new Set(['/api/ws']), inBandAuth: new Set(['/api/ws']) }),
    )
    // An import is bounded by its own, larger limit as it streams in (routes/export.ts).
    .use('*', (c, next) => (isImportPath(c.req.path) ? next() : apiBodyLimit(c, next)))
    .get('/ws', hub ? liveRoute(hub, { token: deps.token, shutdown: deps.shutdown }) : passThrough, (c) =>
      hub
        ? errorResponse(c, 426, 'upgrade_required', '/api/ws is a WebSocket endpoint')
        : errorResponse(c, 503, 'unavailable', 'the live feed is not running'),
    )
    // One sub-app per resource; those with one prefix are mounted at it.
    .route('/', createMetaRoutes({ version: deps.version, globalSecrets, globalSchemes, globalForward, publicUrl: urls.publicUrl }))
    .route('/bins', createBinRoutes({ store, now, globalSecrets, globalSchemes, publish, urls }))
    .route('/bins', createTransferRoutes({ store, now, version: deps.version, maxBody: deps.maxBody, globalSecrets, globalSchemes, publish, urls, walk: deps.exportBatch }))
    .route('/', createCaptureRoutes({ store, globalSecrets, globalSchemes, publish, urls }))
    .route('/', createEventRoutes({ store, now }))
    .route('/', createSendRoutes({ store, sender: deps.sender, now, globalSecrets, globalSchemes, globalForward }))
    .route('/', createCheckRoutes({ store, globalSecrets, globalSchemes }))
    .route('/outbox', createOutboxRoutes({ store, sender: deps.sender, publish }))
    .route('/templates', createTemplateRoutes({ now }));

  const app = new Hono()
    .use('*', urlLengthLimit)
    .use('*', binIngress(deps, now, publish))
    .route('/api', api)
    .all('/api/*', (c) => errorResponse(c, 404, 'not_found', `no API route ${c.req.method} ${c.req.path}`))
    .route('/', createUi({ webRoot: deps.webRoot }));

  app.onError(handleError);
  app.notFound((c) => errorResponse(c, 404, 'not_found', `nothing at ${c.req.method} ${c.req.path}`));
  return app;
}

/**
 * The app of `--ingress-port`: bin URLs only, through the same ingress (same
 * store, live feed and forwarder) as the main app; every other path is a 404.
 * No inspector, no `/api`, no token: what a tunnel may expose.
 */
export function createIngressApp(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  const publish = (message: ServerMessage | (() => ServerMessage), binId?: string) => deps.hub?.publish(message, binId);
  const app = new Hono().use('*', urlLengthLimit).use('*', binIngress(deps, now, publish));
  // Everything this port answers faces the tunnel, errors and 404s too: sandboxed like a bin's own answers.
  app.onError((err, c) => securedResponse(handleError(err, c)));
  app.notFound((c) => securedResponse(errorResponse(c, 404, 'not_found', `this port serves bin URLs (/b/{binId}) only; nothing at ${c.req.method} ${c.req.path}`)));
  return app;
}
