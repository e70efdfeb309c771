/** The scheme registry: every signature style hookbin knows, in reporting order. */
import { bitbucket } from './schemes/bitbucket.js';
import { calendly } from './schemes/calendly.js';
import { discord } from './schemes/discord.js';
import { github } from './schemes/github.js';
import { hubspot } from './schemes/hubspot.js';
import { linear } from './schemes/linear.js';
import { mailgun } from './schemes/mailgun.js';
import { makeplans } from './schemes/makeplans.js';
import { paddle } from './schemes/paddle.js';
import { sendgrid } from './schemes/sendgrid.js';
import { shopify } from './schemes/shopify.js';
import { slack } from './schemes/slack.js';
import { square } from './schemes/square.js';
import { standardWebhooks } from './schemes/standard-webhooks.js';
import { stripe } from './schemes/stripe.js';
import { twilio } from './schemes/twilio.js';
import { typeform } from './schemes/typeform.js';
import { vercel } from './schemes/vercel.js';
import { webconnex } from './schemes/webconnex.js';
import { xSignature } from './schemes/x-signature.js';
import { xWebhookSignature } from './schemes/x-webhook-signature.js';
import { zoom } from './schemes/zoom.js';
import type { Scheme, SchemeId } from './types.js';

/** Every scheme, one per `SchemeId`, in the order verdicts are listed. */
export const SCHEMES: readonly Scheme[] = [
  xSignature,
  xWebhookSignature,
  makeplans,
  webconnex,
  github,
  stripe,
  standardWebhooks,
  shopify,
  slack,
  paddle,
  zoom,
  linear,
  typeform,
  calendly,
  vercel,
  bitbucket,
  twilio,
  discord,
  mailgun,
  square,
  hubspot,
  sendgrid,
];

/** Every scheme id, comma-separated, for messages that list them. */
export const SCHEME_LIST = SCHEMES.map((s) => s.id).join(', ');

const BY_ID = new Map<string, Scheme>(SCHEMES.map((s) => [s.id, s]));

/** The scheme with this id, or undefined for an unknown id (ids come from user input). */
export function schemeById(id: string): Scheme | undefined {
  return BY_ID.get(id);
}

/** Whether `id` is a known scheme id. */
export function isSchemeId(id: string): id is SchemeId {
  return BY_ID.has(id);
}
