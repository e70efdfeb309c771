/**
 * Signature verification: the scheme registry, the capture-path verifier,
 * the on-demand diagnosis and secret masking. Import from here.
 */
import { judge } from './judge.js';
import { SCHEMES } from './registry.js';
import type { SecretInput, SignatureVerdict, VerifyInput } from './types.js';

export type {
  HeaderPair,
  ParsedSignature,
  ParseResult,
  Scheme,
  SchemeId,
  SecretInput,
  SignatureStatus,
  SignatureVerdict,
  SignatureAlgorithm,
  SignInput,
  Tolerance,
  VerifyInput,
  VerifyResult,
} from './types.js';
export { SCHEMES, SCHEME_LIST, schemeById, isSchemeId } from './registry.js';
export { diagnose } from './diagnose.js';
export { maskSecret } from './mask.js';
export { TOLERANCE_SECONDS } from './crypto.js';

/**
 * The `signatures` of a capture: one verdict per scheme whose
 * signature header is present, in `SCHEMES` order, each tried against every
 * secret that applies to it (unrestricted ones, and those whose `scheme` is
 * that scheme). `status` is `malformed` when the header does not parse
 * (whatever the secrets), `no-secret` when no secret applies, `valid` when
 * one matches, `expired` when one matches but the timestamp is outside the
 * tolerance, else `invalid`. `secret` is the matching secret's NAME (for
 * `valid` and `expired`), never its value. `diagnosis` is always null here:
 * this runs on the capture path; call `diagnose` when a user asks why.
 */
export function verifySignatures(input: VerifyInput, secrets: readonly SecretInput[]): SignatureVerdict[] {
  const verdicts: SignatureVerdict[] = [];
  for (const scheme of SCHEMES) {
    const header = scheme.detect(input.headers, input);
    if (header === null) continue;
    const j = judge(scheme, input, secrets);
    const skew = j.result?.skewSeconds;
    verdicts.push({ scheme: scheme.id, header, status: j.status, secret: j.secret?.name ?? null, diagnosis: null, ...(skew === undefined ? {} : { skewSeconds: skew }) });
  }
  return verdicts;
}
