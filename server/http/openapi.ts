/**
 * The OpenAPI 3.1 description of the control API, served at
 * `GET /api/openapi.json`. Written by hand: paths, parameters and the main
 * response shapes (common/types.ts says every field); request bodies come
 * from the routes' own zod schemas, so what is described is what is checked.
 * test/server/openapi.test.ts fails when a route of the app is missing here,
 * or a path here is not a route of the app.
 */
import { z } from 'zod';
import { CHECK_IDS } from '../common/check.js';
import { createBinBody, patchBinBody } from './routes/bins.js';
import { resendBody, sendBody } from './routes/send.js';
import { checkBody } from './routes/check.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): Json => ({ type: 'string', ...(description ? { description } : {}) });
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
const array = (items: Json): Json => ({ type: 'array', items });
const object = (properties: Json, required: string[] = Object.keys(properties)): Json => ({ type: 'object', properties, required });
const page = (key: string, item: string): Json => object({ [key]: array(ref(item)), next: nullable(str('pass as `before` for the next page')) });

/** A route's request body as its zod schema accepts it (`$schema` left out: the document names its dialect). */
function bodyOf(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return { required: true, content: { 'application/json': { schema: rest } } };
}

const jsonAnswer = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });
const bytesAnswer = (description: string): Json => ({ description, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } });
const error = { $ref: '#/components/responses/Error' };

/** One operation: a summary, its parameters, its answers; every operation may answer 400, 401 and 403 with the error body. */
function op(summary: string, responses: Json, extra: { parameters?: Json[]; requestBody?: Json; errors?: number[]; security?: Json[] } = {}): Json {
  const errors = Object.fromEntries([400, 401, 403, ...(extra.errors ?? [])].map((s) => [String(s), error]));
  const { errors: _errors, ...rest } = extra;
  return { summary, ...rest, responses: { ...responses, ...errors } };
}

const param = (name: string, where: 'path' | 'query', schema: Json, description: string): Json => ({ name, in: where, required: where === 'path', schema, description });
const BIN = param('binId', 'path', { type: 'string', pattern: '^[a-z0-9_-]{1,64}$' }, 'the bin id');
const CAPTURE = param('id', 'path', { type: 'string', pattern: '^[0-9a-z]{1,64}$' }, 'a capture id');
const DELIVERY = param('id', 'path', { type: 'string', pattern: '^[0-9a-z]{1,64}$' }, 'a delivery id');
const LIMIT = param('limit', 'query', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, 'page size');
const BEFORE = param('before', 'query', { type: 'string', pattern: '^\\d{1,15}$' }, 'the `next` cursor of the previous page');
const FORMAT = param('format', 'query', { type: 'string', enum: ['ndjson', 'har'], default: 'ndjson' }, 'the file format');
const VERDICTS = ['valid', 'invalid', 'expired', 'malformed', 'no-secret', 'unsigned'];
const COMPARE = [
  param('preset', 'query', str(), 'compare with this retry preset (an id of `GET /api/presets`)'),
  param('timeScale', 'query', { type: 'number', minimum: 1, maximum: 10000 }, 'divide the schedule by this (a sender that ran N× faster)'),
];

const headerPairs = array({ type: 'array', prefixItems: [str('name'), str('value')], minItems: 2, maxItems: 2 });
const fault = nullable({ type: 'string', enum: ['reset', 'hang'] });
const verdict = { type: 'string', enum: VERDICTS.filter((v) => v !== 'unsigned') };

const captureSummary = object({
  id: str(),
  binId: str(),
  receivedAt: str('ISO-8601 with milliseconds'),
  method: str(),
  path: str('after `/b/{binId}`, raw'),
  query: str('the raw query string without `?`'),
  contentType: nullable(str()),
  bodySize: { type: 'integer' },
  truncated: { type: 'boolean', description: 'only the first bytes were kept (over --max-body)' },
  remoteAddress: nullable(str()),
  status: nullable({ type: 'integer', description: 'what hookbin answered; null for a fault' }),
  fault,
  delayMs: { type: 'integer' },
  verdict: nullable(verdict),
  event: object({ key: str(), type: nullable(str()), attempt: { type: 'integer', minimum: 1 } }),
  provider: nullable(object({ id: str(), name: str() })),
});

const signature = object({
  scheme: str(),
  header: str(),
  status: verdict,
  secret: nullable(str('the NAME of the secret that matched')),
  diagnosis: nullable(str()),
  skewSeconds: { type: 'number' },
}, ['scheme', 'header', 'status', 'secret', 'diagnosis']);

const reply = object({ headers: headerPairs, body: str(), bodyBase64: str('only when the body is not UTF-8'), size: { type: 'integer' }, truncated: { type: 'boolean' } }, ['headers', 'body', 'size', 'truncated']);

const capture = {
  allOf: [
    ref('CaptureSummary'),
    object({
      headers: { ...headerPairs, description: 'as received: order, case and duplicates kept' },
      httpVersion: nullable(str()),
      storedSize: { type: 'integer' },
      body: nullable(str('the inline part as text when it is UTF-8')),
      bodyBase64: str('the inline part, base64 (up to 256 KiB; the whole body is at /body)'),
      bodyInline: object({ bytes: { type: 'integer' }, truncated: { type: 'boolean' } }),
      response: object({ status: nullable({ type: 'integer' }), headers: headerPairs, body: str(), delayMs: { type: 'integer' }, fault, reason: str() }),
      signatures: array(ref('SignatureVerdict')),
      forward: nullable({ type: 'object', description: "the app's reply when the capture was forwarded live" }),
    }),
  ],
};

const event = object({
  key: str(),
  type: nullable(str()),
  attempts: array(
    object({ captureId: str(), receivedAt: str(), attempt: { type: 'integer' }, gapMs: nullable({ type: 'integer' }), status: nullable({ type: 'integer' }), fault }),
  ),
  comparison: nullable({ type: 'object', description: 'the attempts compared with a retry preset: expected and actual gaps, flags, verdict' }),
  basis: { type: 'object', description: 'which preset and pace the comparison used, and why' },
});

const outboxSummary = object({
  id: str(),
  kind: { type: 'string', enum: ['send', 'resend'] },
  sourceCaptureId: nullable(str()),
  state: { type: 'string', enum: ['pending', 'delivered', 'failed', 'cancelled'] },
  createdAt: str(),
  updatedAt: str(),
  method: str(),
  url: str('a password in it masked'),
  attemptCount: { type: 'integer' },
  maxAttempts: { type: 'integer' },
  lastStatus: nullable({ type: 'integer' }),
  lastError: nullable(str()),
  nextAttemptAt: nullable(str()),
  insecure: { type: 'boolean' },
});

const delivery = {
  allOf: [
    ref('OutboxSummary'),
    object({
      headers: headerPairs,
      bodySize: { type: 'integer' },
      body: nullable(str()),
      bodyBase64: str(),
      sign: array(object({ scheme: str(), secretName: nullable(str()), secret: str('masked') })),
      retry: { type: 'object' },
      attempts: array(
        object({
          n: { type: 'integer' },
          at: str(),
          status: nullable({ type: 'integer' }),
          error: nullable(str()),
          errorMessage: nullable(str()),
          durationMs: { type: 'integer' },
          request: object({ method: str(), url: str(), headers: headerPairs }),
          response: nullable(ref('TargetReply')),
        }),
      ),
    }),
  ],
};

const bin = object({
  id: str(),
  name: str(),
  url: str('the ingress URL providers are given'),
  createdAt: str(),
  captureCount: { type: 'integer' },
  prunedCount: { type: 'integer' },
  respond: { type: 'object', description: 'what the bin answers (README, "Failing answers and retry timelines")' },
  secrets: array(object({ name: str(), value: str('masked'), scheme: nullable(str()) })),
  eventKey: nullable(object({ header: nullable(str()), pointer: nullable(str()) })),
  forwardTo: nullable(str()),
  forward: object({ relay: { type: 'boolean' }, timeoutMs: { type: 'integer' }, insecure: { type: 'boolean' } }),
  cors: { type: 'boolean' },
  schemes: array({ type: 'object', description: 'a signature scheme of the bin’s own' }),
});

const accepted = jsonAnswer('queued', object({ id: str(), state: str(), url: str('where to follow it: /api/outbox/{id}') }));
const noContent = { description: 'done, no body' };

/** The paths, as the app routes them (`{param}` for `:param`). */
function paths(): Json {
  return {
    '/api/health': { get: op('Liveness and version; the one route without the token', { 200: jsonAnswer('up', object({ ok: { const: true }, version: str() })) }, { security: [] }) },
    '/api/info': { get: op('Version, --public-url, the global secrets (masked), schemes and --forward', { 200: jsonAnswer('settings', { type: 'object' }) }) },
    '/api/presets': { get: op("The providers' retry schedules, with sources", { 200: jsonAnswer('presets', object({ presets: array(ref('RetryPreset')) })) }) },
    '/api/openapi.json': { get: op('This description', { 200: jsonAnswer('OpenAPI 3.1', { type: 'object' }) }) },
    '/api/ws': {
      get: op('The live feed (WebSocket upgrade); authenticate at the upgrade or with a first {"type":"auth"} message', {
        101: { description: 'switched to WebSocket' },
        426: error,
        503: error,
      }, { parameters: [param('token', 'query', str(), 'the token, for clients that cannot set headers on the upgrade')] }),
    },
    '/api/bins': {
      get: op('Every bin', { 200: jsonAnswer('bins', object({ bins: array(ref('Bin')) })) }),
      post: op('Create a bin', { 201: jsonAnswer('created', ref('Bin')) }, { requestBody: bodyOf(createBinBody), errors: [409] }),
    },
    '/api/bins/{binId}': {
      parameters: [BIN],
      get: op('One bin', { 200: jsonAnswer('the bin', ref('Bin')) }, { errors: [404] }),
      patch: op('Rename, or change what the bin answers, its secrets, event key, forwarding, CORS or own schemes', { 200: jsonAnswer('the bin as changed', ref('Bin')) }, { requestBody: bodyOf(patchBinBody), errors: [404] }),
      delete: op('Delete the bin and its captures', { 204: noContent }, { errors: [404] }),
    },
    '/api/bins/{binId}/captures': {
      parameters: [BIN],
      get: op('Captures, newest first', {
        200: jsonAnswer('a page', {
          ...page('captures', 'CaptureSummary'),
          properties: { ...(page('captures', 'CaptureSummary').properties as Json), pending: { type: 'integer', description: 'with q: how many of the bin\'s captures were not searched yet (still being indexed)' } },
        }),
      }, {
        parameters: [
          LIMIT,
          BEFORE,
          param('verdict', 'query', { type: 'string', enum: VERDICTS }, 'only captures with this signature verdict'),
          param('q', 'query', { type: 'string', maxLength: 256 }, 'only captures whose body text, headers, path or query hold every word (3 characters or more; "…" for a phrase)'),
        ],
        errors: [404],
      }),
      delete: op('Clear the bin', { 200: jsonAnswer('how many were deleted', object({ deleted: { type: 'integer' } })) }, { errors: [404] }),
    },
    '/api/bins/{binId}/export': {
      parameters: [BIN],
      get: op("Export the bin's captures, oldest first, streamed: NDJSON (hookbin's own, lossless: a version line, then one capture a line with its body in base64) or HAR 1.2", {
        200: {
          description: 'the export, as an attachment',
          content: { 'application/x-ndjson': { schema: str('one JSON value a line') }, 'application/json': { schema: { type: 'object', description: 'HAR 1.2' } } },
        },
      }, { parameters: [FORMAT], errors: [404] }),
    },
    '/api/bins/{binId}/import': {
      parameters: [BIN],
      post: op("Import an NDJSON export or a HAR file into the bin: byte-exact bodies and header pairs, verdicts judged with this bin's secrets, all or nothing", {
        200: jsonAnswer('imported', object({ format: { type: 'string', enum: ['ndjson', 'har'] }, imported: { type: 'integer' }, pruned: { type: 'integer' }, bin: ref('Bin') })),
      }, {
        parameters: [param('format', 'query', { type: 'string', enum: ['ndjson', 'har'] }, 'the file\'s format; read from its first line when absent')],
        requestBody: { required: true, content: { 'application/x-ndjson': { schema: str() }, 'application/json': { schema: { type: 'object' } } } },
        errors: [404, 413],
      }),
    },
    '/api/bins/{binId}/events': {
      parameters: [BIN],
      get: op('Events (captures grouped by event key), the latest delivered first, compared with a retry schedule', { 200: jsonAnswer('a page', page('events', 'WebhookEvent')) }, {
        parameters: [LIMIT, BEFORE, ...COMPARE, param('retried', 'query', { type: 'string', enum: ['true', 'false', '1', '0'] }, 'only events with more than one attempt')],
        errors: [404],
      }),
    },
    '/api/bins/{binId}/events/{key}': {
      parameters: [BIN, param('key', 'path', { type: 'string', minLength: 1, maxLength: 1000 }, 'the event key')],
      get: op('One event, compared the same way', { 200: jsonAnswer('the event', ref('WebhookEvent')) }, { parameters: COMPARE, errors: [404] }),
    },
    '/api/captures/{id}': {
      parameters: [CAPTURE],
      get: op('The whole capture, its verdicts judged with the current secrets', { 200: jsonAnswer('the capture', ref('Capture')) }, { errors: [404] }),
      delete: op('Delete one capture', { 204: noContent }, { errors: [404] }),
    },
    '/api/captures/{id}/body': {
      parameters: [CAPTURE],
      get: op('The exact body bytes (one Range), or with decoded=true its gzip/deflate/br undone (up to 16 MiB)', {
        200: bytesAnswer('the body, with the captured Content-Type, as an attachment'),
        206: bytesAnswer('the range asked for'),
        416: error,
      }, {
        parameters: [
          param('decoded', 'query', { type: 'string', enum: ['true', 'false', '1', '0'] }, 'undo the Content-Encoding'),
          { name: 'Range', in: 'header', required: false, schema: str(), description: '`bytes=a-b`, `bytes=a-` or `bytes=-n`' },
        ],
        errors: [404, 422],
      }),
    },
    '/api/captures/{id}/resend': {
      parameters: [CAPTURE],
      post: op('Send the capture again, exactly or edited and re-signed', { 202: accepted }, { requestBody: bodyOf(resendBody), errors: [404, 422, 429, 503] }),
    },
    '/api/send': { post: op('Send a webhook (signed, on a retry schedule)', { 202: accepted }, { requestBody: bodyOf(sendBody), errors: [404, 422, 429, 503] }) },
    '/api/check': {
      post: op('Check an endpoint the way its provider will: signed, forged, stale, replayed and timed deliveries, one at a time', { 200: jsonAnswer('the report', ref('CheckReport')) }, {
        requestBody: bodyOf(checkBody),
        errors: [404, 422, 429],
      }),
    },
    '/api/outbox': {
      get: op('Deliveries, newest first', { 200: jsonAnswer('a page', page('deliveries', 'OutboxSummary')) }, {
        parameters: [
          LIMIT,
          BEFORE,
          param('state', 'query', { type: 'string', enum: ['pending', 'delivered', 'failed', 'cancelled'] }, 'only deliveries in this state'),
          param('capture', 'query', { type: 'string', pattern: '^[0-9a-z]{1,64}$' }, 'only the resends of this capture'),
        ],
      }),
    },
    '/api/outbox/{id}': {
      parameters: [DELIVERY],
      get: op('One delivery with every attempt’s exact request and reply', { 200: jsonAnswer('the delivery', ref('OutboxDelivery')) }, { errors: [404] }),
      delete: op('Delete a delivery with its attempts (cancelling it first)', { 204: noContent }, { errors: [404] }),
    },
    '/api/outbox/{id}/body': { parameters: [DELIVERY], get: op('The delivery’s body bytes, as an attachment', { 200: bytesAnswer('the body') }, { errors: [404] }) },
    '/api/outbox/{id}/cancel': {
      parameters: [DELIVERY],
      post: op('Cancel a pending delivery', { 200: jsonAnswer('the delivery, cancelled', ref('OutboxDelivery')) }, { errors: [404, 409, 503] }),
    },
    '/api/templates': { get: op('Sample deliveries of each provider, with fresh ids', { 200: jsonAnswer('templates', object({ templates: array({ type: 'object' }) })) }) },
  };
}

const checkResult = object({
  check: { type: 'string', enum: [...CHECK_IDS] },
  outcome: { type: 'string', enum: ['pass', 'fail', 'skip', 'info'] },
  summary: str('what happened, one sentence'),
  why: str('why the check matters, one sentence'),
  sent: object({ method: str(), url: str(), headers: headerPairs, body: str('as UTF-8 text') }),
  reply: object({ status: nullable({ type: 'integer' }), ms: { type: 'integer' }, bodyExcerpt: str(), error: str('why no answer came') }, ['status', 'ms', 'bodyExcerpt']),
}, ['check', 'outcome', 'summary', 'why']);

const checkReport = object({
  to: str('the endpoint the requests went to'),
  signedUrl: str('URL-signed schemes given publicUrl: the URL that was signed instead of `to`'),
  scheme: str(),
  template: str(),
  timeoutMs: { type: 'integer', description: "the provider's timeout the answers were judged against" },
  passed: { type: 'boolean', description: 'no check failed' },
  results: array(checkResult),
  startedAt: { type: 'integer', description: 'ms since the epoch' },
  durationMs: { type: 'integer' },
}, ['to', 'scheme', 'template', 'timeoutMs', 'passed', 'results', 'startedAt', 'durationMs']);

let cached: Json | null = null;

/** The whole document for hookbin `version`; built once (the zod conversions are not free). */
export function openApiDocument(version: string): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'hookbin control API',
      version,
      description: 'Bins, captures, events, the outbox and sending. Bin URLs (/b/{binId}) take any method and are not described here.',
    },
    security: [{ bearer: [] }],
    paths: paths(),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the token hookbin printed (and keeps in its data directory)' } },
      responses: {
        Error: jsonAnswer('an error', object({ error: object({ code: str('stable, machine-readable'), message: str() }) })),
      },
      schemas: {
        Bin: bin,
        CaptureSummary: captureSummary,
        Capture: capture,
        SignatureVerdict: signature,
        WebhookEvent: event,
        RetryPreset: object({ id: str(), name: str(), source: str(), delays: array({ type: 'integer' }), retriesOn: str() }, ['id', 'name', 'delays']),
        OutboxSummary: outboxSummary,
        OutboxDelivery: delivery,
        TargetReply: reply,
        CheckReport: checkReport,
      },
    },
  };
  return { ...cached, info: { ...(cached.info as Json), version } };
}
