/**
 * The retry check of `hookbin check`: a delivery the endpoint is asked to
 * fail (a header the user names, on the first attempt only), then the same
 * event redelivered on the provider's schedule, compressed so the first
 * retry comes after a second. Reported, not judged: what a receiver does
 * with a retry is its own business, as long as it is not lost.
 */
import type { CheckResult } from '../common/check.js';
import type { HeaderPair } from '../common/types.js';
import { sendSchedule } from '../retries/presets.js';
import { signDelivery, validDelivery, type CheckPlan, type Delivery, type Sent } from './check-deliveries.js';

/** The most attempts the retry check makes (the first included). */
export const RETRY_CHECK_ATTEMPTS = 4;
/** The longest wait between two attempts once compressed, ms. */
export const RETRY_CHECK_MAX_WAIT_MS = 5000;
/** The waits of a scheme without a documented schedule: a retry a second after the failure, then two seconds. */
const NO_PRESET_SCHEDULE = [0, 1000, 2000];

/** What the retry check borrows from the run. */
export interface RetryContext {
  send: (d: Delivery) => Promise<Sent>;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
  result: (check: 'retry', outcome: CheckResult['outcome'], summary: string, s?: Sent) => CheckResult;
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function human(ms: number): string {
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(2)} h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(2)} min`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}

const ok = (s: Sent) => s.reply.error === undefined && s.reply.status !== null && s.reply.status >= 200 && s.reply.status < 300;
const answer = (s: Sent) => (s.reply.status === null ? `no answer (${s.reply.error ?? 'none'})` : `${s.reply.status} in ${s.reply.ms} ms`);

/**
 * Sends the first attempt with `failHeader`, then retries the same event
 * (same id and body, signed afresh, without the header) until a 2xx or
 * `RETRY_CHECK_ATTEMPTS`. The result is `info`: its summary lists each
 * attempt, `sent` is the first attempt and `reply` the last answer.
 */
export async function runRetry(plan: CheckPlan, failHeader: HeaderPair, ctx: RetryContext): Promise<CheckResult> {
  const schedule = (plan.preset ? sendSchedule(plan.preset) : NO_PRESET_SCHEDULE).slice(0, RETRY_CHECK_ATTEMPTS);
  const scale = Math.max(1, (schedule[1] ?? 1000) / 1000);
  const sleep = ctx.sleep ?? sleeper;
  const first = validDelivery(plan, ctx.now());
  const firstSent = await ctx.send({ ...first, headers: [...first.headers, failHeader] });
  const parts = [`attempt 1 with ${failHeader[0]}: ${failHeader[1]} got ${answer(firstSent)}`];
  if (ok(firstSent)) {
    return ctx.result('retry', 'info', `${parts[0]}: the endpoint did not fail it, so there was nothing to retry`, firstSent);
  }
  if (schedule.length < 2) {
    return ctx.result('retry', 'info', `${parts[0]}: ${plan.preset!.name} makes no retry (${plan.preset!.retriesOn})`, firstSent);
  }
  let last = firstSent;
  const whose = plan.preset ? `${plan.preset.name}'s` : 'hookbin’s (the provider documents no schedule)';
  for (let i = 1; i < schedule.length && !ok(last); i++) {
    const wait = Math.min(schedule[i]! / scale, RETRY_CHECK_MAX_WAIT_MS);
    await sleep(wait);
    const again = signDelivery(plan, { method: first.method, ...first.base }, plan.sign, Math.floor(ctx.now() / 1000), first.signId);
    last = await ctx.send(again);
    const compressed = scale === 1 ? '' : ` (${human(schedule[i]!)} on ${whose} schedule)`;
    parts.push(`attempt ${i + 1}, ${human(wait)} later${compressed}, got ${answer(last)}`);
  }
  const end = ok(last) ? 'the retry was accepted' : `no attempt of ${parts.length} was accepted`;
  return { ...ctx.result('retry', 'info', `${parts.join('; ')}: ${end}`, firstSent), reply: last.reply };
}
