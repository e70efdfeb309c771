/**
 * The Answers tab's form, pure: everything a bin's `respond` holds besides
 * its rules, its `eventKey` and its `cors` switch, as the text the user
 * typed, to and from what `PATCH /api/bins/{id}` takes. Each check says in
 * one sentence what to fix, with the limits the server enforces.
 */
import { inferContentType, isHttpToken, isJsonPointer, NO_BODY_STATUS } from '../../../../server/common/http-syntax.js';
import {
  MAX_DELAY_MS,
  MAX_EVENT_KEY_HEADER,
  MAX_EVENT_KEY_POINTER,
  MAX_FAIL_FIRST,
  MAX_RANDOM_PATTERN,
  MAX_RESPOND_BODY,
  MAX_RETRY_AFTER_S,
  MAX_SEQUENCE,
} from '../../../../server/common/limits.js';
import type { Bin, Outcome, RespondSettings } from '../../../../server/common/types.js';
import { headerLines, parseHeaderLines, parseIntIn, parseOutcome } from './fields.js';

export { parseHeaderLines };

/** The form as typed: "" leaves an optional feature off. */
export interface AnswerDraft {
  status: string;
  fault: '' | 'reset' | 'hang';
  delayMs: string;
  body: string;
  /** One `Name: value` a line. */
  headers: string;
  failFirstCount: string;
  failFirstStatus: string;
  /** Outcomes separated by commas: `500, 503, reset, 200`. */
  sequence: string;
  /** A percentage, 0–100. */
  randomRate: string;
  randomStatus: string;
  randomPattern: string;
  retryAfter: string;
  keyHeader: string;
  keyPointer: string;
  cors: boolean;
}

/** What the form saves: one PATCH. */
export interface AnswerPatch {
  respond: Omit<RespondSettings, 'rules'>;
  eventKey: { header: string | null; pointer: string | null } | null;
  cors: boolean;
}

/** The form for a bin as it is. */
export function draftFromBin(bin: Pick<Bin, 'respond' | 'eventKey' | 'cors'>): AnswerDraft {
  const r = bin.respond;
  return {
    status: String(r.status),
    fault: r.fault ?? '',
    delayMs: String(r.delayMs),
    body: r.body,
    headers: headerLines(r.headers),
    failFirstCount: r.failFirst ? String(r.failFirst.count) : '',
    failFirstStatus: r.failFirst ? String(r.failFirst.status) : '500',
    sequence: r.sequence ? r.sequence.map(String).join(', ') : '',
    randomRate: r.random ? percentText(r.random.rate) : '',
    randomStatus: r.random ? String(r.random.status) : '500',
    randomPattern: r.random?.seed != null ? String(r.random.seed) : '',
    retryAfter: r.retryAfter === null ? '' : String(r.retryAfter),
    keyHeader: bin.eventKey?.header ?? '',
    keyPointer: bin.eventKey?.pointer ?? '',
    cors: bin.cors,
  };
}

/**
 * A share as the percentage typed back: 12 significant digits, which drop
 * the float noise of `rate * 100` (0.07 → 7, not 7.000000000000001) but keep
 * a small rate set through the API (1e-6 → 0.0001), so saving the form
 * never rounds it away.
 */
function percentText(rate: number): string {
  return String(Number((rate * 100).toPrecision(12)));
}

/** A percentage as typed, in decimal or exponent form (as `percentText` may show it), or null. */
const PERCENT = /^\d+(\.\d+)?(e-?\d+)?$/i;

const OUTCOME_HINT = 'a status 200–599, reset or hang';

/** The failure settings of the form (failFirst, sequence, random), or a sentence. */
function failures(d: AnswerDraft): Pick<RespondSettings, 'failFirst' | 'sequence' | 'random'> | string {
  let failFirst: RespondSettings['failFirst'] = null;
  if (d.failFirstCount.trim() !== '') {
    const count = parseIntIn(d.failFirstCount, 1, MAX_FAIL_FIRST);
    if (count === null) return `Fail first: the number of attempts is 1–${MAX_FAIL_FIRST} (empty: off).`;
    const status = parseOutcome(d.failFirstStatus);
    if (status === null) return `Fail first: the answer is ${OUTCOME_HINT}.`;
    failFirst = { count, status };
  }
  let sequence: Outcome[] | null = null;
  if (d.sequence.trim() !== '') {
    const parts = d.sequence.split(',').map((p) => p.trim());
    const parsed = parts.map(parseOutcome);
    const bad = parts.findIndex((_, i) => parsed[i] === null);
    if (bad !== -1) return `Sequence: "${parts[bad]!.slice(0, 20)}" is not ${OUTCOME_HINT}.`;
    if (parsed.length > MAX_SEQUENCE) return `Sequence: at most ${MAX_SEQUENCE} answers.`;
    sequence = parsed as Outcome[];
  }
  let random: RespondSettings['random'] = null;
  if (d.randomRate.trim() !== '') {
    const pct = Number(d.randomRate.trim());
    if (!PERCENT.test(d.randomRate.trim()) || pct > 100) return 'Random: the share that fails is a percentage, 0–100 (empty: off).';
    const status = parseOutcome(d.randomStatus);
    if (status === null) return `Random: the answer is ${OUTCOME_HINT}.`;
    let pattern: number | null = null;
    if (d.randomPattern.trim() !== '') {
      pattern = parseIntIn(d.randomPattern, 0, MAX_RANDOM_PATTERN);
      if (pattern === null) return `Random: the pattern number is a whole number 0–${MAX_RANDOM_PATTERN} (empty: a fresh draw on every request).`;
    }
    random = { rate: pct / 100, status, seed: pattern };
  }
  return { failFirst, sequence, random };
}

/** The form as one PATCH, or the first problem in a sentence. */
export function patchFromDraft(d: AnswerDraft): AnswerPatch | string {
  const status = parseIntIn(d.status, 200, 599);
  if (status === null) return 'Status: a status is 200–599.';
  const delayMs = d.delayMs.trim() === '' ? 0 : parseIntIn(d.delayMs, 0, MAX_DELAY_MS);
  if (delayMs === null) return `Delay: 0–${MAX_DELAY_MS} ms (10 minutes).`;
  if (d.body.length > MAX_RESPOND_BODY) return `Body: at most ${MAX_RESPOND_BODY} characters.`;
  const headers = parseHeaderLines(d.headers);
  if (typeof headers === 'string') return headers;
  const f = failures(d);
  if (typeof f === 'string') return f;
  let retryAfter: number | null = null;
  if (d.retryAfter.trim() !== '') {
    retryAfter = parseIntIn(d.retryAfter, 0, MAX_RETRY_AFTER_S);
    if (retryAfter === null) return `Retry-After: 0–${MAX_RETRY_AFTER_S} seconds (empty: none).`;
  }
  const keyHeader = d.keyHeader.trim();
  if (keyHeader !== '' && (!isHttpToken(keyHeader) || keyHeader.length > MAX_EVENT_KEY_HEADER)) return `Event key: "${keyHeader.slice(0, 40)}" is not a header name.`;
  const keyPointer = d.keyPointer.trim();
  if (keyPointer !== '' && (!keyPointer.startsWith('/') || !isJsonPointer(keyPointer) || keyPointer.length > MAX_EVENT_KEY_POINTER)) {
    return 'Event key: a JSON pointer looks like /data/object/id (~1 for a / in a name, ~0 for ~).';
  }
  const eventKey = keyHeader === '' && keyPointer === '' ? null : { header: keyHeader || null, pointer: keyPointer || null };
  return {
    respond: { status, headers, body: d.body, delayMs, fault: d.fault === '' ? null : d.fault, ...f, retryAfter },
    eventKey,
    cors: d.cors,
  };
}

/** Whether the form says the same as the bin (nothing to save). */
export function draftMatchesBin(d: AnswerDraft, bin: Pick<Bin, 'respond' | 'eventKey' | 'cors'>): boolean {
  return JSON.stringify(d) === JSON.stringify(draftFromBin(bin));
}

/**
 * What the form's answer goes out with, in one sentence: nothing for a fault
 * or a status that carries no body (204, 205, 304: the server drops the body
 * there), else the user's Content-Type header, else the one the server infers
 * from the body (`inferContentType`).
 */
export function bodyTypeNote(d: Pick<AnswerDraft, 'status' | 'fault' | 'headers' | 'body'>): string {
  if (d.fault !== '') return 'A fault sends no reply, so no body and no Content-Type.';
  const status = parseIntIn(d.status, 200, 599);
  if (status !== null && NO_BODY_STATUS.has(status)) return `A ${status} answer carries no body, so no Content-Type.`;
  const headers = parseHeaderLines(d.headers);
  const own = typeof headers === 'string' ? undefined : Object.entries(headers).find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  if (own !== undefined) return `Sent as ${own} (your Content-Type header).`;
  const inferred = inferContentType(d.body);
  return inferred === null ? 'No body, no Content-Type.' : `Sent as ${inferred}, inferred from the body; a Content-Type header of yours wins.`;
}
