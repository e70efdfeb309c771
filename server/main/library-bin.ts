/**
 * A bin of the Node API (library.ts): its captures, events, answer and
 * secrets through the control API, and `waitForCapture` woken by the live feed.
 */
import type { Bin, CaptureSummary, EventPage, MaskedSecret, Outcome, RespondSettings, WebhookEvent } from '../common/types.js';
import { HookbinError, type ApiClient, type CapturedRequest, type LiveWaker } from './library-client.js';

/** What `respond(settings)` takes: any keys of a bin's `respond` (README, "Failing answers and retry timelines"); they merge into the current ones. */
export type RespondPatch = Partial<Omit<RespondSettings, 'random'>> & {
  random?: { rate: number; status: Outcome; seed?: number | null } | null;
};

/** A bin secret for `setSecrets`: an entry without `value` keeps that name's current value; `scheme` limits it to one scheme. */
export interface BinSecret {
  name: string;
  value?: string;
  scheme?: string | null;
}

/** Options of `waitForCapture`. */
export interface WaitOptions {
  /** How long to wait, ms (default 5000); then the promise rejects with a `HookbinError` (code `timeout`) listing what did arrive. */
  timeoutMs?: number;
}

/** Options of `events()`: the query of `GET /api/bins/{id}/events`. */
export interface EventsOptions {
  /** Compare with this preset (`GET /api/presets`) instead of the one hookbin picks. */
  preset?: string;
  /** Deliveries sent at a compressed pace: the schedule is divided by this (1 to 10000). */
  timeScale?: number;
  /** Only events with more than one attempt. */
  retried?: boolean;
}

/** A bin of a hookbin started by `startHookbin`. */
export interface HookbinBin {
  /** The bin's id. */
  readonly id: string;
  /** Where the code under test sends its webhooks: `http://127.0.0.1:<port>/b/<id>`. */
  readonly url: string;
  /**
   * Resolves with the oldest capture of this bin that matches `predicate`
   * (every capture when none is given) and that no earlier `waitForCapture`
   * of this bin handle returned: captures that arrived before the call count
   * as well as new ones, so awaiting three deliveries in a row returns them in
   * the order they arrived. The capture is as `GET /api/captures/{id}` shows
   * it, with `body` its exact bytes; the predicate may be asked about one
   * capture more than once, so it should only look. A capture deleted while
   * being looked at is passed over. Rejects after `timeoutMs` (default 5000)
   * with a `HookbinError` (code `timeout`) listing what did arrive (method,
   * path, status, verdict of each, up to 20), with one of code `closed` when
   * `close()` comes first, or with the predicate's own error when it throws.
   */
  waitForCapture(predicate?: (capture: CapturedRequest) => boolean | Promise<boolean>, options?: WaitOptions): Promise<CapturedRequest>;
  /** Every capture of the bin, oldest first, each as `GET /api/captures/{id}` shows it with `body` its exact bytes. */
  captures(): Promise<CapturedRequest[]>;
  /** The bin's events (`GET /api/bins/{id}/events`, every page): the latest delivered first, each with its attempts, gaps and schedule comparison. */
  events(options?: EventsOptions): Promise<WebhookEvent[]>;
  /** Changes what the bin answers (`PATCH respond`: merged into the current settings; `null` resets to 200 `{"ok":true}`); resolves with the bin's answer settings. */
  respond(settings: RespondPatch | null): Promise<RespondSettings>;
  /** Replaces the bin's secrets; resolves once stored captures are judged again with them, with the secrets masked. */
  setSecrets(secrets: BinSecret[]): Promise<MaskedSecret[]>;
  /** Deletes every capture of the bin and forgets what `waitForCapture` returned; resolves with how many were deleted. */
  clear(): Promise<number>;
}

const DEFAULT_TIMEOUT_MS = 5000;
/** The captures a timeout's message lists; the rest are counted. */
const LISTED = 20;
/** How many captures `captures()` fetches at once. */
const PARALLEL = 8;

/** One line of a timeout's message: what a sender controls is cut short and its control characters replaced. */
function describeCapture(c: CaptureSummary, returned: boolean): string {
  const target = `${c.path || '/'}${c.query ? `?${c.query}` : ''}`.replace(/[\u0000-\u001f\u007f]/g, '?');
  const shown = target.length > 120 ? `${target.slice(0, 119)}…` : target;
  const answer = c.status ?? c.fault ?? 'no answer';
  return `  ${c.method.slice(0, 20)} ${shown} → ${answer}, ${c.verdict ?? 'unsigned'}${returned ? ' (returned by an earlier waitForCapture)' : ''}`;
}

function timeoutMessage(id: string, timeoutMs: number, seen: CaptureSummary[], returned: ReadonlySet<string>): string {
  const head = `hookbin: no capture of bin ${id} matched within ${timeoutMs} ms`;
  if (seen.length === 0) return `${head}; none arrived`;
  const lines = seen.slice(0, LISTED).map((c) => describeCapture(c, returned.has(c.id)));
  const more = seen.length > LISTED ? [`  … and ${seen.length - LISTED} more`] : [];
  return [`${head}; ${seen.length} arrived (oldest first):`, ...lines, ...more].join('\n');
}

/** What one bin's waits share: its id, the API, the live feed, and the captures already returned. */
interface WaitContext {
  id: string;
  api: ApiClient;
  live: LiveWaker;
  /** Captures a waitForCapture returned: never returned again until `clear()`. */
  returned: Set<string>;
}

/** null for a capture deleted since it was listed (cleared, or pruned by retention); any other error as it is. */
function gone(err: unknown): null {
  if (err instanceof HookbinError && err.status === 404) return null;
  throw err;
}

type Predicate = (capture: CapturedRequest) => boolean | Promise<boolean>;

/** The oldest capture not returned yet that matches, or null; `seen` gets the bin's captures, `loaded` keeps the ones fetched whole. */
async function findMatch(ctx: WaitContext, predicate: Predicate, isDone: () => boolean, seen: { list: CaptureSummary[] }, loaded: Map<string, Promise<CapturedRequest>>) {
  const load = (captureId: string) => {
    let p = loaded.get(captureId);
    if (!p) {
      p = ctx.api.capture(captureId);
      loaded.set(captureId, p);
      p.catch(() => loaded.delete(captureId));
    }
    return p;
  };
  seen.list = await ctx.api.summaries(ctx.id);
  for (const summary of seen.list) {
    if (isDone()) return null;
    if (ctx.returned.has(summary.id)) continue;
    const capture = await load(summary.id).catch(gone);
    if (capture === null) continue;
    const matches = await predicate(capture);
    // Another waiter may have taken it while this one awaited.
    if (matches && !ctx.returned.has(summary.id) && !isDone()) {
      ctx.returned.add(summary.id);
      return capture;
    }
  }
  return null;
}

/**
 * `waitForCapture` (see `HookbinBin`): scans the bin's captures once the live
 * feed is subscribed, and again on each of the bin's live messages, until one
 * matches or the timeout passes.
 */
async function waitForCapture(ctx: WaitContext, predicate: Predicate, timeoutMs: number): Promise<CapturedRequest> {
  if (typeof predicate !== 'function') throw new TypeError('waitForCapture: the predicate must be a function');
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new TypeError(`waitForCapture: timeoutMs must be a number of ms ≥ 0, not ${String(timeoutMs)}`);
  const { id, api, live, returned } = ctx;
  // Subscribed before the first scan: a capture stored after it wakes a scan, one stored before is in it.
  await live.ready();
  return new Promise<CapturedRequest>((resolve, reject) => {
    let done = false;
    let scanning = false;
    let again = false;
    const seen = { list: [] as CaptureSummary[] };
    /** Captures fetched whole for the predicate during this wait, by id; dropped when verdicts change. */
    const loaded = new Map<string, Promise<CapturedRequest>>();
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unlisten();
      settle();
    };
    const scan = async () => {
      // Wake-ups during a scan fold into one more scan after it.
      if (scanning) return void (again = true);
      scanning = true;
      try {
        do {
          again = false;
          const found = await findMatch(ctx, predicate, () => done, seen, loaded);
          if (found) return finish(() => resolve(found));
        } while (again && !done);
      } catch (err) {
        finish(() => reject(err));
      } finally {
        scanning = false;
      }
    };
    const timer = setTimeout(() => {
      // The list as it is now, not as the last scan saw it; the one seen serves if the API is gone.
      api.summaries(id).then(
        (list) => finish(() => reject(new HookbinError(timeoutMessage(id, timeoutMs, list, returned), 0, 'timeout'))),
        () => finish(() => reject(new HookbinError(timeoutMessage(id, timeoutMs, seen.list, returned), 0, 'timeout'))),
      );
    }, timeoutMs);
    const unlisten = live.listen(id, (why) => {
      if (why === 'closed') return finish(() => reject(new HookbinError(`hookbin: closed while waiting for a capture of bin ${id}`, 0, 'closed')));
      // Verdicts changed: what was fetched before shows the old ones.
      if (why === 'reverified') loaded.clear();
      void scan();
    });
    void scan();
  });
}

/** Every capture of bin `id` fetched whole, oldest first, `PARALLEL` at a time. */
async function allCaptures(api: ApiClient, id: string): Promise<CapturedRequest[]> {
  const list = await api.summaries(id);
  const out: Array<CapturedRequest | null> = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await api.capture(list[i]!.id).catch(gone);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, list.length) }, worker));
  return out.filter((c): c is CapturedRequest => c !== null);
}

/** Every page of bin `id`'s events. */
async function allEvents(api: ApiClient, id: string, options: EventsOptions): Promise<WebhookEvent[]> {
  const query = new URLSearchParams({ limit: '1000' });
  if (options.preset !== undefined) query.set('preset', options.preset);
  if (options.timeScale !== undefined) query.set('timeScale', String(options.timeScale));
  if (options.retried !== undefined) query.set('retried', String(options.retried));
  const all: WebhookEvent[] = [];
  for (;;) {
    const page = await api.json<EventPage>('GET', `/api/bins/${id}/events?${query}`);
    all.push(...page.events);
    if (page.next === null) return all;
    query.set('before', page.next);
  }
}

/** The handle of bin `id`; `url` is where it receives. */
export function createBinHandle(id: string, url: string, api: ApiClient, live: LiveWaker): HookbinBin {
  const ctx: WaitContext = { id, api, live, returned: new Set() };
  return {
    id,
    url,
    waitForCapture: (predicate = () => true, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) => waitForCapture(ctx, predicate, timeoutMs),
    captures: () => allCaptures(api, id),
    events: (options = {}) => allEvents(api, id, options),
    async respond(settings) {
      return (await api.json<Bin>('PATCH', `/api/bins/${id}`, { respond: settings })).respond;
    },
    async setSecrets(secrets) {
      return (await api.json<Bin>('PATCH', `/api/bins/${id}`, { secrets })).secrets;
    },
    async clear() {
      const { deleted } = await api.json<{ deleted: number }>('DELETE', `/api/bins/${id}/captures`);
      ctx.returned.clear();
      return deleted;
    },
  };
}
