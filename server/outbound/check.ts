/**
 * `hookbin check` and `POST /api/check`: hookbin plays the provider against
 * the user's own endpoint and judges, check by check, what a correct
 * receiver does (the checks and their order: common/check.ts). Requests go
 * one at a time through the sender's exchange, each with the provider's
 * timeout as its deadline, redirects not followed, replies read only as far
 * as the excerpt needs.
 */
import { STATUS_CODES } from 'node:http';
import { CHECK_EXCERPT_CHARS, type CheckId, type CheckReply, type CheckReport, type CheckResult, type CheckSent } from '../common/check.js';
import type { HeaderPair } from '../common/types.js';
import { lossyUtf8 } from '../common/text.js';
import {
  planCheck,
  signsBody,
  staleDelivery,
  tamperedDelivery,
  toleranceOf,
  untimedReason,
  STALE_MARGIN_SECONDS,
  unsignedDelivery,
  validDelivery,
  wrongSecretDelivery,
  type CheckPlan,
  type Delivery,
  type PlanInput,
  type Sent,
} from './check-deliveries.js';
import { runRetry } from './check-retry.js';
import { sendSchedule } from '../retries/presets.js';
import { WHY } from './check-words.js';
import { SendInputError } from './errors.js';
export type { Sent };
import { displayUrl, exchange, outboundHeaders, targetOf } from './exchange.js';

/** The longest provider timeout a check accepts, ms: a run is at most ten requests, so it stays within minutes. */
export const MAX_CHECK_TIMEOUT_MS = 60_000;

/** The most reply bytes a check reads: enough for the excerpt in any UTF-8. */
export const CHECK_REPLY_BYTES = CHECK_EXCERPT_CHARS * 4;

/** What one check run needs to know: what it is of (`PlanInput`), and how it runs. */
export interface CheckInput extends PlanInput {
  /** A header that asks the endpoint to fail a delivery: with it the retry check runs, else it is skipped. */
  retryHeader?: HeaderPair | null;
  /** https only: do not verify the endpoint's certificate. */
  insecure?: boolean;
}

/** The engine's surroundings; tests may pass their own clock. */
export interface CheckDeps {
  /** ms since the epoch: signatures and `startedAt`. */
  now?: () => number;
  /** Waits between retry attempts. */
  sleep?: (ms: number) => Promise<void>;
}

/** Sends one composed delivery and keeps it as text with the reply's excerpt. */
export async function sendOne(plan: CheckPlan, d: Delivery, insecure: boolean, now: () => number): Promise<Sent> {
  const target = targetOf(plan.to);
  const headers = outboundHeaders(d.headers, target, d.method, d.body.length);
  const r = await exchange({ method: d.method, target, headers, body: d.body, timeoutMs: plan.timeoutMs, now, insecure, maxReplyBytes: CHECK_REPLY_BYTES });
  // The password of a URL with credentials is masked in the report, as in its URL: the Basic header made of it too.
  const shown = target.auth === null ? headers : headers.map(([n, v]): HeaderPair => (n === 'Authorization' && v.startsWith('Basic ') && !d.headers.some(([h]) => h.toLowerCase() === 'authorization') ? [n, 'Basic ***'] : [n, v]));
  const excerpt = r.response ? lossyUtf8(r.response.body).slice(0, CHECK_EXCERPT_CHARS) : '';
  const reply: CheckReply = { status: r.status, ms: r.durationMs, bodyExcerpt: excerpt };
  if (r.error !== null) reply.error = r.error === 'timeout' ? `no complete answer within ${plan.timeoutMs} ms` : `${r.error}: ${r.errorMessage ?? 'no answer'}`;
  return { sent: { method: d.method, url: displayUrl(plan.to), headers: shown, body: lossyUtf8(d.body) }, reply };
}

const is2xx = (r: CheckReply) => r.error === undefined && r.status !== null && r.status >= 200 && r.status < 300;

/** "200 OK in 12 ms", or what stood for an answer. */
export function describeReply(r: CheckReply): string {
  if (r.status === null) return `no answer (${r.error ?? 'none'}) after ${r.ms} ms`;
  const reason = STATUS_CODES[r.status];
  return `${r.status}${reason ? ` ${reason}` : ''} in ${r.ms} ms${r.error ? `, then ${r.error}` : ''}`;
}

function result(check: CheckId, outcome: CheckResult['outcome'], summary: string, s?: Sent): CheckResult {
  return { check, outcome, summary, why: WHY[check], ...(s ? { sent: s.sent, reply: s.reply } : {}) };
}

/**
 * What the provider does with a delivery it counts as failed, after "counts
 * it as failed": retries it on its schedule, or (GitHub) never sends it
 * again; nothing is claimed where no schedule is documented.
 */
function thenWords(plan: CheckPlan): string {
  if (plan.preset === null) return '';
  return sendSchedule(plan.preset).length > 1 ? ' and retries it' : ' and does not send it again';
}

function judgeValid(plan: CheckPlan, s: Sent): CheckResult {
  if (is2xx(s.reply)) return result('valid', 'pass', `answered ${describeReply(s.reply)} to a correctly signed delivery`, s);
  if (s.reply.status === null || s.reply.error !== undefined) {
    return result('valid', 'fail', `a correctly signed delivery got ${describeReply(s.reply)}; the provider counts it as failed${thenWords(plan)}`, s);
  }
  // A refusal here is most often the check's own input: the secret (or the URL signed) is not the endpoint's.
  const status = s.reply.status;
  const hint = status === 401 || status === 403 || status === 400
    ? `; is the secret the one it verifies with${plan.urlSigned ? ', and the URL signed the one its provider is configured with (the public URL)' : ''}?`
    : '';
  return result('valid', 'fail', `answered ${describeReply(s.reply)} to a correctly signed delivery; the provider counts anything but 2xx as failed${thenWords(plan)}${hint}`, s);
}

/**
 * A forgery's answer: 4xx passes, 2xx fails (it was accepted); a 3xx, 5xx or
 * no answer fails too, since the provider would count it as a failure and
 * retry the forgery. When the valid delivery was not accepted, a refusal
 * proves nothing (skip), but accepting a forgery still fails.
 */
function judgeRefusal(plan: CheckPlan, check: CheckId, what: string, s: Sent, validOk: boolean): CheckResult {
  const r = s.reply;
  const got = `answered ${describeReply(r)} to ${what}`;
  if (is2xx(r)) return result(check, 'fail', `${got}: it was accepted`, s);
  if (!validOk) return result(check, 'skip', `${r.status === null ? `${what} got ${describeReply(r)}` : got}, but the valid delivery was not accepted either, so this proves nothing`, s);
  if (r.status !== null && r.status >= 400 && r.status < 500 && r.error === undefined) return result(check, 'pass', `${got}: refused`, s);
  const head = r.status === null ? `${what} got ${describeReply(r)}` : got;
  return result(check, 'fail', `${head}; the provider counts that as a failed delivery${thenWords(plan)}: refuse with 400, 401 or 403`, s);
}

function judgeReplay(s: Sent): CheckResult {
  if (is2xx(s.reply)) return result('replay', 'pass', `answered ${describeReply(s.reply)} to the valid delivery sent again byte for byte`, s);
  return result('replay', 'fail', `the valid delivery sent again byte for byte got ${describeReply(s.reply)}; a provider's retry of it would be counted as failed again`, s);
}

/** Whose wait the answer was judged against, in words: "Slack Events API waits 3000 ms". */
function timeoutWords(plan: Pick<CheckPlan, 'timeoutMs' | 'timeoutBy' | 'sign'>): string {
  if (plan.timeoutBy === 'you') return `the timeout given is ${plan.timeoutMs} ms`;
  if (plan.timeoutBy !== null) return `${plan.timeoutBy} waits ${plan.timeoutMs} ms`;
  return `hookbin waits ${plan.timeoutMs} ms, as ${plan.sign.custom ? 'your scheme names no provider' : 'the provider documents no'} timeout`;
}

function judgeTimeout(plan: CheckPlan, valid: Sent): CheckResult {
  const r = valid.reply;
  if (r.error === undefined && r.status !== null) return result('timeout', 'pass', `the valid delivery was answered in ${r.ms} ms; ${timeoutWords(plan)}`, valid);
  if (r.error?.startsWith('no complete answer')) return result('timeout', 'fail', `the valid delivery was not answered in time: ${timeoutWords(plan)}`, valid);
  return result('timeout', 'skip', `the valid delivery got no answer to time (${r.error ?? 'none'})`);
}

/**
 * Runs every check of common/check.ts in order against `input.to`, one
 * request at a time. Never rejects for what the endpoint does; throws
 * `SendInputError` when the input cannot be signed (an unknown template, a
 * secret that cannot key the scheme).
 */
export async function runChecks(input: CheckInput, deps: CheckDeps = {}): Promise<CheckReport> {
  const now = deps.now ?? Date.now;
  const insecure = input.insecure === true;
  const plan = planCheck(input);
  const startedAt = now();
  const started = performance.now();
  const send = (d: Delivery) => sendOne(plan, d, insecure, now);
  const results: CheckResult[] = [];

  let validD: Delivery;
  try {
    validD = validDelivery(plan, now());
  } catch (err) {
    // Nothing was sent yet: a secret that cannot key the scheme, a body it cannot sign.
    if (err instanceof SendInputError) throw err;
    // The scheme's own message may already start with its id ("discord: the secret is not…").
    const text = (err as Error).message;
    const message = text.startsWith(`${plan.sign.scheme}: `) ? text.slice(plan.sign.scheme.length + 2) : text;
    throw new SendInputError(`cannot sign with ${plan.sign.scheme}: ${message}`);
  }
  const valid = await send(validD);
  results.push(judgeValid(plan, valid));
  const validOk = is2xx(valid.reply);
  // Replayed at once, though reported after the forgeries: its signed timestamp
  // must still be within a short tolerance (Paddle's 5 s) however slowly they are refused.
  const replayed = validOk ? await send(validD) : null;

  results.push(judgeRefusal(plan, 'wrong-signature', 'a delivery signed with another secret', await send(wrongSecretDelivery(plan, now())), validOk));
  const unsignedD = unsignedDelivery(plan, now());
  const [one, ...more] = unsignedD.removed;
  const unsigned = one === undefined ? 'a delivery whose body carries no signature' : `a delivery without its ${more.length === 0 ? `${one} header` : `${[one, ...more].join(' and ')} headers`}`;
  results.push(judgeRefusal(plan, 'missing-signature', unsigned, await send(unsignedD), validOk));
  if (signsBody(plan)) results.push(judgeRefusal(plan, 'tampered-body', 'a delivery whose body was changed by one byte after signing', await send(tamperedDelivery(plan, now())), validOk));
  else results.push(result('tampered-body', 'skip', `${plan.sign.custom ? `your scheme "${plan.sign.scheme}" does not sign {body}` : `${plan.sign.scheme}'s signature covers a timestamp and a token, not the body`}, so a changed body cannot be told from the original`));

  const tolerance = toleranceOf(plan, validD, now());
  if (tolerance === null) {
    results.push(result('stale-timestamp', 'skip', `${untimedReason(plan)}, so a stale delivery cannot be told from a fresh one`));
  } else {
    const age = tolerance + STALE_MARGIN_SECONDS;
    const allows = plan.sign.custom ? 'your scheme allows (toleranceSec)' : 'the provider allows';
    results.push(judgeRefusal(plan, 'stale-timestamp', `a delivery signed ${age} s ago, outside the ${tolerance} s ${allows}`, await send(staleDelivery(plan, now(), age)), validOk));
  }

  if (replayed) results.push(judgeReplay(replayed));
  else results.push(result('replay', 'skip', 'the valid delivery was not accepted, so sending it again proves nothing'));

  results.push(judgeTimeout(plan, valid));

  if (!input.retryHeader) results.push(result('retry', 'skip', "not asked for: give --retry-header 'Name: value' (retryHeader in the API), a header your endpoint answers with a failure"));
  else if (!validOk) results.push(result('retry', 'skip', 'the valid delivery was not accepted, so a retry proves nothing'));
  else results.push(await runRetry(plan, input.retryHeader, { send, now, sleep: deps.sleep, result }));

  return {
    to: displayUrl(plan.to),
    ...(plan.urlSigned && plan.signUrl !== plan.to ? { signedUrl: displayUrl(plan.signUrl) } : {}),
    scheme: plan.sign.scheme,
    template: plan.templateId,
    timeoutMs: plan.timeoutMs,
    passed: results.every((r) => r.outcome !== 'fail'),
    results,
    startedAt,
    durationMs: Math.round(performance.now() - started),
  };
}
