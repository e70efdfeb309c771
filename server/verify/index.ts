/**
 * Signature verification: the scheme registry, the capture-path verifier,
 * the on-demand diagnosis and secret masking. Import from here.
 */
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import { hasAnyHeader, indexHeaders, type HeaderIndex } from '../common/header-index.js';
import { customDetect, customDiagnose, customVerify } from './custom.js';
import { diagnose } from './diagnose.js';
import { appliesTo, judge } from './judge.js';
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
export { diagnose };
export { customSign, customDetect } from './custom.js';
export { maskSecret } from './mask.js';
export { TOLERANCE_SECONDS } from './crypto.js';

/**
 * The `signatures` of a capture: one verdict per scheme whose
 * signature header is present, in `SCHEMES` order and then users' own
 * `schemes` in their order (whose `{url}` and `{method}` are the input's),
 * each tried against every
 * secret that applies to it (unrestricted ones, and those whose `scheme` is
 * that scheme). `status` is `malformed` when the header does not parse
 * (whatever the secrets), `no-secret` when no secret applies, `valid` when
 * one matches, `expired` when one matches but the timestamp is outside the
 * tolerance, else `invalid`. `secret` is the matching secret's NAME (for
 * `valid` and `expired`), never its value. `diagnosis` is always null here:
 * this runs on the capture path; call `diagnose` when a user asks why.
 * `index` is `input.headers` indexed (common/header-index.ts), when the
 * caller has it already.
 */
export function verifySignatures(
  input: VerifyInput,
  secrets: readonly SecretInput[],
  schemes: readonly CustomSchemeDef[] = [],
  index: HeaderIndex = indexHeaders(input.headers),
): SignatureVerdict[] {
  const verdicts: SignatureVerdict[] = [];
  for (const scheme of SCHEMES) {
    // Most schemes' headers are absent from any one request: skipped without a scan.
    // Stryker disable next-line ConditionalExpression: equivalent, a shortcut (asking the scheme gives the same null)
    if (scheme.detectsOn !== null && !hasAnyHeader(index, scheme.detectsOn)) continue;
    const header = scheme.detect(input.headers, input);
    if (header === null) continue;
    const j = judge(scheme, input, secrets);
    const skew = j.result?.skewSeconds;
    verdicts.push({ scheme: scheme.id, header, status: j.status, secret: j.secret?.name ?? null, diagnosis: null, ...(skew === undefined ? {} : { skewSeconds: skew }) });
  }
  // Users' own schemes come after the built-in ones, in their definition order.
  for (const def of schemes) {
    const header = customDetect(def, input.headers, index);
    if (header === null) continue;
    const r = customVerify(def, input, secrets.filter((s) => appliesTo(s, def.id)));
    verdicts.push({ scheme: def.id, header, status: r.status, secret: r.secret, diagnosis: null, ...(r.skewSeconds === undefined ? {} : { skewSeconds: r.skewSeconds }) });
  }
  return verdicts;
}

/**
 * `diagnose` for a built-in scheme id or one of `schemes` (users' own): one
 * sentence on why the signature is not valid, or null.
 */
export function diagnoseAny(input: VerifyInput, scheme: string, secrets: readonly SecretInput[], schemes: readonly CustomSchemeDef[] = []): string | null {
  const def = schemes.find((s) => s.id === scheme);
  if (def) return customDiagnose(def, input, secrets.filter((s) => appliesTo(s, def.id)));
  return diagnose(input, scheme as Parameters<typeof diagnose>[1], secrets);
}
