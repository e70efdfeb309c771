/**
 * Which provider sent a captured request, from its header names and its
 * User-Agent. Pure; the capture path calls it once per request and stores the
 * id with the capture (in the row's meta), so lists and the events view never
 * search headers again.
 *
 * A stranger can forge any header: the provider only ever picks a label and
 * the retry schedule an event is compared with, never whether a request is
 * trusted (that is the signature's verdict, capture/verdicts.ts).
 */
import { indexHeaders, type HeaderIndex } from '../common/header-index.js';
import type { HeaderPair, ProviderRef } from '../common/types.js';

/** How one provider is recognised. */
export interface ProviderSignal {
  /** Stable id, stored with each capture. */
  id: string;
  /** The provider as people name it. */
  name: string;
  /** Lower-case header names only this provider sends; any one of them is enough. */
  headers: readonly string[];
  /** A User-Agent this provider sends; tested on at most {@link MAX_USER_AGENT_CHARS} characters. */
  userAgent?: RegExp;
  /** The retry preset (retries/presets.ts) for its deliveries, when its id is not the provider's own. */
  preset?: string;
}

/** The longest User-Agent looked at: a hostile one is cut before any pattern sees it. */
export const MAX_USER_AGENT_CHARS = 256;

/**
 * Every provider hookbin recognises, first match wins: the more specific
 * before the more general (SendGrid's `X-Twilio-Email-…` before Twilio,
 * every provider that signs with Svix's headers before Standard Webhooks).
 * To add one, add a line.
 */
export const PROVIDER_SIGNALS: readonly ProviderSignal[] = [
  { id: 'github', name: 'GitHub', headers: ['x-github-event', 'x-github-delivery', 'x-github-hook-id'], userAgent: /^GitHub-Hookshot\// },
  { id: 'stripe', name: 'Stripe', headers: ['stripe-signature'], userAgent: /^Stripe\/\d/ },
  {
    id: 'shopify',
    name: 'Shopify',
    headers: ['x-shopify-topic', 'x-shopify-hmac-sha256', 'x-shopify-webhook-id', 'shopify-topic', 'shopify-hmac-sha256', 'shopify-webhook-id'],
    userAgent: /^Shopify-Captain-Hook/,
  },
  { id: 'slack', name: 'Slack', headers: ['x-slack-signature', 'x-slack-request-timestamp', 'x-slack-retry-num'], userAgent: /^Slackbot 1\.0 \(\+https:\/\/api\.slack\.com\/robots\)/ },
  { id: 'webconnex', name: 'Webconnex', headers: ['x-webconnex-signature', 'x-webconnex-delivery', 'x-webconnex-event'], userAgent: /^Webconnex-Divvy/ },
  { id: 'makeplans', name: 'Makeplans', headers: ['x-makeplans-signature'] },
  { id: 'sendgrid', name: 'SendGrid', headers: ['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp'], userAgent: /^SendGrid Event API/ },
  { id: 'twilio', name: 'Twilio', headers: ['x-twilio-signature', 'i-twilio-idempotency-token'], userAgent: /^TwilioProxy\// },
  { id: 'paddle', name: 'Paddle', headers: ['paddle-signature'] },
  { id: 'zoom', name: 'Zoom', headers: ['x-zm-signature', 'x-zm-request-timestamp'], userAgent: /^Zoom Marketplace\// },
  { id: 'linear', name: 'Linear', headers: ['linear-signature', 'linear-delivery', 'linear-event'], userAgent: /^Linear-Webhook/ },
  { id: 'typeform', name: 'Typeform', headers: ['typeform-signature'], userAgent: /^Typeform Webhooks/ },
  { id: 'calendly', name: 'Calendly', headers: ['calendly-webhook-signature'] },
  { id: 'vercel', name: 'Vercel', headers: ['x-vercel-signature'] },
  { id: 'bitbucket', name: 'Bitbucket', headers: ['x-hook-uuid', 'x-event-key'], userAgent: /^Bitbucket-Webhooks\// },
  // Mailgun signs inside the body and sends no header of its own: its User-Agent is all there is.
  { id: 'mailgun', name: 'Mailgun', headers: [], userAgent: /^mailgun\//i },
  { id: 'discord', name: 'Discord', headers: ['x-signature-ed25519'], userAgent: /^Discord-Interactions\// },
  {
    id: 'hubspot',
    name: 'HubSpot',
    headers: ['x-hubspot-signature', 'x-hubspot-signature-v3', 'x-hubspot-signature-version', 'x-hubspot-request-timestamp'],
    userAgent: /^HubSpot Connect/,
  },
  { id: 'square', name: 'Square', headers: ['x-square-hmacsha256-signature', 'x-square-signature'], userAgent: /^Square Connect/ },
  // Svix signs for many providers; they are told apart above only when they send their own headers too.
  { id: 'svix', name: 'Standard Webhooks / Svix', headers: ['svix-id', 'svix-signature', 'webhook-signature'], userAgent: /^Svix-Webhooks\//, preset: 'standard-webhooks' },
];

const BY_ID = new Map(PROVIDER_SIGNALS.map((p) => [p.id, p]));

/** Each signal header's provider, by its position in {@link PROVIDER_SIGNALS} (the first that lists it). */
const POSITION_BY_HEADER = new Map<string, number>();
PROVIDER_SIGNALS.forEach((p, i) => {
  for (const h of p.headers) if (!POSITION_BY_HEADER.has(h)) POSITION_BY_HEADER.set(h, i);
});

/**
 * The id of the provider that sent a request with these headers (names
 * matched case-insensitively, the first User-Agent only), or null when no
 * signal matches. The first provider in {@link PROVIDER_SIGNALS} with any
 * matching header or its User-Agent wins. `index` is `headers` indexed, when
 * the caller has it already.
 */
export function detectProvider(headers: readonly HeaderPair[], index: HeaderIndex = indexHeaders(headers)): string | null {
  // The first provider any of the request's header names points to: one look-up a name, not one a signal.
  let first = PROVIDER_SIGNALS.length;
  for (const name of index.keys()) {
    const at = POSITION_BY_HEADER.get(name);
    if (at !== undefined && at < first) first = at;
  }
  // Only a provider listed before that one can still win by its User-Agent.
  const agent = index.get('user-agent');
  if (agent) {
    const userAgent = agent[1].trim().slice(0, MAX_USER_AGENT_CHARS);
    for (let i = 0; i < first; i++) if (PROVIDER_SIGNALS[i]!.userAgent?.test(userAgent)) return PROVIDER_SIGNALS[i]!.id;
  }
  return PROVIDER_SIGNALS[first]?.id ?? null;
}

/** The provider with this id as the API names it, or null for null; an id no longer listed keeps its id as its name. */
export function providerRef(id: string | null | undefined): ProviderRef | null {
  if (id == null) return null;
  return { id, name: BY_ID.get(id)?.name ?? id };
}

/** The retry preset id that imitates this provider: its own `preset`, else its id (which may name no preset). */
export function providerPresetId(id: string): string {
  return BY_ID.get(id)?.preset ?? id;
}
