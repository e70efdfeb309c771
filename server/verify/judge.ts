/**
 * One scheme's verdict over a list of secrets: the shared core of
 * `verifySignatures` (capture path) and `diagnose` (on demand), so that the
 * two can never disagree about a request.
 */
import { checkParsed } from './crypto.js';
import type { ParseResult, Scheme, SchemeId, SecretInput, SignatureStatus, VerifyInput, VerifyResult } from './types.js';

/** A verdict with what led to it. */
export interface Judgement {
  status: SignatureStatus;
  /** The secret whose HMAC matched (`valid`, `expired`), else null. */
  secret: SecretInput | null;
  /** The deciding check (for `expired`: its skew); null for `no-secret`. */
  result: VerifyResult | null;
  parse: ParseResult;
}

/** Whether a secret is tried for a scheme: unrestricted ones for all, restricted ones for theirs only. */
export function appliesTo(secret: SecretInput, id: string): boolean {
  return secret.scheme === undefined || secret.scheme === null || secret.scheme === id;
}

/**
 * Parses the scheme's header once, then tries every applicable secret: the
 * first `valid` wins; else the first `expired` (a genuine but stale
 * request); else `invalid`. A header that does not parse is `malformed`
 * whatever the secrets, since no secret could fix it.
 */
export function judge(scheme: Scheme, input: VerifyInput, secrets: readonly SecretInput[]): Judgement {
  const parse = scheme.parse(input.headers, input);
  if (!parse.ok) return { status: 'malformed', secret: null, result: { status: 'malformed', message: parse.message }, parse };
  let expired: { secret: SecretInput; result: VerifyResult } | null = null;
  let tried = false;
  for (const secret of secrets) {
    if (!appliesTo(secret, scheme.id)) continue;
    tried = true;
    const key = scheme.key(secret.value);
    if (!key) continue;
    const result = checkParsed(parse.parsed, key, input.body, input.now);
    if (result.status === 'valid') return { status: 'valid', secret, result, parse };
    if (result.status === 'expired' && !expired) expired = { secret, result };
  }
  if (!tried) return { status: 'no-secret', secret: null, result: null, parse };
  if (expired) return { status: 'expired', secret: expired.secret, result: expired.result, parse };
  return { status: 'invalid', secret: null, result: { status: 'invalid' }, parse };
}
