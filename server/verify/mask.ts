/** Masking of secret values for everything that leaves the server. */

// Prefixes that providers print on every secret of a kind: showing them tells
// the user which secret it is without revealing any of its random part.
const KNOWN_PREFIXES = ['whsec_', 'shpss_', 'shpat_', 'sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'];

/** Below this many characters after the prefix, no character of the secret is shown. */
const MIN_BODY_FOR_HINT = 12;

/**
 * A secret's value made safe to show: a known provider prefix (`whsec_`…)
 * kept, the rest replaced by `…` and at most its last 4 characters (only
 * when at least 12 remain, so a short secret shows none of itself).
 * `maskSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')` → `whsec_…LaSw`;
 * `maskSecret('alpha-secret')` → `…cret`; `maskSecret('short')` → `…`; a PEM key
 * → its BEGIN line and `…`.
 */
export function maskSecret(value: string): string {
  // A PEM key (Discord's or SendGrid's, given to sign with): its label says which kind it is; its last characters are only the END line.
  const pem = /^\s*(-----BEGIN [A-Z0-9 ]{1,40}-----)/.exec(value);
  if (pem) return `${pem[1]}…`;
  const prefix = KNOWN_PREFIXES.find((p) => value.startsWith(p)) ?? '';
  const body = [...value.slice(prefix.length)];
  const tail = body.length >= MIN_BODY_FOR_HINT ? body.slice(-4).join('') : '';
  return `${prefix}…${tail}`;
}
