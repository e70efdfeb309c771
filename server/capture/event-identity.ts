/**
 * Event identity of a captured request: which event a delivery belongs to
 * (`key`, so retries of one event group together) and what kind of event it is
 * (`type`). Pure: no I/O, no clock, nothing stored; the capture path calls it
 * once per request and keeps the result.
 *
 * The key must be the same for every attempt of one event. Providers that
 * re-sign each attempt (Stripe's `Stripe-Signature: t=…`, Standard Webhooks'
 * `webhook-timestamp`/`webhook-signature`) change those headers between
 * attempts, so no signature or timestamp header is ever part of the key.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { indexHeaders, type HeaderIndex } from '../common/header-index.js';
import { HTTP_TOKEN, isHttpToken, isJsonPointer } from '../common/http-syntax.js';
import { MAX_RETRY_CLAIM_CHARS, RETRY_CLAIM_HEADER } from '../common/retry-claim.js';
import { MAX_EVENT_KEY_HEADER, MAX_EVENT_KEY_POINTER } from '../common/limits.js';
import type { HeaderPair } from '../common/types.js';
import { batchIdentity, type BatchIdentity } from './event-batch.js';
import { discordInteractionType, isDiscordRequest } from './event-discord.js';

/** A bin's own way to find the key, tried before the conventions. */
export interface EventIdentityOptions {
  /** A header name (matched case-insensitively) whose value is the key. */
  keyHeader?: string | null;
  /** An RFC 6901 JSON pointer into the JSON body whose string or number value is the key. */
  keyPointer?: string | null;
}

/** Which event a request belongs to, and where that was read. */
export interface EventIdentity {
  /** At most {@link MAX_KEY_LENGTH} characters; never empty. */
  key: string;
  /** The event type, at most {@link MAX_TYPE_LENGTH} characters, or null when none was found. */
  type: string | null;
  /**
   * Where the key came from: `header:<lower-case name>`, `body:<pointer>`,
   * `custom-header:<lower-case name>`, `custom-pointer:<pointer>` or `body-hash`.
   */
  keySource: string;
  /** Where the type came from (`header:<name>` or `body:<pointer>`), or null with no type. */
  typeSource?: string | null;
  /**
   * The first `X-Hookbin-Retry` header's value (common/retry-claim.ts),
   * trimmed; absent when there is none or it is longer than any claim.
   * Stored with the capture, so that the events view never searches headers.
   */
  retryClaim?: string;
}

/**
 * Longest key kept. A longer value (a hostile header, a huge body string) is
 * cut and given a hash suffix, so the store never holds more than this and two
 * long values that share a prefix still make different keys.
 */
export const MAX_KEY_LENGTH = 200;
/** Longest type kept; a longer one is cut (types are labels, no hash needed). */
export const MAX_TYPE_LENGTH = 200;
/** Bodies larger than this are never parsed as JSON: their key is the body hash. */
export const MAX_JSON_PARSE_BYTES = 1024 * 1024;

/**
 * Headers that carry a per-event id, first found wins. Each stays the same
 * across a provider's retries of one event (Standard Webhooks/Svix, GitHub,
 * Shopify under its `X-` and newer names, Webconnex, Twilio, Bitbucket's
 * `X-Request-UUID`, Linear's `Linear-Delivery`).
 */
export const KEY_HEADERS: readonly string[] = [
  'webhook-id',
  'svix-id',
  'x-github-delivery',
  'x-shopify-webhook-id',
  'shopify-webhook-id',
  'x-webconnex-delivery',
  'i-twilio-idempotency-token',
  'x-request-uuid',
  'linear-delivery',
];

/**
 * JSON pointers into the body that carry the event id, first found wins, read
 * only when no key header is present.
 *
 * The explicit names come before the generic `id` on purpose: Makeplans
 * copies its data object's `id` (e.g. the booking's) into the root "for
 * legacy reasons", so `booking.created` and `booking.confirmed` of one booking
 * share a root `id`; its `idempotency_id` is the one unique per webhook.
 */
export const BODY_KEY_POINTERS: readonly string[] = [
  '/idempotency_id', // Makeplans: "Unique id for this webhook"
  '/event_id', // Slack Events API, Square, Paddle, Typeform
  '/id', // Vercel, the generic API (`evt_…`), Webhooks API v2.4 (`event.id` is the body's `id`), Stripe
  '/data/object/id', // Movemint: payload `{type, data: {object}}`, no top-level id
  '/event/id', // Webhooks API v2.4 read literally ("the `event.id` field") for payloads that nest the event
  '/event-data/id', // Mailgun: the event's id inside `event-data`
];

/**
 * Twilio posts forms, not JSON: without its idempotency header, the message
 * or call sid is the key, with the status a status callback reports (one
 * message's callbacks share its sid, one per status), and that status is
 * the type. An incoming SMS has no status, so no type.
 */
export const FORM_KEY_FIELDS: readonly string[] = ['MessageSid', 'SmsSid', 'CallSid'];
/** Twilio status callback fields, first found wins: the event's type. */
export const FORM_TYPE_FIELDS: readonly string[] = ['MessageStatus', 'SmsStatus', 'CallStatus'];

/** Headers that carry the event type, first found wins (`x-event-key` is Bitbucket's `repo:push`…). */
export const TYPE_HEADERS: readonly string[] = ['x-github-event', 'x-webconnex-event', 'x-shopify-topic', 'shopify-topic', 'x-event-key'];

/**
 * JSON pointers into the body that carry the event type, first string wins
 * (`event_type` is Paddle's, beside its `event_id`).
 * `event` is an object in some payloads (Slack's inner event, Webhooks API v2.4 read
 * literally), which is why only strings count and `/event/type` comes last.
 */
export const BODY_TYPE_POINTERS: readonly string[] = ['/type', '/event', '/eventType', '/event_type', '/event/type', '/event-data/event'];

/**
 * Slack's Events API wraps every event in `{"type": "event_callback", "event":
 * {"type": "app_mention", …}}`: the outer type is the same for every event, so
 * the inner one is what the event is (other Slack payloads, such as
 * `url_verification`, keep their own `type`).
 */
const SLACK_ENVELOPE_TYPE = 'event_callback';

/**
 * Calendly sends no event id: an event is what happened (`invitee.created`)
 * to which resource (`payload.uri`), so the two together are its key.
 */
function calendlyKey(doc: unknown): string | null {
  const event = resolveJsonPointer(doc, '/event');
  const uri = resolveJsonPointer(doc, '/payload/uri');
  const createdBy = resolveJsonPointer(doc, '/created_by');
  if (typeof event !== 'string' || typeof uri !== 'string' || typeof createdBy !== 'string') return null;
  return event.trim() && uri.trim() ? `${event} ${uri}` : null;
}

/**
 * Linear's body says what changed (`type`: `Issue`) and how (`action`:
 * `create`); its event type is both, `Issue.create`. Recognised by the
 * `webhookTimestamp` only Linear sends.
 */
function linearType(doc: unknown): string | null {
  const type = resolveJsonPointer(doc, '/type');
  const action = resolveJsonPointer(doc, '/action');
  if (typeof resolveJsonPointer(doc, '/webhookTimestamp') !== 'number') return null;
  if (typeof type !== 'string' || typeof action !== 'string' || !type.trim() || !action.trim()) return null;
  return `${type}.${action}`;
}

export { isHttpToken, isJsonPointer };

/** A bin's `keyHeader` as the API accepts it: an HTTP token of 1–`MAX_EVENT_KEY_HEADER` characters, or null to clear it. */
export const eventKeyHeaderSchema = z
  .string()
  .min(1, 'a key header name must not be empty')
  .max(MAX_EVENT_KEY_HEADER, `a key header name is at most ${MAX_EVENT_KEY_HEADER} characters`)
  .regex(HTTP_TOKEN, 'a key header name must be an HTTP token (letters, digits and !#$%&\'*+.^_`|~-)');

/** A bin's `keyPointer` as the API accepts it: an RFC 6901 JSON pointer of at most 1024 characters. */
export const eventKeyPointerSchema = z
  .string()
  .max(MAX_EVENT_KEY_POINTER, `a key pointer is at most ${MAX_EVENT_KEY_POINTER} characters`)
  .refine(isJsonPointer, 'a key pointer must be a JSON pointer: "" or "/a/b", with ~0 for ~ and ~1 for /');

/** Both options as a bin's settings patch accepts them; each optional, null clears it. */
export const eventIdentityOptionsSchema = z
  .object({
    keyHeader: eventKeyHeaderSchema.nullable().optional(),
    keyPointer: eventKeyPointerSchema.nullable().optional(),
  })
  .strict();

/**
 * Validates bin options without zod: null when they are fine, else one
 * sentence saying what is wrong (for a 400 message).
 */
export function validateEventIdentityOptions(options: unknown): string | null {
  const parsed = eventIdentityOptionsSchema.safeParse(options);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return issue ? `${issue.path.join('.') || 'options'}: ${issue.message}` : 'invalid event key options';
}

/**
 * Splits a valid JSON pointer into its unescaped reference tokens (`~1` → `/`
 * first, then `~0` → `~`, as RFC 6901 §4 orders it). Null for an invalid one.
 */
export function parseJsonPointer(pointer: string): string[] | null {
  if (!isJsonPointer(pointer)) return null;
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// Every capture resolves the same few pointers (the conventions, a bin's own):
// parsed once each. Bounded, since a bin's pointer can be anything.
const parsedPointers = new Map<string, readonly string[] | null>();

function pointerTokens(pointer: string): readonly string[] | null {
  let tokens = parsedPointers.get(pointer);
  if (tokens === undefined) {
    if (parsedPointers.size >= 256) parsedPointers.clear();
    tokens = parseJsonPointer(pointer);
    parsedPointers.set(pointer, tokens);
  }
  return tokens;
}

/** Array indices per RFC 6901: `0` or no leading zero; `-` (past the end) never resolves. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * Resolves a JSON pointer against a parsed JSON value; undefined when any
 * token is missing. Only own properties count, so `/constructor` or
 * `/__proto__` never reach Object.prototype (a `__proto__` key that
 * JSON.parse made an own property is read like any other).
 */
export function resolveJsonPointer(doc: unknown, pointer: string): unknown {
  const tokens = pointerTokens(pointer);
  if (tokens === null) return undefined;
  let node: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      if (!ARRAY_INDEX.test(token)) return undefined;
      const index = Number(token);
      if (index >= node.length) return undefined;
      node = node[index];
    } else if (node !== null && typeof node === 'object') {
      if (!Object.hasOwn(node, token)) return undefined;
      node = (node as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return node;
}

/**
 * Finds the event key and type of a captured request. Key, first found wins:
 *
 * 1. the bin's `keyHeader`, then its `keyPointer` (`custom-header:…`, `custom-pointer:…`);
 * 2. {@link KEY_HEADERS} (`header:…`), the first header of a name counting;
 * 2b. a Discord interaction's `id` (`body:/id`), for a request Discord sent (event-discord.ts);
 * 3. {@link BODY_KEY_POINTERS} in a JSON body (`body:…`), strings and finite numbers;
 * 3b. Calendly's `event` and `payload.uri` together (`body:/event+/payload/uri`);
 * 3c. for a JSON array (a batch), every element's id (event-batch.ts; the source names the field);
 * 3d. in a Twilio form body, {@link FORM_KEY_FIELDS} with the status of a status callback (`form:…`);
 * 4. `sha256:` and the first 32 hex digits of the SHA-256 of the body bytes (`body-hash`).
 *
 * Type: {@link TYPE_HEADERS}, then a Discord interaction's numeric `type` in words, then Linear's `type.action`, then Slack's inner `event.type` inside an
 * `event_callback` envelope, then {@link BODY_TYPE_POINTERS} (strings only), then a batch's element
 * types, then a Twilio form's {@link FORM_TYPE_FIELDS}, else null.
 *
 * The body is read as JSON only when its first byte after an optional UTF-8
 * BOM and whitespace is `{` or `[`, it is at most {@link MAX_JSON_PARSE_BYTES}, and it
 * is valid UTF-8 and valid JSON; otherwise only headers and the hash count.
 * Never throws; empty or blank values are skipped; values are capped
 * ({@link MAX_KEY_LENGTH}, {@link MAX_TYPE_LENGTH}). A `keyHeader` that is not
 * an HTTP token or a `keyPointer` that is not a JSON pointer is ignored (a
 * capture must never fail over a setting); validate them on the way in with
 * {@link eventIdentityOptionsSchema}.
 */
export function eventIdentity(
  headers: HeaderPair[],
  body: Uint8Array,
  options: EventIdentityOptions = {},
  index: HeaderIndex = indexHeaders(headers),
): EventIdentity {
  const customHeader = options.keyHeader && isHttpToken(options.keyHeader) ? options.keyHeader.toLowerCase() : null;
  const customPointer = options.keyPointer != null && isJsonPointer(options.keyPointer) ? options.keyPointer : null;

  // Parsed at most once, and only when a header did not already answer.
  let parsed: { value: unknown } | undefined;
  const json = (): unknown => (parsed ??= { value: parseJsonBody(body) }).value;

  let key: { key: string; source: string } | null = null;
  if (customHeader) {
    const v = firstValue(index, customHeader);
    if (v !== undefined) key = { key: capKey(v), source: `custom-header:${customHeader}` };
  }
  if (!key && customPointer !== null) {
    const v = keyValue(resolveJsonPointer(json(), customPointer));
    if (v !== null) key = { key: capKey(v), source: `custom-pointer:${customPointer}` };
  }
  for (const name of KEY_HEADERS) {
    if (key) break;
    const v = firstValue(index, name);
    if (v !== undefined) key = { key: capKey(v), source: `header:${name}` };
  }
  // A Discord interaction's `id` is its key, and its numeric `type` its kind (event-discord.ts).
  const discord = isDiscordRequest(headers, index);
  if (!key && discord) {
    const v = keyValue(resolveJsonPointer(json(), '/id'));
    if (v !== null) key = { key: capKey(v), source: 'body:/id' };
  }
  for (const pointer of BODY_KEY_POINTERS) {
    if (key) break;
    const v = keyValue(resolveJsonPointer(json(), pointer));
    if (v !== null) key = { key: capKey(v), source: `body:${pointer}` };
  }
  if (!key) {
    const v = calendlyKey(json());
    if (v !== null) key = { key: capKey(v), source: 'body:/event+/payload/uri' };
  }
  // Read only for array bodies (HubSpot's and SendGrid's batches), and once.
  let batched: { value: BatchIdentity | null } | undefined;
  const batch = (): BatchIdentity | null => (batched ??= { value: Array.isArray(json()) ? batchIdentity(json()) : null }).value;
  if (!key) {
    const b = batch();
    if (b?.key) key = { key: capKey(b.key.value), source: b.key.source };
  }
  const form = twilioForm(index, body);
  if (!key && form) {
    const field = FORM_KEY_FIELDS.find((f) => form.get(f)?.trim());
    const status = FORM_TYPE_FIELDS.map((f) => form.get(f)?.trim()).find((v) => v);
    if (field) key = { key: capKey(`${form.get(field)!.trim()}${status ? `:${status}` : ''}`), source: `form:${field}` };
  }
  key ??= { key: bodyHash(body), source: 'body-hash' };

  let type: { type: string; source: string } | null = null;
  for (const name of TYPE_HEADERS) {
    const v = firstValue(index, name);
    if (v !== undefined) {
      type = { type: capText(v, MAX_TYPE_LENGTH), source: `header:${name}` };
      break;
    }
  }
  if (!type && discord) {
    const v = discordInteractionType(resolveJsonPointer(json(), '/type'));
    if (v !== null) type = { type: v, source: 'body:/type' };
  }
  if (!type) {
    const v = linearType(json());
    if (v !== null) type = { type: capText(v, MAX_TYPE_LENGTH), source: 'body:/type+/action' };
  }
  if (!type && resolveJsonPointer(json(), '/type') === SLACK_ENVELOPE_TYPE) {
    const inner = resolveJsonPointer(json(), '/event/type');
    if (typeof inner === 'string' && inner.trim() !== '') type = { type: capText(inner, MAX_TYPE_LENGTH), source: 'body:/event/type' };
  }
  for (const pointer of BODY_TYPE_POINTERS) {
    if (type) break;
    const v = resolveJsonPointer(json(), pointer);
    if (typeof v === 'string' && v.trim() !== '') type = { type: capText(v, MAX_TYPE_LENGTH), source: `body:${pointer}` };
  }

  if (!type) {
    const b = batch();
    if (b?.type) type = { type: capText(b.type.value, MAX_TYPE_LENGTH), source: b.type.source };
  }
  for (const field of FORM_TYPE_FIELDS) {
    if (type || !form) break;
    const v = form.get(field)?.trim();
    if (v) type = { type: capText(v, MAX_TYPE_LENGTH), source: `form:${field}` };
  }

  const claim = firstValue(index, RETRY_CLAIM_HEADER);
  const retryClaim = claim !== undefined && claim.length <= MAX_RETRY_CLAIM_CHARS ? claim : undefined;
  return { key: key.key, type: type?.type ?? null, keySource: key.source, typeSource: type?.source ?? null, retryClaim };
}

/** A form body's fields when the request is a form (by its first Content-Type) of at most MAX_JSON_PARSE_BYTES; else null. */
function twilioForm(index: HeaderIndex, body: Uint8Array): URLSearchParams | null {
  if (body.length === 0 || body.length > MAX_JSON_PARSE_BYTES) return null;
  const type = index.get('content-type')?.[1] ?? '';
  if (!/^\s*application\/x-www-form-urlencoded/i.test(type)) return null;
  return new URLSearchParams(Buffer.from(body).toString('utf8'));
}

/**
 * The first value of a (lower-case) header name, trimmed, read from the
 * index. Only the first of a name counts: a blank first value makes the
 * name absent rather than promoting a later duplicate.
 */
function firstValue(index: HeaderIndex, name: string): string | undefined {
  const value = index.get(name)?.[1].trim();
  return value === '' ? undefined : value;
}

/** A key from a JSON value: non-blank strings as they are, finite numbers in JS's shortest form; else null. */
function keyValue(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  // Integers above 2^53 lose digits in JSON.parse; every attempt loses them the same way, so grouping holds.
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The parsed body when it is a JSON object or array small enough to parse, else undefined. Never throws. */
function parseJsonBody(body: Uint8Array): unknown {
  if (body.length > MAX_JSON_PARSE_BYTES) return undefined;
  let i = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3; // a UTF-8 BOM, which the decoder drops
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
  // `{` or `[`: objects carry ids and types, arrays are batches of them (HubSpot, SendGrid).
  if (body[i] !== 0x7b && body[i] !== 0x5b) return undefined;
  try {
    return JSON.parse(UTF8.decode(body));
  } catch {
    // Invalid UTF-8, invalid JSON, or (in principle) nesting beyond what the parser takes.
    return undefined;
  }
}

/** `sha256:` and the first 32 hex digits (128 bits) of the body's SHA-256. */
function bodyHash(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
}

/** Keeps keys of at most MAX_KEY_LENGTH; a longer one becomes its first 150 characters, `…`, and a hash of the whole. */
function capKey(v: string): string {
  if (v.length <= MAX_KEY_LENGTH) return v;
  const hash = createHash('sha256').update(v, 'utf8').digest('hex').slice(0, 32);
  return `${cutAt(v, 150)}…sha256:${hash}`;
}

/** Cuts to at most `max` UTF-16 units. */
function capText(v: string, max: number): string {
  return v.length <= max ? v : cutAt(v, max);
}

/** The first `n` UTF-16 units, minus a trailing lone high surrogate (which SQLite would store as U+FFFD). */
function cutAt(v: string, n: number): string {
  const cut = v.slice(0, n);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
