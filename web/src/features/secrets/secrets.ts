/**
 * Signatures in the inspector, pure: verdict words for the badge and the
 * filter, the scheme ids for the secrets editor, and the `secrets` lists a
 * PATCH sends. The bin's secrets reach the inspector masked; a PATCH entry
 * without `value` keeps that name's stored value, so the masked text is never
 * sent back (it would replace the real secret with `…abcd`).
 */
import type { MaskedSecret, SchemeId, Verdict } from '../../../../server/common/types.js';

/** A verdict filter value: one of the server's `?verdict=` words. */
export type VerdictFilter = Verdict | 'unsigned';

/** In the order the filter offers them. */
export const VERDICT_FILTERS: readonly VerdictFilter[] = ['valid', 'invalid', 'expired', 'malformed', 'no-secret', 'unsigned'];

/** The badge's word for a capture's verdict (null = no signature header). */
export function verdictLabel(v: VerdictFilter | null): string {
  if (v === null || v === 'unsigned') return 'unsigned';
  return v === 'no-secret' ? 'no secret' : v;
}

/**
 * A glyph that says pass or fail without color: ✓ valid, ✗ for a signature
 * that failed, ? when hookbin had no secret to check with, none when unsigned.
 */
export function verdictGlyph(v: Verdict | null): string {
  if (v === 'valid') return '✓';
  if (v === 'invalid' || v === 'expired' || v === 'malformed') return '✗';
  if (v === 'no-secret') return '?';
  return '';
}

/** One sentence for the badge's tooltip. */
export function verdictTitle(v: Verdict | null): string {
  switch (v) {
    case 'valid':
      return 'The signature matches a configured secret';
    case 'invalid':
      return 'The signature does not match any configured secret (open the capture for why)';
    case 'expired':
      return 'The signature matches, but its timestamp is outside the tolerance';
    case 'malformed':
      return 'The signature header does not parse';
    case 'no-secret':
      return 'Signed, but no secret is configured for its scheme: add one in Secrets';
    default:
      return 'No signature header of a known scheme';
  }
}

/** Whether a capture belongs in a list filtered by `f` (null: no filter). Mirrors the server's `?verdict=`. */
export function matchesVerdict(v: Verdict | null, f: VerdictFilter | null): boolean {
  if (f === null) return true;
  return f === 'unsigned' ? v === null : v === f;
}

/** The scheme ids, with the header each reads (as the server registry names it: Mailgun's is a field of the body), for the scheme pickers. */
export const SCHEMES: readonly { id: SchemeId; header: string }[] = [
  { id: 'x-signature', header: 'X-Signature' },
  { id: 'x-webhook-signature', header: 'X-Webhook-Signature' },
  { id: 'makeplans', header: 'X-MakePlans-Signature' },
  { id: 'webconnex', header: 'X-Webconnex-Signature' },
  { id: 'github', header: 'X-Hub-Signature-256' },
  { id: 'stripe', header: 'Stripe-Signature' },
  { id: 'standard-webhooks', header: 'webhook-signature' },
  { id: 'shopify', header: 'X-Shopify-Hmac-Sha256' },
  { id: 'slack', header: 'X-Slack-Signature' },
  { id: 'paddle', header: 'Paddle-Signature' },
  { id: 'zoom', header: 'x-zm-signature' },
  { id: 'linear', header: 'Linear-Signature' },
  { id: 'typeform', header: 'Typeform-Signature' },
  { id: 'calendly', header: 'Calendly-Webhook-Signature' },
  { id: 'vercel', header: 'x-vercel-signature' },
  { id: 'bitbucket', header: 'X-Hub-Signature' },
  { id: 'twilio', header: 'X-Twilio-Signature' },
  { id: 'discord', header: 'X-Signature-Ed25519' },
  { id: 'mailgun', header: 'signature.signature' },
  { id: 'square', header: 'x-square-hmacsha256-signature' },
  { id: 'hubspot', header: 'X-HubSpot-Signature-v3' },
  { id: 'sendgrid', header: 'X-Twilio-Email-Event-Webhook-Signature' },
];

/** Secret names the server accepts. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** One entry of `PATCH /api/bins/{id}` `secrets`: without `value`, the stored value of that name is kept. */
export interface SecretPatchEntry {
  name: string;
  value?: string;
  /** A built-in scheme id or one of the user's own. */
  scheme: string | null;
}

/** The current list as a PATCH keeps it: names and schemes, never a value. */
export function keepSecrets(current: readonly MaskedSecret[]): SecretPatchEntry[] {
  return current.map((s) => ({ name: s.name, scheme: s.scheme }));
}

/**
 * The list with a secret added, or replaced in place when the name is taken
 * (a rotated secret). Throws a sentence for a bad name or an empty value.
 */
export function addSecret(current: readonly MaskedSecret[], input: { name: string; value: string; scheme: string | null }): SecretPatchEntry[] {
  const name = input.name.trim();
  if (!SECRET_NAME.test(name)) throw new Error('A secret name is 1–64 of letters, digits, _ . and -.');
  if (input.value === '') throw new Error('Paste the secret’s value.');
  const entry: SecretPatchEntry = { name, value: input.value, scheme: input.scheme };
  const list = keepSecrets(current);
  const i = list.findIndex((s) => s.name === name);
  if (i === -1) list.push(entry);
  else list[i] = entry;
  return list;
}

/** The list without the secret named `name`. */
export function removeSecret(current: readonly MaskedSecret[], name: string): SecretPatchEntry[] {
  return keepSecrets(current).filter((s) => s.name !== name);
}

/** The list with one secret limited to `scheme` (null: any scheme), its value kept on the server. */
export function setSecretScheme(current: readonly MaskedSecret[], name: string, scheme: string | null): SecretPatchEntry[] {
  return keepSecrets(current).map((s) => (s.name === name ? { ...s, scheme } : s));
}
