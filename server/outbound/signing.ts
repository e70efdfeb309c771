/**
 * Signing an outbound attempt: which secret a sender names, and the headers
 * (or, for Mailgun, the body) each scheme adds, built afresh for every
 * attempt with the same delivery id, as a provider's retries carry.
 */
import { customSign, schemeById, type SecretInput } from '../verify/index.js';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import type { HeaderPair } from '../common/types.js';
import type { SignSpec } from '../store/index.js';
import { SendInputError } from './errors.js';

/**
 * A secret given to sign with: the NAME of one of `candidates` when one has
 * it (first wins), else the value itself. A value that happens to equal a
 * configured name is taken as that name; names are short slugs, secrets are not.
 */
export function resolveSecret(scheme: string, secret: string, candidates: readonly SecretInput[], custom?: CustomSchemeDef): SignSpec {
  const named = candidates.find((s) => s.name === secret);
  const spec: SignSpec = named ? { scheme, secret: named.value, secretName: named.name } : { scheme, secret, secretName: null };
  return custom ? { ...spec, custom } : spec;
}

/** Replaces each header of `add` in place (first of its name, case-insensitive, keeping that name's case; later duplicates dropped), or appends it. */
function mergeHeaders(base: HeaderPair[], add: readonly HeaderPair[]): HeaderPair[] {
  let out = base.slice();
  for (const [name, value] of add) {
    const lower = name.toLowerCase();
    const first = out.findIndex(([n]) => n.toLowerCase() === lower);
    if (first === -1) {
      out.push([name, value]);
      continue;
    }
    out = out.filter(([n], i) => i <= first || n.toLowerCase() !== lower);
    out[first] = [out[first]![0], value];
  }
  return out;
}

/** The delivery id in the style of the scheme's id header. */
function idFor(schemeId: string, signId: string): string {
  const hex = signId.replace(/-/g, '');
  if (schemeId === 'standard-webhooks') return `msg_${hex}`;
  if (schemeId === 'webconnex') return hex;
  return signId;
}

/**
 * The headers of one attempt: `base` with each scheme's headers merged in,
 * signed as of `nowSeconds`. A delivery id already in `base` (the scheme's
 * `idHeader`, or Svix's `svix-id`) is signed with; otherwise `signId`, so
 * every attempt carries the same id, as a provider's retries do. Standard
 * Webhooks headers keep Svix's `svix-` names when the base uses them.
 * Throws (without the secret) when a secret cannot key its scheme.
 */
export function signHeaders(
  base: HeaderPair[],
  signs: readonly SignSpec[],
  body: Uint8Array,
  nowSeconds: number,
  signId: string,
  request: { method?: string; url?: string } = {},
): HeaderPair[] {
  let headers = base;
  for (const s of signs) {
    if (s.custom) {
      headers = mergeHeaders(headers, customSign(s.custom, { ...request, headers, body, now: nowSeconds }, s.secret));
      continue;
    }
    const scheme = schemeById(s.scheme);
    if (!scheme) throw new SendInputError(`unknown scheme "${s.scheme}"`);
    const find = (name: string) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    const svix = scheme.id === 'standard-webhooks' && find('webhook-signature') === undefined && (find('svix-id') !== undefined || find('svix-signature') !== undefined);
    const existing = scheme.idHeader === undefined ? undefined : svix ? find('svix-id') : find(scheme.idHeader);
    const id = existing ?? (scheme.idHeader === undefined ? undefined : idFor(scheme.id, signId));
    let out = scheme.sign({ body, secret: s.secret, now: nowSeconds, id, method: request.method, url: request.url });
    if (svix) out = out.map(([n, v]) => [n.replace(/^webhook-/, 'svix-'), v] as HeaderPair);
    headers = mergeHeaders(headers, out);
  }
  return headers;
}

/**
 * The body of one attempt: `body` with the signature written in by each
 * scheme that signs inside the body (Mailgun), else `body` itself. Keyed
 * by `signId` where the scheme makes up a token, so every attempt of a
 * delivery carries the same one. Throws as `signHeaders` does.
 */
export function signBody(signs: readonly SignSpec[], body: Uint8Array, nowSeconds: number, signId: string): Uint8Array {
  let out = body;
  for (const s of signs) {
    const scheme = schemeById(s.scheme);
    if (scheme?.signBody) out = scheme.signBody({ body: out, secret: s.secret, now: nowSeconds, id: signId });
  }
  return out;
}
