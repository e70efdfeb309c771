/**
 * Providers' retry schedules, as data. The timeline compares observed attempts
 * with them, and the sender imitates them. Every preset names its source; where
 * the source is silent (spacing, timeout), `note` says what hookbin assumed.
 *
 * Semantics shared by every preset: attempt 1 is the original delivery;
 * `delays[i]` is the wait between attempt i+1 and attempt i+2, counted from
 * the failure of the earlier attempt (as Svix words it: "each period is
 * started following the failure of the preceding attempt"), so at most
 * `1 + delays.length` attempts are made. Where a provider's table lists
 * "Immediately" as its first line and means the original delivery (the generic API,
 * Svix), it is not a retry; where it lists it among the retries (Slack), the
 * first delay is 0.
 */

import type { RetryPreset } from '../common/types.js';

export type { RetryPreset };

/** A provider whose docs say it retries but give no schedule, so no preset can be built. */
export interface UndocumentedSchedule {
  id: string;
  name: string;
  source: string;
  /** What the docs do say about retries. */
  note: string;
}

/** The relative tolerance the timeline uses for presets whose spacing is estimated, instead of its default. */
export const ESTIMATED_TOLERANCE_RATIO = 0.5;

/** Shared module data: frozen all the way down, so no caller can change another's presets. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * "Retries for up to 24 hours" with an undocumented backoff (Square,
 * SendGrid): doubling from 1 minute to 512 minutes, then the gap that makes
 * the waits add up to exactly 24 h (417 min).
 */
const DAY_LONG_BACKOFF = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 417].map((m) => m * MINUTE);

/**
 * Every preset, in the order the picker shows them and in which ties of
 * `bestPreset` are broken: the providers whose documentation hookbin started
 * from first, then the others.
 */
export const PRESETS: readonly RetryPreset[] = deepFreeze([
  {
    id: 'generic-api',
    name: 'Generic API',
    source: "The generic API's docs, Webhooks",
    // The docs' table: attempt 1 "Immediate", 2 "30 seconds", 3 "5 minutes",
    // 4 "30 minutes", 5 "2 hours"; "After 5 failed attempts, the webhook is
    // marked as failed". Attempt 1 is the delivery itself: 4 retries.
    delays: [30 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR],
    retriesOn: 'any failed delivery: the docs do not define failure; their delivery log shows a 500 and a connection timeout as failed',
    note: 'The table gives each attempt a "Delay" without saying from when; hookbin counts it from the previous attempt. No timeout is documented.',
  },
  {
    id: 'makeplans',
    name: 'Makeplans',
    source: 'Makeplans API docs, Webhooks',
    // "Maximum retries are 5": five retries after the first attempt.
    delays: [1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE],
    timeoutMs: 10 * SECOND,
    retriesOn: 'any 4xx or 5xx answer (4xx too, "as they may be caused by temporary issues"), and no answer within 10 s',
    note:
      'Makeplans documents at most 5 retries and a 10 s timeout, not the spacing; hookbin assumes a doubling backoff from 1 minute (1, 2, 4, 8, 16 min). ' +
      'That a timeout or a refused connection is retried is assumed too: the docs only name 4xx and 5xx.',
    estimated: true,
  },
  {
    id: 'webhooks-api-v2.4',
    name: 'Webhooks API v2.4',
    source: 'Webhooks API Reference v2.4',
    delays: [1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE],
    retriesOn: 'a failed delivery ("Deliveries may retry on failure"): the docs do not define failure; hookbin counts any non-2xx answer, timeout or connection failure',
    note:
      'The docs give the number of retries per event type (3, 5 or 1), not their spacing or a timeout; hookbin assumes a doubling backoff from 1 minute. ' +
      'An event type the table does not list gets the most retries (5).',
    byEventType: {
      'user.created': 3,
      'user.deleted': 3,
      'invoice.paid': 5,
      'invoice.failed': 5,
      'subscription.upgraded': 3,
      'subscription.canceled': 3,
      'trial.ending': 1,
    },
    estimated: true,
  },
  {
    id: 'standard-webhooks',
    name: 'Standard Webhooks / Svix',
    source: 'https://docs.svix.com/retries',
    // "Immediately, 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours,
    // 10 hours": the first line is the original attempt (their example: three
    // failures then success "roughly 35 minutes and 5 seconds" after the first).
    delays: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
    timeoutMs: 15 * SECOND,
    retriesOn: 'any answer that is not 2xx (3xx redirects included), no answer within 15 s, or a connection failure',
    note: 'Svix stops retrying when an answer carries `webhook-delivery: abort-message`. The Standard Webhooks spec itself fixes no schedule; this is Svix\'s.',
  },
  {
    id: 'slack',
    name: 'Slack Events API',
    source: 'https://docs.slack.dev/apis/events-api/',
    // "up to 3 times … nearly immediately, after 1 minute, after 5 minutes":
    // here "immediately" is the first retry, so the first delay is 0.
    delays: [0, 1 * MINUTE, 5 * MINUTE],
    timeoutMs: 3 * SECOND,
    retriesOn: 'no answer within 3 s, a non-2xx answer, more than 2 redirects, or a connection or TLS failure',
    note: 'Retries carry `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`; an answer with `X-Slack-No-Retry: 1` stops them. On a timeout Slack retries 3 s after the attempt without waiting for its answer.',
  },
  {
    id: 'twilio',
    name: 'Twilio',
    source: 'https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides',
    // Connection overrides: retry count `rc` defaults to 1, retry policy `rp` to `ct`
    // (connection failures); total timeout `tt` 15 000 ms. No gap is documented.
    delays: [0],
    timeoutMs: 15 * SECOND,
    retriesOn: 'by default, only a failure to connect (TCP or TLS): an HTTP error answer or a slow answer is not retried',
    note:
      'Twilio retries once by default, on connection failures only; `#rc=N` (up to 5) and `#rp=` (ct, 4xx, 5xx, rt, all) on the webhook URL change that. ' +
      'Retries carry the same `I-Twilio-Idempotency-Token`. The gap before the retry is not documented; hookbin assumes none.',
    estimated: true,
  },
  {
    id: 'mailgun',
    name: 'Mailgun',
    source: 'https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#webhooks',
    // "during 8 hours at the following intervals: 10 minutes, 10 minutes, 15 minutes,
    // 30 minutes, 1 hour, 2 hours and 4 hours".
    delays: [10 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 1 * HOUR, 2 * HOUR, 4 * HOUR],
    retriesOn: 'any answer but 2xx and 406 (a 406 stops the retries at once)',
    note: 'No timeout is documented. Mailgun does not retry delivery notifications the same way; hookbin applies the schedule to every event.',
  },
  {
    id: 'shopify',
    name: 'Shopify',
    source: 'https://shopify.dev/changelog/updates-to-webhook-retry-mechanism',
    delays: [1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 15 * MINUTE, 30 * MINUTE, 1 * HOUR, 2 * HOUR],
    timeoutMs: 5 * SECOND,
    retriesOn: 'no 2xx answer within 5 s (1 s to connect), a non-2xx answer, or a connection failure',
    note:
      'Shopify documents "8 times over 4 hours using an exponential backoff schedule", not the gaps; hookbin assumes a near-doubling from 1 minute that adds up to exactly 4 h ' +
      '(1, 2, 4, 8, 15, 30 min, 1 h, 2 h). After 8 consecutive failures a subscription made through the Admin API is deleted.',
    estimated: true,
  },
  {
    id: 'github',
    name: 'GitHub',
    source: 'https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries',
    delays: [],
    timeoutMs: 10 * SECOND,
    retriesOn: 'never: GitHub does not redeliver failed deliveries automatically; they can be redelivered by hand or through the REST API',
    note: 'A delivery that gets no answer within 10 s is recorded as failed.',
  },
  {
    id: 'stripe',
    name: 'Stripe',
    source: 'https://docs.stripe.com/webhooks#retries',
    // "In live mode, Stripe attempts to deliver a given event to your webhook endpoint for up to
    // 3 days with an exponential back off"; the gaps themselves are not published.
    delays: [1 * HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 32 * HOUR],
    retriesOn: 'any answer that is not 2xx, or none in time (Stripe counts redirects as failures)',
    note:
      'Stripe documents up to 3 days of exponential backoff in live mode, not the gaps or their number; hookbin assumes a doubling from 1 hour ' +
      '(1, 2, 4, 8, 16, 32 h: 6 retries within 63 h). In a sandbox Stripe retries only three times over a few hours. No timeout is documented.',
    estimated: true,
  },
  {
    id: 'paddle',
    name: 'Paddle',
    source: 'https://developer.paddle.com/webhooks/respond-to-webhooks',
    // Live mode: exponential backoff for up to 3 days. Doubling from 1 minute,
    // capped at 12 h, and a last wait that brings the total to 72 h.
    delays: [
      1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE, 32 * MINUTE, 64 * MINUTE, 128 * MINUTE, 256 * MINUTE, 512 * MINUTE,
      12 * HOUR, 12 * HOUR, 12 * HOUR, 12 * HOUR, 72 * HOUR - 1023 * MINUTE - 48 * HOUR,
    ],
    timeoutMs: 5 * SECOND,
    retriesOn: 'no 200-range answer within 5 s, or a connection failure',
    note:
      'Paddle documents retries with exponential backoff for up to 3 days in live mode (sandbox retries far fewer times, within minutes), not the gaps; ' +
      'hookbin assumes a doubling from 1 minute capped at 12 h that adds up to 72 h.',
    estimated: true,
  },
  {
    id: 'zoom',
    name: 'Zoom',
    source: 'https://developers.zoom.us/docs/api/webhooks/',
    // "Zoom will retry the notification three times": after 5, 30 and 90 minutes.
    delays: [5 * MINUTE, 30 * MINUTE, 90 * MINUTE],
    timeoutMs: 3 * SECOND,
    retriesOn: 'an answer other than 200 or 204, or no answer within 3 s',
    note: 'Whether each wait counts from the first delivery or from the previous retry is not said; hookbin counts from the previous attempt.',
  },
  {
    id: 'linear',
    name: 'Linear',
    source: 'https://linear.app/developers/webhooks',
    // "retry … up to three times … with backoff: 1 minute, 1 hour, 6 hours".
    delays: [1 * MINUTE, 1 * HOUR, 6 * HOUR],
    timeoutMs: 5 * SECOND,
    retriesOn: 'no 200 answer within 5 s, or a connection failure',
    note: 'Linear disables a webhook whose deliveries keep failing.',
  },
  {
    id: 'square',
    name: 'Square',
    source: 'https://developer.squareup.com/docs/webhooks/overview',
    delays: DAY_LONG_BACKOFF,
    retriesOn: 'any answer that is not 2xx, no answer, or a connection failure',
    note:
      'Square documents retries with an exponential backoff for up to 24 hours, not the gaps; hookbin assumes a doubling from 1 minute (1, 2, 4 … 512 min) ' +
      'and a last gap that makes them add up to 24 h. No timeout is given here (hookbin uses its own).',
    estimated: true,
  },
  {
    id: 'hubspot',
    name: 'HubSpot',
    source: 'https://developers.hubspot.com/docs/api/webhooks',
    // "up to 10 times", spread over the next 24 hours, with some randomization.
    delays: [1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE, 32 * MINUTE, 64 * MINUTE, 128 * MINUTE, 256 * MINUTE, 929 * MINUTE],
    timeoutMs: 5 * SECOND,
    retriesOn: 'a failed connection, no answer within 5 s, or a 4xx or 5xx answer',
    note:
      'HubSpot documents up to 10 retries spread over 24 hours with varying, randomized delays, not the gaps; hookbin assumes a doubling from 1 minute ' +
      'and a last gap that makes them add up to 24 h. Retried notifications carry a higher attemptNumber in the body.',
    estimated: true,
  },
  {
    id: 'sendgrid',
    name: 'SendGrid Event Webhook',
    source: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event',
    delays: DAY_LONG_BACKOFF,
    retriesOn: 'any answer that is not 2xx, or no answer',
    note:
      'SendGrid documents retrying a batch that is not answered 2xx at increasing intervals for up to 24 hours, then dropping it, not the gaps; hookbin assumes a doubling from 1 minute ' +
      '(1, 2, 4 … 512 min) and a last gap that makes them add up to 24 h. No timeout is given here (hookbin uses its own).',
    estimated: true,
  },
] satisfies RetryPreset[]);

/**
 * Providers whose docs say deliveries are retried, or resent, without a schedule.
 * They are listed so the picker can say so instead of silently missing them.
 */
export const UNDOCUMENTED_SCHEDULES: readonly UndocumentedSchedule[] = deepFreeze([
  {
    id: 'movemint',
    name: 'Movemint',
    source: 'Movemint developer docs, Webhooks',
    note: 'Not documented: "Failed deliveries are retried automatically by the background job system" after any non-2xx answer; no count, spacing or timeout is given.',
  },
  {
    id: 'webconnex',
    name: 'Webconnex',
    source: 'Webconnex API docs, Webhook',
    note: 'Not documented: the docs mention no automatic retries, only resending from the request log (the signature is unchanged on resend).',
  },
  {
    id: 'typeform',
    name: 'Typeform',
    source: 'https://www.typeform.com/developers/webhooks/',
    note: 'Not documented as a schedule: Typeform says failed deliveries are retried for a while and a webhook that keeps failing is disabled; hookbin found no count or spacing to cite.',
  },
  {
    id: 'calendly',
    name: 'Calendly',
    source: 'https://developer.calendly.com/api-docs/webhooks',
    note: 'Not documented as a schedule: hookbin found no retry count or spacing for Calendly webhook subscriptions to cite.',
  },
  {
    id: 'vercel',
    name: 'Vercel',
    source: 'https://vercel.com/docs/webhooks',
    note: 'Not documented as a schedule: hookbin found no retry count or spacing for Vercel webhooks to cite.',
  },
  {
    id: 'bitbucket',
    name: 'Bitbucket Cloud',
    source: 'https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/',
    note: 'Not documented as a schedule: failed deliveries show in the webhook\'s request history, where they can be resent; hookbin found no automatic retry spacing to cite.',
  },
]);

/** The preset with this id, or undefined. */
export function presetById(id: string): RetryPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/**
 * The delays that apply to an event of this type: for a preset with
 * `byEventType`, the first N delays when the type is listed with N retries;
 * otherwise (no table, unlisted or null type) all of them. A new array.
 */
export function scheduleFor(preset: RetryPreset, eventType?: string | null): number[] {
  const table = preset.byEventType ?? {};
  // hasOwn: an event type is the sender's text, and `constructor` is no listed type.
  const count = Object.hasOwn(table, eventType ?? '') ? table[eventType!] : undefined;
  // slice(0, undefined) is all of them.
  return preset.delays.slice(0, count);
}

/**
 * The schedule in the sender's form (design: `retry.schedule`, "the wait
 * before each attempt, the first usually 0"): `[0, ...delays]`.
 */
export function sendSchedule(preset: RetryPreset, eventType?: string | null): number[] {
  return [0, ...scheduleFor(preset, eventType)];
}

/**
 * A preset with its waits and timeout divided by `timeScale`, for comparing
 * deliveries sent at a compressed pace (hookbin's own sender at 60×) with the
 * schedule they were compressed from. `timeScale` 1 returns the preset itself.
 */
export function scalePreset(preset: RetryPreset, timeScale: number): RetryPreset {
  if (timeScale === 1) return preset;
  return {
    ...preset,
    delays: preset.delays.map((d) => d / timeScale),
    ...(preset.timeoutMs === undefined ? {} : { timeoutMs: preset.timeoutMs / timeScale }),
  };
}
