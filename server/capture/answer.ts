import { createHash } from 'node:crypto';
import { headerValue } from './read.js';
import { matchGlob } from './glob.js';
import { inferContentType, NO_BODY_STATUS } from '../common/http-syntax.js';
import type { CaptureResponse, HeaderPair, Outcome, RespondRule, RespondSettings, RuleMatch } from '../common/types.js';

/** What the answer to one request depends on, besides the bin's settings. */
export interface AnswerContext {
  method: string;
  /** The path after `/b/{binId}`, raw. */
  path: string;
  headers: HeaderPair[];
  /** The event this request delivers, and which attempt of it this is (1 = first). */
  event: { key: string; type: string | null; attempt: number };
  /** A uniform number in [0, 1) for an unseeded `random`; tests inject their own. */
  random?: () => number;
}

/**
 * Decides what a bin answers to one request, in this order: the first
 * matching rule (which overrides everything else), `failFirst` for the
 * event's first attempts, `sequence` by attempt, `random`, and finally the
 * bin's own status, body and fault. Pure: the caller stores the result and
 * then carries it out (delay, fault or reply).
 */
export function decideAnswer(settings: RespondSettings, ctx: AnswerContext): CaptureResponse {
  const ruleIndex = settings.rules.findIndex((r) => ruleMatches(r.match, ctx));
  if (ruleIndex !== -1) return fromRule(settings, settings.rules[ruleIndex]!, ruleIndex);

  const { attempt } = ctx.event;
  if (settings.failFirst && attempt <= settings.failFirst.count) {
    return failure(settings, settings.failFirst.status, `failFirst ${attempt}/${settings.failFirst.count}`);
  }
  if (settings.sequence && settings.sequence.length > 0) {
    return failure(settings, settings.sequence[Math.min(attempt, settings.sequence.length) - 1]!, `sequence ${attempt}`);
  }
  if (settings.random && draw(settings.random.seed, ctx) < settings.random.rate) {
    return failure(settings, settings.random.status, settings.random.seed === null ? 'random' : `random (pattern ${settings.random.seed})`);
  }
  if (settings.fault) return faulted(settings, settings.fault, 'default');
  return plain(settings, settings.status, 'default');
}

/** The bin's configured reply with `status`. */
function plain(settings: RespondSettings, status: number, reason: string): CaptureResponse {
  return reply(settings, status, Object.entries(settings.headers) as HeaderPair[], { text: settings.body, owner: settings }, settings.delayMs, reason);
}

/**
 * An outcome chosen by `failFirst`, `sequence` or `random`. A 2xx (or the
 * bin's own status) answers with the bin's configured headers and body; an
 * error status gets a JSON body saying it was on purpose, so nobody mistakes
 * it for a hookbin bug, and still the bin's headers (a CORS or tracing
 * header the user set must not vanish on exactly the answers being tested).
 */
function failure(settings: RespondSettings, outcome: Outcome, reason: string): CaptureResponse {
  if (typeof outcome !== 'number') return faulted(settings, outcome, reason);
  if (outcome < 300 || outcome === settings.status) return plain(settings, outcome, reason);
  const body = JSON.stringify({ ok: false, hookbin: `answered ${outcome} on purpose (${reason})` });
  return ownJsonAnswer(settings, outcome, body, settings.delayMs, reason);
}

/**
 * An answer whose body is hookbin's own JSON (an on-purpose failure, the 413
 * for a body over the limit): the bin's headers, but `application/json`
 * whatever Content-Type they give, since theirs describes the bin's body,
 * not this one.
 */
export function ownJsonAnswer(settings: RespondSettings, status: number, json: string, delayMs: number, reason: string): CaptureResponse {
  const headers = (Object.entries(settings.headers) as HeaderPair[]).filter(([n]) => n.toLowerCase() !== 'content-type');
  return reply(settings, status, headers, { text: json, owner: null }, delayMs, reason);
}

function faulted(settings: RespondSettings, fault: 'reset' | 'hang', reason: string): CaptureResponse {
  return { status: null, headers: [], body: '', delayMs: settings.delayMs, fault, reason };
}

/**
 * A body and the settings object it comes from (`settings` or a rule's
 * `respond`, never changed in place: a change of settings makes new
 * objects), so its inferred type is worked out once per object; `owner`
 * null for hookbin's own JSON.
 */
interface Body {
  text: string;
  owner: object | null;
}

/**
 * A reply: the given headers (the user's, which win), a Content-Type for the
 * body when they give none (see `inferContentType`), and `Retry-After` on a
 * 429 or 503 when the bin sets one and the headers do not.
 */
function reply(settings: RespondSettings, status: number, headers: HeaderPair[], body: Body, delayMs: number, reason: string): CaptureResponse {
  // `headers` is always a fresh array, so it is added to in place.
  const sent = NO_BODY_STATUS.has(status) ? '' : body.text;
  if (sent !== '' && headerValue(headers, 'content-type') === null) headers.push(['content-type', bodyType(body)]);
  if ((status === 429 || status === 503) && settings.retryAfter !== null && headerValue(headers, 'retry-after') === null) {
    headers.push(['retry-after', String(settings.retryAfter)]);
  }
  return { status, headers, body: sent, delayMs, fault: null, reason };
}

/**
 * `inferContentType` of a non-empty body, kept per settings object: a
 * configured body (up to 1 MiB) is parsed once, not on every request, and
 * the entry goes with the settings it came from.
 */
const typeOfOwner = new WeakMap<object, string>();
function bodyType(body: Body): string {
  if (body.owner === null) return 'application/json';
  let type = typeOfOwner.get(body.owner);
  // Stryker disable next-line ConditionalExpression: equivalent, a cache (inferring again gives the same type)
  if (type === undefined) {
    type = inferContentType(body.text)!;
    typeOfOwner.set(body.owner, type);
  }
  return type;
}

/** `base` with `over` set on top: a name in `over` (any case) replaces it in `base`. */
function mergeHeaders(base: Record<string, string>, over: Record<string, string>): HeaderPair[] {
  const replaced = new Set(Object.keys(over).map((n) => n.toLowerCase()));
  return [...(Object.entries(base) as HeaderPair[]).filter(([n]) => !replaced.has(n.toLowerCase())), ...(Object.entries(over) as HeaderPair[])];
}

/** A rule's answer: what it gives, over the bin's own headers, body, status, delay and fault. */
function fromRule(settings: RespondSettings, rule: RespondRule, index: number): CaptureResponse {
  const r = rule.respond;
  const reason = `rule ${index + 1}`;
  const delayMs = r.delayMs ?? settings.delayMs;
  const fault = r.fault === undefined ? (r.status === undefined ? settings.fault : null) : r.fault;
  if (fault) return { ...faulted(settings, fault, reason), delayMs };
  const body: Body = r.body === undefined ? { text: settings.body, owner: settings } : { text: r.body, owner: r };
  return reply(settings, r.status ?? settings.status, mergeHeaders(settings.headers, r.headers ?? {}), body, delayMs, reason);
}

/** Whether every field the rule gives matches the request; globs as `matchGlob` reads them. */
export function ruleMatches(match: RuleMatch, ctx: Pick<AnswerContext, 'method' | 'path' | 'headers' | 'event'>): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== ctx.method.toUpperCase()) return false;
  if (match.path !== undefined && !matchGlob(match.path, ctx.path)) return false;
  if (match.eventType !== undefined && (ctx.event.type === null || !matchGlob(match.eventType, ctx.event.type))) return false;
  if (match.header !== undefined) {
    const found = headerValue(ctx.headers, match.header.name);
    if (found === null) return false;
    if (match.header.value !== undefined && !matchGlob(match.header.value, found)) return false;
  }
  return true;
}

/**
 * A number in [0, 1). With a pattern number it depends only on that number, the event
 * key and the attempt, so a run is reproducible whatever order deliveries
 * arrive in.
 */
function draw(pattern: number | null, ctx: AnswerContext): number {
  if (pattern === null) return (ctx.random ?? Math.random)();
  const digest = createHash('sha256').update(`${pattern}\0${ctx.event.key}\0${ctx.event.attempt}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}
