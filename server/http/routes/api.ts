import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { BIN_ID_PATTERN, newBinId } from '../../store/ids.js';
import { BinExistsError, type BinRecord, type CaptureRecord, type CaptureSummaryRecord, type EventRecord, type ForwardRecord, type Store } from '../../store/index.js';
import type { GlobalForward } from '../../outbound/forward.js';
import { iso, utf8OrNull } from '../../common/text.js';
import { displayUrl } from '../../outbound/exchange.js';
import { replyJson } from './send.js';
import {
  defaultSettings,
  eventKeyPatchSchema,
  forwardPatchSchema,
  forwardToPatchSchema,
  maskSecrets,
  normalizeSettings,
  patchRespond,
  patchSecrets,
  respondPatchSchema,
  secretsFor,
  secretsPatchSchema,
} from '../../capture/settings.js';
import { PRESETS, presetById, scalePreset } from '../../retries/presets.js';
import { DEFAULT_TOLERANCE_MS, bestPreset, compareTimeline } from '../../retries/timeline.js';
import { explainRequest, reverify } from '../../capture/verdicts.js';
import { SCHEMES, type SecretInput } from '../../verify/index.js';
import { jsonBody, pathParams, queryParams } from '../validate.js';
import { bodyPrefix, decodedBody, storedBody } from './bodies.js';
import { INLINE_BODY_BYTES, inlineEnd } from '../../common/body-inline.js';
import type { Bin, Capture, CaptureForward, CapturePage, CaptureSummary, EventPage, RetryPreset, ServerMessage, WebhookEvent } from '../../common/types.js';

/** What the control API needs from the app. */
export interface ApiDeps {
  store: Store;
  version: string;
  now: () => number;
  /** Secrets from the config, tried on every bin after the bin's own. */
  globalSecrets: readonly SecretInput[];
  /** `--forward` (and `--forward-relay`): where bins without their own `forwardTo` forward, or null. */
  globalForward?: GlobalForward | null;
  /** Tells live clients what changed; called after the store committed it. */
  publish: (message: ServerMessage, binId?: string) => void;
}

/** The most captures one page returns. */
export const MAX_PAGE = 1000;

const binIdSchema = z.string().regex(BIN_ID_PATTERN, 'a bin id is 1–64 of a-z, 0-9, _ and -');
const nameSchema = z.string().trim().min(1, 'a name must not be empty').max(200);
const binParam = pathParams(z.object({ binId: binIdSchema }));
const captureParam = pathParams(z.object({ id: z.string().regex(/^[0-9a-z]{1,64}$/, 'not a capture id') }));

const createBinBody = z.object({ id: binIdSchema.optional(), name: nameSchema.optional() }).strict();
const patchBinBody = z
  .object({
    name: nameSchema.optional(),
    respond: respondPatchSchema.nullable().optional(),
    secrets: secretsPatchSchema.optional(),
    eventKey: eventKeyPatchSchema.nullable().optional(),
    forwardTo: forwardToPatchSchema.optional(),
    forward: forwardPatchSchema.optional(),
  })
  .strict();
const VERDICTS = ['valid', 'invalid', 'expired', 'malformed', 'no-secret', 'unsigned'] as const;
const pageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `limit is a whole number from 1 to ${MAX_PAGE}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE, `limit is a whole number from 1 to ${MAX_PAGE}`)
    .optional(),
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'before is the "next" cursor of a previous page')
    .transform(Number)
    .optional(),
  verdict: z.enum(VERDICTS, { message: `verdict is one of ${VERDICTS.join(', ')}` }).optional(),
});
const presetIds = PRESETS.map((p) => p.id);
const eventsQuery = pageQuery.omit({ verdict: true }).extend({
  preset: z
    .string()
    .refine((id) => presetById(id) !== undefined, `preset is one of ${presetIds.join(', ')}`)
    .optional(),
  timeScale: z
    .string()
    .regex(/^\d{1,5}(\.\d+)?$/, 'timeScale is a number from 1 to 10000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10_000, 'timeScale is a number from 1 to 10000')
    .optional(),
});
const eventParam = pathParams(z.object({ binId: binIdSchema, key: z.string().min(1).max(1000) }));
const bodyQuery = z.object({ decoded: z.enum(['true', 'false', '1', '0']).optional() });


/** The public JSON of a bin; `origin` is the scheme and host the client used. */
export function binJson(bin: BinRecord, origin: string): Bin {
  const settings = normalizeSettings(bin.settings);
  return {
    id: bin.id,
    name: bin.name,
    url: `${origin}/b/${bin.id}`,
    createdAt: iso(bin.createdAt),
    captureCount: bin.captureCount,
    prunedCount: bin.prunedCount,
    respond: settings.respond,
    // Values never leave the server whole.
    secrets: maskSecrets(settings.secrets),
    eventKey: settings.eventKey,
    // A password in the URL is a secret too.
    forwardTo: settings.forwardTo === null ? null : displayUrl(settings.forwardTo),
    forward: settings.forward,
  };
}

/** The public summary of a capture (lists and live events). */
export function summaryJson(c: CaptureSummaryRecord): CaptureSummary {
  return {
    id: c.id,
    binId: c.binId,
    receivedAt: iso(c.receivedAt),
    method: c.method,
    path: c.path,
    query: c.query,
    contentType: c.contentType,
    bodySize: c.bodySize,
    truncated: c.truncated,
    remoteAddress: c.remoteAddress,
    status: c.status,
    verdict: c.verdict,
    event: c.event,
  };
}

/** What events are compared with, resolved once per request: the `preset` asked for, else every preset; each divided by `timeScale`. */
interface Schedules {
  preset: RetryPreset | undefined;
  all: readonly RetryPreset[];
  scale: number;
}

function schedulesFor(query: { preset?: string; timeScale?: number }): Schedules {
  const scale = query.timeScale ?? 1;
  const found = query.preset === undefined ? undefined : presetById(query.preset);
  return {
    preset: found && scalePreset(found, scale),
    all: found ? [] : scale === 1 ? PRESETS : PRESETS.map((p) => scalePreset(p, scale)),
    scale,
  };
}

/** An event with its gaps, compared with the chosen schedule or the best-matching one, as of `now`. */
function eventJson(e: EventRecord, schedules: Schedules, now: number): WebhookEvent {
  // At a compressed pace the absolute slack shrinks with the schedule.
  const options = { now, eventType: e.type, toleranceMs: DEFAULT_TOLERANCE_MS / schedules.scale };
  return {
    key: e.key,
    type: e.type,
    attempts: e.attempts.map((a, i) => ({
      captureId: a.captureId,
      receivedAt: iso(a.receivedAt),
      attempt: a.attempt,
      gapMs: i === 0 ? null : a.receivedAt - e.attempts[i - 1]!.receivedAt,
      status: a.status,
      fault: a.fault,
    })),
    comparison: schedules.preset ? compareTimeline(e.attempts, schedules.preset, options) : bestPreset(e.attempts, schedules.all, options),
  };
}

/**
 * The capture's verdicts as of now's secrets, with a diagnosis for each that
 * is not valid. A truncated body was never the signed one: say so instead of
 * guessing at re-serialization.
 */
function explainCapture(record: CaptureRecord, body: Buffer, secrets: readonly SecretInput[]): Capture['signatures'] {
  return explainRequest(record.headers, body, record.receivedAt, secrets).map((v) =>
    record.truncated && v.status === 'invalid'
      ? { ...v, diagnosis: `Only the first ${body.length} of ${record.bodySize} bytes were kept (the body was over --max-body), so the signature cannot match the stored bytes.` }
      : v,
  );
}

/**
 * The capture's JSON: its body inline up to {@link INLINE_BODY_BYTES} (the
 * rest is read from `/body`). `body` is the stored body, or at least its
 * first `INLINE_BODY_BYTES + 1` bytes (the one past tells where a UTF-8
 * character ends).
 */
function captureJson(record: CaptureRecord, body: Buffer, signatures: Capture['signatures']): Capture {
  const inline = body.subarray(0, inlineEnd(body, INLINE_BODY_BYTES));
  return {
    ...summaryJson(record),
    headers: record.headers,
    httpVersion: record.httpVersion,
    storedSize: record.storedSize,
    body: utf8OrNull(inline),
    bodyBase64: inline.toString('base64'),
    bodyInline: { bytes: inline.length, truncated: inline.length < record.storedSize },
    response: record.response as unknown as Capture['response'],
    signatures,
    event: record.event,
    forward: record.forward && forwardJson(record.forward),
  };
}

function forwardJson(f: ForwardRecord): CaptureForward {
  return {
    url: displayUrl(f.url),
    at: iso(f.at),
    status: f.status,
    response: f.response && replyJson(f.response),
    durationMs: f.durationMs,
    error: f.error,
    errorMessage: f.errorMessage,
    relayed: f.relayed,
  };
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function binNotFound(id: string): ApiError {
  return new ApiError(404, 'bin_not_found', `there is no bin "${id}"`);
}

function captureNotFound(id: string): ApiError {
  return new ApiError(404, 'capture_not_found', `there is no capture "${id}"`);
}

/** The control API, mounted at `/api` behind the guard. */
export function createApi(deps: ApiDeps) {
  const { store } = deps;
  return new Hono()
    .get('/health', (c) => c.json({ ok: true as const, version: deps.version }))
    .get('/info', (c) =>
      c.json({
        version: deps.version,
        globalSecrets: maskSecrets(deps.globalSecrets),
        forward: deps.globalForward ? { url: displayUrl(deps.globalForward.url), relay: deps.globalForward.relay, insecure: deps.globalForward.insecure } : null,
      }),
    )
    .post('/bins', jsonBody(createBinBody), (c) => {
      const input = c.req.valid('json');
      const id = input.id ?? newBinId();
      try {
        const bin = binJson(store.createBin({ id, name: input.name ?? id, createdAt: deps.now(), settings: defaultSettings() }), originOf(c.req.url));
        deps.publish({ type: 'bin.created', bin });
        return c.json(bin, 201);
      } catch (err) {
        if (err instanceof BinExistsError) throw new ApiError(409, 'bin_exists', `the bin id "${id}" is taken`);
        throw err;
      }
    })
    .get('/bins', (c) => {
      const origin = originOf(c.req.url);
      return c.json({ bins: store.listBins().map((b) => binJson(b, origin)) });
    })
    .get('/bins/:binId', binParam, (c) => {
      const { binId } = c.req.valid('param');
      const bin = store.getBin(binId);
      if (!bin) throw binNotFound(binId);
      return c.json(binJson(bin, originOf(c.req.url)));
    })
    .patch('/bins/:binId', binParam, jsonBody(patchBinBody), async (c) => {
      const { binId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const bin = store.getBin(binId);
      if (!bin) throw binNotFound(binId);
      const settings = normalizeSettings(bin.settings);
      if (patch.respond !== undefined) settings.respond = patchRespond(settings.respond, patch.respond);
      if (patch.eventKey !== undefined) settings.eventKey = patch.eventKey;
      if (patch.forwardTo !== undefined) settings.forwardTo = patch.forwardTo;
      if (patch.forward !== undefined) settings.forward = { ...settings.forward, ...patch.forward };
      if (patch.secrets !== undefined) {
        try {
          settings.secrets = patchSecrets(settings.secrets, patch.secrets);
        } catch (err) {
          throw new ApiError(400, 'invalid_secrets', (err as Error).message);
        }
      }
      const updated = store.updateBin(binId, { name: patch.name, settings });
      if (!updated) throw binNotFound(binId);
      if (patch.secrets !== undefined) {
        // The answer waits for the stored verdicts, so a client that refetches
        // after it sees them judged by the new secrets.
        await reverify(store, binId, () => secretsFor(settings, deps.globalSecrets));
        deps.publish({ type: 'captures.reverified', binId }, binId);
      }
      const json = binJson(updated, originOf(c.req.url));
      deps.publish({ type: 'bin.updated', bin: json });
      return c.json(json);
    })
    .delete('/bins/:binId', binParam, (c) => {
      const { binId } = c.req.valid('param');
      if (!store.deleteBin(binId)) throw binNotFound(binId);
      deps.publish({ type: 'bin.deleted', binId });
      return c.body(null, 204);
    })
    .get('/bins/:binId/captures', binParam, queryParams(pageQuery), (c) => {
      const { binId } = c.req.valid('param');
      const { limit, before, verdict } = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const page = store.listCaptures(binId, { limit: limit ?? 50, before, verdict });
      const body: CapturePage = { captures: page.captures.map(summaryJson), next: page.next === null ? null : String(page.next) };
      return c.json(body);
    })
    .get('/bins/:binId/events', binParam, queryParams(eventsQuery), (c) => {
      const { binId } = c.req.valid('param');
      const { limit, before, ...compare } = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const page = store.listEvents(binId, { limit: limit ?? 50, before });
      const now = deps.now();
      const schedules = schedulesFor(compare);
      const body: EventPage = { events: page.events.map((e) => eventJson(e, schedules, now)), next: page.next === null ? null : String(page.next) };
      return c.json(body);
    })
    .get('/bins/:binId/events/:key', eventParam, queryParams(eventsQuery.pick({ preset: true, timeScale: true })), (c) => {
      const { binId, key } = c.req.valid('param');
      const compare = c.req.valid('query');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const event = store.getEvent(binId, key);
      if (!event) throw new ApiError(404, 'event_not_found', `bin "${binId}" has no stored capture of event "${key}"`);
      return c.json(eventJson(event, schedulesFor(compare), deps.now()));
    })
    .get('/presets', (c) => c.json({ presets: PRESETS }))
    .delete('/bins/:binId/captures', binParam, (c) => {
      const { binId } = c.req.valid('param');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const deleted = store.clearCaptures(binId);
      deps.publish({ type: 'captures.cleared', binId }, binId);
      return c.json({ deleted });
    })
    .get('/captures/:id', captureParam, (c) => {
      const { id } = c.req.valid('param');
      const record = store.getCapture(id);
      if (!record) throw captureNotFound(id);
      // A signature is judged over every byte; without a signature header the inline part is all this needs.
      const signed = SCHEMES.some((s) => s.detect(record.headers));
      const body = signed ? store.getBody(id)?.data : bodyPrefix(store, id, INLINE_BODY_BYTES + 1);
      if (!body) throw captureNotFound(id);
      const bin = store.getBin(record.binId);
      const secrets = secretsFor(normalizeSettings(bin?.settings), deps.globalSecrets);
      return c.json(captureJson(record, body, signed ? explainCapture(record, body, secrets) : []));
    })
    .get('/captures/:id/body', captureParam, queryParams(bodyQuery), async (c) => {
      const { id } = c.req.valid('param');
      const { decoded } = c.req.valid('query');
      const range = c.req.header('range');
      return decoded === 'true' || decoded === '1' ? decodedBody(store, id, range) : storedBody(store, id, range);
    })
    .delete('/captures/:id', captureParam, (c) => {
      const { id } = c.req.valid('param');
      const binId = store.deleteCapture(id);
      if (!binId) throw captureNotFound(id);
      deps.publish({ type: 'capture.deleted', binId, id }, binId);
      return c.body(null, 204);
    });
}
