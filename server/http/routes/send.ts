/**
 * Sending (mounted under `/api`, behind the token guard, never under a bin
 * URL): `/send` composes a delivery, `/captures/:id/resend` sends a capture
 * again. Inputs are validated here; the engine (outbound/sender.ts) only
 * ever sees resolved requests.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { normalizeSettings, userRecord } from '../../capture/settings.js';
import { HEADER_VALUE, HTTP_TOKEN as HEADER_NAME, isHttpToken } from '../../common/http-syntax.js';
import type { HeaderPair } from '../../common/types.js';
import { CUSTOM_SCHEME_ID, mergeSchemes, type CustomSchemeDef } from '../../common/custom-scheme.js';
import { RETRY_CLAIM_HEADER } from '../../common/retry-claim.js';
import { targetOf, targetUrlSchema } from '../../outbound/exchange.js';
import { forwardTargetOf, type GlobalForward } from '../../outbound/forward.js';
import { MAX_ATTEMPTS, MAX_TIMEOUT_MS, MAX_WAIT_MS, OutboxFullError, resolveRetry, resolveSecret, SendInputError, withContentType, type DeliveryRequest, type Sender } from '../../outbound/sender.js';
import { renderTemplate, TEMPLATE_IDS } from '../../outbound/templates.js';
import { PRESETS } from '../../retries/presets.js';
import { BIN_ID_PATTERN } from '../../store/ids.js';
import type { Bins, Bodies, Captures, DeliveryRecord, SignSpec } from '../../store/index.js';
import { SCHEME_LIST, isSchemeId, type SecretInput } from '../../verify/index.js';
import { ApiError } from '../errors.js';
import { jsonBody } from '../validate.js';
import { idParam, senderUnavailable } from './params.js';

/** What the send routes need. */
export interface SendDeps {
  /** The captures a resend reads, and the bins whose secrets sign. */
  store: Pick<Bins, 'getBin'> & Pick<Captures, 'getCapture'> & Pick<Bodies, 'getBody'>;
  /** The engine; without one the routes answer 503. */
  sender?: Sender;
  now: () => number;
  /** Secrets from the config, found by name after a bin's own. */
  globalSecrets: readonly SecretInput[];
  /** Users' own schemes from `--schemes FILE`, which `sign.scheme` may name. */
  globalSchemes?: readonly CustomSchemeDef[];
  /** `--forward`: the target of bins without their own `forwardTo`, and its options. */
  globalForward: GlobalForward | null;
}

/** The most headers one outbound request carries. */
export const MAX_SEND_HEADERS = 100;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const headerNameSchema = z.string().min(1).max(256).regex(HEADER_NAME, 'header names must be HTTP tokens');
const headerValueSchema = z.string().max(8192, 'a header value is at most 8192 characters').regex(HEADER_VALUE, 'header values must not contain CR, LF or NUL');
/** Headers as `[[name, value], …]` (order, case and duplicates kept) or `{name: value}`. */
const headersSchema = z
  .union([z.array(z.tuple([headerNameSchema, headerValueSchema])), userRecord(z.record(headerNameSchema, headerValueSchema)).transform((h) => Object.entries(h) as HeaderPair[])])
  .refine((h) => h.length <= MAX_SEND_HEADERS, `at most ${MAX_SEND_HEADERS} headers`);
const methodSchema = z
  .string()
  .refine((m) => m.length <= 20 && isHttpToken(m), 'a method is an HTTP token of at most 20 characters')
  .refine((m) => m.toUpperCase() !== 'CONNECT', 'CONNECT opens a tunnel, not a webhook');
const base64Schema = z.string().regex(BASE64, 'bodyBase64 must be standard base64');
const schemeSchema = z
  .string()
  .refine((id) => isSchemeId(id) || CUSTOM_SCHEME_ID.test(id), `not a scheme id (${SCHEME_LIST}, or one of your own schemes)`);
const signEntry = z
  .object({
    scheme: schemeSchema,
    /** The NAME of a configured secret (the bin's, then `--secret`), or else the secret value itself. */
    secret: z.string().min(1, 'a secret must not be empty').max(4096),
    /** Whose secrets a name is looked up in, before the `--secret` ones. */
    bin: z.string().regex(BIN_ID_PATTERN, 'not a bin id').optional(),
  })
  .strict();
const signSchema = z.union([signEntry, z.array(signEntry).max(9)]).transform((s) => (Array.isArray(s) ? s : [s]));
const retrySchema = z
  .object({
    preset: z.string().refine((id) => PRESETS.some((p) => p.id === id), `preset is one of ${PRESETS.map((p) => p.id).join(', ')}`),
    schedule: z
      .array(z.number().int().min(0).max(MAX_WAIT_MS, `a wait is at most ${MAX_WAIT_MS} ms (7 days)`))
      .min(1, 'a schedule has at least one attempt')
      .max(MAX_ATTEMPTS, `at most ${MAX_ATTEMPTS} attempts`),
    timeScale: z.number().min(0.01, 'timeScale is at least 0.01').max(1_000_000, 'timeScale is at most 1000000'),
    timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS, `timeoutMs is at most ${MAX_TIMEOUT_MS}`),
    eventType: z.string().max(200),
  })
  .partial()
  .strict()
  .refine((r) => !(r.preset !== undefined && r.schedule !== undefined), 'give a preset or a schedule, not both');
const bodyFields = {
  method: methodSchema.optional(),
  headers: headersSchema.optional(),
  body: z.string().optional(),
  bodyBase64: base64Schema.optional(),
  retry: retrySchema.optional(),
  /** https only: do not verify the target's certificate (a self-signed local app). */
  insecure: z.boolean().optional(),
};
const oneBody = (b: { body?: string; bodyBase64?: string }) => !(b.body !== undefined && b.bodyBase64 !== undefined);

/** `POST /api/send` (also described by openapi.ts). */
export const sendBody = z
  .object({
    url: targetUrlSchema,
    template: z.string().refine((t) => TEMPLATE_IDS.includes(t), `template is one of ${TEMPLATE_IDS.join(', ')}`).optional(),
    sign: signSchema.nullable().optional(),
    ...bodyFields,
  })
  .strict()
  .refine(oneBody, 'give body or bodyBase64, not both');

/** `POST /api/captures/{id}/resend` (also described by openapi.ts). */
export const resendBody = z
  .object({
    url: targetUrlSchema.optional(),
    /** true: re-sign with each scheme whose signature matched a configured secret; or the scheme(s) and secret(s) to sign with. */
    resign: z.union([z.literal(true), z.literal(false), signSchema]).optional(),
    ...bodyFields,
  })
  .strict()
  .refine(oneBody, 'give body or bodyBase64, not both');

/** The body given as text or base64, or undefined when neither. */
function bodyOf(input: { body?: string; bodyBase64?: string }): Buffer | undefined {
  if (input.body !== undefined) return Buffer.from(input.body, 'utf8');
  if (input.bodyBase64 !== undefined) return Buffer.from(input.bodyBase64, 'base64');
  return undefined;
}

/**
 * The URL a capture is forwarded (and by default resent) to: the target with
 * the capture's path after `/b/{binId}` and its query appended, credentials kept.
 */
export function forwardUrl(forwardTo: string, capture: { path: string; query: string }): string {
  const u = new URL(forwardTo);
  const t = targetOf(forwardTo, capture);
  const auth = u.username === '' ? '' : `${u.username}${u.password === '' ? '' : `:${u.password}`}@`;
  return `${u.protocol}//${auth}${u.host}${t.path}`;
}

function enqueue(sender: Sender, request: DeliveryRequest): DeliveryRecord {
  try {
    return sender.enqueue(request);
  } catch (err) {
    if (err instanceof OutboxFullError) throw new ApiError(429, 'outbox_full', err.message);
    if (err instanceof SendInputError) throw new ApiError(422, 'cannot_send', err.message);
    throw err;
  }
}

function retryOf(input: Parameters<typeof resolveRetry>[0], message: { headers: HeaderPair[]; body: Uint8Array }) {
  try {
    return resolveRetry(input, message);
  } catch (err) {
    if (err instanceof SendInputError) throw new ApiError(400, 'invalid_request', err.message);
    throw err;
  }
}

/** The send routes: `/send` and `/captures/:id/resend`. */
export function createSendRoutes(deps: SendDeps) {
  const { store } = deps;
  const secretsOfBin = (binId: string | undefined): SecretInput[] => {
    if (binId === undefined) return [];
    const bin = store.getBin(binId);
    if (!bin) throw new ApiError(404, 'bin_not_found', `there is no bin "${binId}"`);
    return normalizeSettings(bin.settings).secrets;
  };
  /** A user's own scheme named by `sign.scheme`: the bin's (`sign.bin`, or the resent capture's), then `--schemes`; undefined for a built-in id. */
  const customOf = (scheme: string, binId: string | undefined): CustomSchemeDef | undefined => {
    if (isSchemeId(scheme)) return undefined;
    const own = binId === undefined ? [] : (normalizeSettings(store.getBin(binId)?.settings).schemes ?? []);
    const def = mergeSchemes(own, deps.globalSchemes ?? []).find((d) => d.id === scheme);
    if (!def) throw new ApiError(400, 'invalid_request', `scheme "${scheme}" is neither built in nor defined in ${binId === undefined ? '' : `bin "${binId}"'s schemes or `}--schemes; to sign with a bin's own scheme, pass sign.bin`);
    return def;
  };
  const accepted = (d: DeliveryRecord) => ({ id: d.id, state: d.state, url: `/api/outbox/${d.id}` });

  return new Hono()
    .post('/send', jsonBody(sendBody), (c) => {
      const sender = deps.sender;
      if (!sender) throw senderUnavailable();
      const input = c.req.valid('json');
      const template = input.template === undefined ? undefined : renderTemplate(input.template, deps.now());
      const body = bodyOf(input) ?? Buffer.from(template?.body ?? '', 'utf8');
      const headers = withContentType(input.headers ?? template?.headers ?? [], body);
      const sign = (input.sign ?? []).map((s) => resolveSecret(s.scheme, s.secret, [...secretsOfBin(s.bin), ...deps.globalSecrets], customOf(s.scheme, s.bin)));
      const d = enqueue(sender, {
        kind: 'send',
        sourceCaptureId: null,
        method: input.method ?? template?.method ?? 'POST',
        url: input.url,
        headers,
        body,
        sign,
        retry: retryOf(input.retry, { headers, body }),
        insecure: input.insecure === true,
      });
      return c.json(accepted(d), 202);
    })
    .post('/captures/:id/resend', idParam, jsonBody(resendBody), (c) => {
      const sender = deps.sender;
      if (!sender) throw senderUnavailable();
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const record = store.getCapture(id);
      const notFound = () => new ApiError(404, 'capture_not_found', `there is no capture "${id}"`);
      if (!record) throw notFound();
      const settings = normalizeSettings(store.getBin(record.binId)?.settings);
      const forward = forwardTargetOf(settings, deps.globalForward);
      const url = input.url ?? (forward === null ? undefined : forwardUrl(forward.url, record));
      if (url === undefined) {
        throw new ApiError(400, 'no_target', `give a url, or set bin "${record.binId}"'s forwardTo (or start hookbin with --forward)`);
      }
      const edited = bodyOf(input);
      if (edited === undefined && record.truncated) {
        throw new ApiError(422, 'capture_truncated', `only the first ${record.storedSize} of ${record.bodySize} bytes of this capture were kept; send an edited body to resend it`);
      }
      // The stored body is read only when it is the one sent (it may be up to --max-body).
      const body = edited ?? store.getBody(id)?.data;
      if (body === undefined) throw notFound();
      // A captured X-Hookbin-Retry was another run's claim (its sender's proof of its own captures): the resend makes its own.
      const headers = input.headers ?? record.headers.filter(([n]) => n.toLowerCase() !== RETRY_CLAIM_HEADER);
      const candidates = [...settings.secrets, ...deps.globalSecrets];
      let sign: SignSpec[] = [];
      if (input.resign === true) {
        for (const v of record.signatures) {
          const secret = v.secret === null ? undefined : candidates.find((s) => s.name === v.secret);
          if ((v.status === 'valid' || v.status === 'expired') && secret) sign.push(resolveSecret(v.scheme, secret.name, [secret], customOf(v.scheme, record.binId)));
        }
        if (sign.length === 0) {
          throw new ApiError(422, 'nothing_to_resign', 'no signature of this capture matched a configured secret; pass resign: {scheme, secret}');
        }
      } else if (input.resign) {
        sign = input.resign.map((s) => resolveSecret(s.scheme, s.secret, [...(s.bin === undefined ? settings.secrets : secretsOfBin(s.bin)), ...deps.globalSecrets], customOf(s.scheme, s.bin ?? record.binId)));
      }
      const d = enqueue(sender, {
        kind: 'resend',
        sourceCaptureId: id,
        method: input.method ?? record.method,
        url,
        headers,
        body,
        sign,
        retry: retryOf(input.retry, { headers, body }),
        // To the forward target, a resend trusts its certificate as the forward does, unless told otherwise.
        insecure: input.insecure ?? (input.url === undefined && forward?.insecure === true),
      });
      return c.json(accepted(d), 202);
    });
}
