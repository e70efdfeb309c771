/**
 * What a bin answers, for the inspector, pure: one sentence for the current
 * `respond` settings, the PATCHes behind the quick toggles, and the rule
 * editor's drafts (strings as typed) to and from `RespondRule`.
 */
import { isHttpToken } from '../../../../server/common/http-syntax.js';
import type { Outcome, RespondRule, RespondSettings } from '../../../../server/common/types.js';
import { formatGap } from '../events/timeline.js';
import { MAX_DELAY_MS, MAX_FAIL_FIRST, MAX_RESPOND_BODY, MAX_RULE_GLOB } from '../../../../server/common/limits.js';
import { headerLines, parseHeaderLines, parseIntIn } from './fields.js';

export { parseIntIn };

/** A `respond` PATCH: keys merge into the bin's current settings; `null` resets everything to 200 `{"ok":true}`. */
export type RespondPatch = Partial<RespondSettings>;

export { MAX_DELAY_MS, MAX_FAIL_FIRST };

/** How the status pill looks: a plain 2xx, failing on purpose, a transport fault, or something else set. */
export type AnswerTone = 'ok' | 'fail' | 'fault' | 'custom';

/** Which quick toggle is on, when exactly one describes the settings; `custom` when none does. */
export type AnswerMode = 'ok' | 'failFirst' | 'reset' | 'hang' | 'custom';

function outcomeText(o: Outcome): string {
  return o === 'reset' ? 'a connection reset' : o === 'hang' ? 'no reply (hang)' : String(o);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The bin's answer in one sentence, e.g. "Fails attempts 1–2 of each event with 500, then answers 200". */
export function describeRespond(r: RespondSettings): { text: string; tone: AnswerTone } {
  const base = r.fault === 'reset' ? 'resets the connection (no reply)' : r.fault === 'hang' ? 'never replies (hangs until the client gives up, at most 10 min, then resets)' : `answers ${r.status}`;
  const first = r.failFirst
    ? `fails ${r.failFirst.count === 1 ? 'attempt 1' : `attempts 1–${r.failFirst.count}`} of each event with ${outcomeText(r.failFirst.status)}`
    : null;
  let text: string;
  if (r.sequence && r.sequence.length > 0) {
    const seq = `answers attempt n of each event with the n-th of ${r.sequence.map(outcomeText).join(', ')} (the last repeats)`;
    text = first ? `${first}, then ${seq}` : seq;
  } else {
    const pre = first ? [first] : [];
    if (r.random) {
      // Three significant digits: 12.3 %, and a tiny share set through the API still shows (0.0001 %, not 0 %).
      const pct = Number((r.random.rate * 100).toPrecision(3));
      pre.push(`fails ${pct} % at random with ${outcomeText(r.random.status)}${r.random.seed !== null ? ` (repeatable, pattern ${r.random.seed})` : ''}`);
    }
    text = pre.length === 0 ? base : `${pre.join(', ')}, ${r.random ? 'otherwise' : 'then'} ${base}`;
  }
  const extras: string[] = [];
  if (r.delayMs > 0) extras.push(`after ${formatGap(r.delayMs)}`);
  if (r.retryAfter !== null) extras.push(`Retry-After ${r.retryAfter} on 429/503`);
  if (r.rules.length > 0) extras.push(`${plural(r.rules.length, 'rule')} ${r.rules.length === 1 ? 'takes' : 'take'} precedence`);
  if (extras.length > 0) text += ` · ${extras.join(' · ')}`;
  text = text.charAt(0).toUpperCase() + text.slice(1);

  const tone: AnswerTone = r.fault
    ? 'fault'
    : r.failFirst || r.sequence || r.random || r.status >= 400
      ? 'fail'
      : r.rules.length > 0 || r.delayMs > 0 || r.status !== 200
        ? 'custom'
        : 'ok';
  return { text, tone };
}

/** The quick toggle that is on for these settings (the delay is a toggle of its own). */
export function answerMode(r: RespondSettings): AnswerMode {
  const special = r.sequence !== null || r.random !== null;
  if (special) return 'custom';
  if (r.failFirst) return r.fault === null ? 'failFirst' : 'custom';
  if (r.fault) return r.fault;
  return r.status === 200 ? 'ok' : 'custom';
}

/** What the failure toggles leave off, so each one gives the behaviour its label says. */
const NO_FAILURES: RespondPatch = { fault: null, failFirst: null, sequence: null, random: null };

/**
 * "Answer 200": the default answer (200 `{"ok":true}`, no delay, no fault, no
 * failures). `null` (the API's reset) when the bin has no rules; with rules,
 * the same defaults key by key, so the rules the user wrote are kept.
 */
export function answerOkPatch(current: RespondSettings): RespondPatch | null {
  if (current.rules.length === 0) return null;
  return {
    status: 200,
    headers: {},
    body: '{"ok":true}',
    delayMs: 0,
    retryAfter: null,
    ...NO_FAILURES,
  };
}

/** "Fail the first `count` attempts of each event with `status`" (500 unless given), then the bin's own answer. */
export function failFirstPatch(count: number, status: Outcome = 500): RespondPatch {
  return { ...NO_FAILURES, failFirst: { count, status } };
}

/** "Reset" or "hang": every request gets the fault. */
export function faultPatch(fault: 'reset' | 'hang'): RespondPatch {
  return { ...NO_FAILURES, fault };
}

/** Waits `ms` before every answer (0: no delay); the rest is kept. */
export function delayPatch(ms: number): RespondPatch {
  return { delayMs: ms };
}

// ------------------------------------------------------------ rule drafts

/** A rule as the editor holds it: every field the text typed ("" = not set). */
export interface RuleDraft {
  /** Stable key for the editor's rows. */
  key: number;
  method: string;
  path: string;
  eventType: string;
  headerName: string;
  headerValue: string;
  status: string;
  delayMs: string;
  fault: '' | 'reset' | 'hang';
  body: string;
  /** The rule's response headers, one `Name: value` a line; they add to the bin's. */
  headers: string;
}

let nextKey = 1;

/** An empty rule: matches everything, changes nothing until a field is set. */
export function emptyDraft(): RuleDraft {
  return { key: nextKey++, method: '', path: '', eventType: '', headerName: '', headerValue: '', status: '500', delayMs: '', fault: '', body: '', headers: '' };
}

export function draftFromRule(rule: RespondRule): RuleDraft {
  const m = rule.match;
  const r = rule.respond;
  return {
    key: nextKey++,
    method: m.method?.toUpperCase() ?? '',
    path: m.path ?? '',
    eventType: m.eventType ?? '',
    headerName: m.header?.name ?? '',
    headerValue: m.header?.value ?? '',
    status: r.status === undefined ? '' : String(r.status),
    delayMs: r.delayMs === undefined ? '' : String(r.delayMs),
    fault: r.fault ?? '',
    body: r.body ?? '',
    headers: headerLines(r.headers ?? {}),
  };
}

/** A draft as the API takes it, or a sentence saying what to fix. Rule numbers in messages are 1-based. */
export function ruleFromDraft(d: RuleDraft, index: number): RespondRule | string {
  const where = `Rule ${index + 1}`;
  const match: RespondRule['match'] = {};
  const method = d.method.trim();
  if (method !== '') {
    if (!/^[A-Za-z]{1,20}$/.test(method)) return `${where}: a method is letters only.`;
    match.method = method.toUpperCase();
  }
  if (d.path.trim() !== '') match.path = d.path.trim();
  if (d.eventType.trim() !== '') match.eventType = d.eventType.trim();
  if ([d.path, d.eventType, d.headerValue].some((g) => g.trim().length > MAX_RULE_GLOB)) return `${where}: a pattern is at most ${MAX_RULE_GLOB} characters.`;
  const headerName = d.headerName.trim();
  if (headerName !== '') {
    if (!isHttpToken(headerName)) return `${where}: "${headerName}" is not a header name.`;
    match.header = d.headerValue.trim() === '' ? { name: headerName } : { name: headerName, value: d.headerValue.trim() };
  } else if (d.headerValue.trim() !== '') {
    return `${where}: name the header whose value should match.`;
  }
  const respond: RespondRule['respond'] = {};
  // A fault sends no reply: the status and body fields (hidden then) do not apply.
  if (d.fault !== '') respond.fault = d.fault;
  if (d.fault === '' && d.status.trim() !== '') {
    const s = parseIntIn(d.status, 200, 599);
    if (s === null) return `${where}: a status is 200–599.`;
    respond.status = s;
  }
  if (d.delayMs.trim() !== '') {
    const ms = parseIntIn(d.delayMs, 0, MAX_DELAY_MS);
    if (ms === null) return `${where}: a delay is 0–${MAX_DELAY_MS} ms.`;
    respond.delayMs = ms;
  }
  if (d.fault === '' && d.body.length > MAX_RESPOND_BODY) return `${where}: the body is at most ${MAX_RESPOND_BODY} characters.`;
  if (d.fault === '' && d.body !== '') respond.body = d.body;
  if (d.fault === '' && d.headers.trim() !== '') {
    const headers = parseHeaderLines(d.headers, `${where}: headers`);
    if (typeof headers === 'string') return headers;
    respond.headers = headers;
  }
  return { match, respond };
}

/** Every draft as a rule, or the first problem. */
export function rulesFromDrafts(drafts: readonly RuleDraft[]): RespondRule[] | string {
  const out: RespondRule[] = [];
  for (let i = 0; i < drafts.length; i++) {
    const r = ruleFromDraft(drafts[i]!, i);
    if (typeof r === 'string') return r;
    out.push(r);
  }
  return out;
}

/** Whether the drafts say the same as `rules` (nothing to save). */
export function draftsEqual(drafts: readonly RuleDraft[], rules: readonly RespondRule[]): boolean {
  const parsed = rulesFromDrafts(drafts);
  return typeof parsed !== 'string' && JSON.stringify(parsed) === JSON.stringify(rules.map((r) => normalizeRule(r)));
}

/** A stored rule in the key order `ruleFromDraft` builds, so the two compare as JSON. */
function normalizeRule(rule: RespondRule): RespondRule {
  const d = draftFromRule(rule);
  const r = ruleFromDraft(d, 0);
  return typeof r === 'string' ? rule : r;
}

/** The list with item `i` moved by `delta` places (clamped); the same array when it cannot move. */
export function moveItem<T>(items: readonly T[], i: number, delta: number): T[] {
  const j = Math.min(items.length - 1, Math.max(0, i + delta));
  if (i < 0 || i >= items.length || i === j) return items as T[];
  const out = items.slice();
  const [x] = out.splice(i, 1);
  out.splice(j, 0, x!);
  return out;
}

/** A rule in words, e.g. "POST /hooks/** · type invoice.* → 503 after 2 s". */
export function describeRule(rule: RespondRule): string {
  const m = rule.match;
  const when: string[] = [];
  if (m.method) when.push(m.method);
  if (m.path) when.push(m.path);
  if (m.eventType) when.push(`type ${m.eventType}`);
  if (m.header) when.push(`${m.header.name}${m.header.value !== undefined ? `: ${m.header.value}` : ''}`);
  const r = rule.respond;
  const then = r.fault ? (r.fault === 'reset' ? 'reset' : 'hang') : r.status !== undefined ? String(r.status) : 'the bin’s status';
  return `${when.length > 0 ? when.join(' · ') : 'every request'} → ${then}${r.delayMs ? ` after ${formatGap(r.delayMs)}` : ''}`;
}
