/**
 * Why a signature is not valid, in one plain sentence. Computed only when
 * asked for (it tries many keys, encodings and bodies), never on the capture
 * path. Sentences name secrets, never quote their values or the header's
 * (a misconfigured sender may put its secret in the header).
 */
import { base64Key, checkParsed, decodeDigest, describeSkew, findHeader, literalKey, safeEqual } from './crypto.js';
import { appliesTo, judge } from './judge.js';
import { schemeById } from './registry.js';
import type { ParsedSignature, Scheme, SchemeId, SecretInput, VerifyInput, VerifyResult } from './types.js';

type Parts = Omit<ParsedSignature, 'digests'>;

/** How users know each scheme, for sentences. */
const NAMES: Record<SchemeId, string> = {
  'x-signature': 'X-Signature',
  'x-webhook-signature': 'X-Webhook-Signature',
  makeplans: 'Makeplans',
  webconnex: 'Webconnex',
  github: 'GitHub',
  stripe: 'Stripe',
  'standard-webhooks': 'Standard Webhooks',
  shopify: 'Shopify',
  slack: 'Slack',
  paddle: 'Paddle',
  zoom: 'Zoom',
  linear: 'Linear',
  typeform: 'Typeform',
  calendly: 'Calendly',
  vercel: 'Vercel',
  bitbucket: 'Bitbucket',
  twilio: 'Twilio',
  discord: 'Discord',
  mailgun: 'Mailgun',
  square: 'Square',
  hubspot: 'HubSpot',
  sendgrid: 'SendGrid',
};

/**
 * One sentence saying why `scheme`'s signature on this request is not valid
 * for `secrets` (the same list the verdict was computed with, e.g. the bin's
 * secrets plus the global ones), or null when it is valid, when the scheme's
 * header is absent or unknown. An invalid signature with no cause found
 * still gets a sentence naming the secrets tried. Causes checked,
 * in order: header does not parse (with what was expected, or a right HMAC
 * in the wrong encoding); no applicable secret; timestamp outside the
 * tolerance; a secret restricted to another scheme matches; the `whsec_`
 * secret read literally vs base64-decoded; whitespace or a newline around the
 * secret; hex vs base64 digest; the timestamp prefix left out; the body
 * re-serialized as JSON, a trailing newline added or removed, CRLF vs LF;
 * the header carrying a secret itself.
 * Never contains a secret's value.
 */
export function diagnose(input: VerifyInput, scheme: Scheme | SchemeId, secrets: readonly SecretInput[]): string | null {
  const s = typeof scheme === 'string' ? schemeById(scheme) : scheme;
  if (!s || !s.detect(input.headers, input)) return null;
  const j = judge(s, input, secrets);
  const candidates = secrets.filter((x) => appliesTo(x, s.id));
  const others = secrets.filter((x) => !appliesTo(x, s.id));
  switch (j.status) {
    case 'valid':
      return null;
    case 'expired':
      return expiredSentence(j.secret!, j.result!, j.parse.ok ? j.parse.parsed.timestamp : null);
    case 'no-secret':
      return (
        (j.parse.ok && otherSchemeSecret(s, j.parse.parsed, input, others)) ||
        `No secret is set for ${NAMES[s.id]} signatures: add a secret to check this signature.`
      );
    case 'malformed': {
      const parts = j.parse.ok ? null : j.parse.parts;
      return (
        (parts && wrongEncoding(s, parts, input, candidates)) ||
        secretInHeader(s, input, secrets) ||
        `Malformed signature: ${j.parse.ok ? '' : j.parse.message}.`
      );
    }
    case 'invalid': {
      if (!j.parse.ok) return null;
      const p = j.parse.parsed;
      return (
        s.explain?.(p, input, candidates) ||
        otherSchemeSecret(s, p, input, others) ||
        secretReadDifferently(s, p, input, candidates) ||
        secretWhitespace(s, p, input, candidates) ||
        wrongEncoding(s, p, input, candidates) ||
        prefixLeftOut(s, p, input, candidates) ||
        bodyChanged(s, p, input, candidates) ||
        secretInHeader(s, input, secrets) ||
        withHint(noMatch(candidates, input.body.length <= MAX_VARIANT_BODY), s.hint?.(input) ?? null)
      );
    }
  }
}

function withHint(sentence: string, hint: string | null): string {
  return hint === null ? sentence : `${sentence.slice(0, -1)}; ${hint}.`;
}

/** When no cause is found, what hookbin knows still helps: which secrets it tried, and what it ruled out. */
function noMatch(candidates: readonly SecretInput[], variantsTried: boolean): string {
  const names = candidates.map((c) => `"${c.name}"`).join(', ');
  const tried = candidates.length === 1 ? `secret ${names}` : `any of the secrets ${names}`;
  if (!variantsTried) {
    return `The signature was not made with ${tried} over the bytes received (the body is too large to try it re-serialized or with other line endings): the sender likely signs with another secret, or the body was altered on the way.`;
  }
  return `The signature was not made with ${tried}, nor with the body re-serialized or its line endings changed: the sender likely signs with another secret, or the body was altered on the way.`;
}

function matched(r: VerifyResult): boolean {
  return r.status === 'valid' || r.status === 'expired';
}

/** A cause found with a variant may also be stale; say both rather than hide one. */
function withSkew(sentence: string, r: VerifyResult): string {
  if (r.status !== 'expired' || r.skewSeconds === undefined) return `${sentence}.`;
  return `${sentence}, and it was ${r.message ?? describeSkew(r.skewSeconds)}.`;
}

function expiredSentence(secret: SecretInput, r: VerifyResult, timestamp: number | null): string {
  // 13-digit timestamps are a classic: Date.now() where seconds were meant.
  const ms = timestamp !== null && timestamp > 1e11 ? ' (the timestamp looks like milliseconds, not seconds)' : '';
  const skew = r.skewSeconds ?? 0;
  const words = r.message ?? describeSkew(skew);
  // Ahead of the clock is the sender's clock running fast (or ms for s), not a stale replay.
  if (skew < 0) return `The HMAC matches secret "${secret.name}" but the request's timestamp is ${words}${ms}: the sender's clock runs ahead of this machine's.`;
  return `The HMAC matches secret "${secret.name}" but the request was ${words}${ms}.`;
}

function otherSchemeSecret(s: Scheme, p: ParsedSignature, input: VerifyInput, others: readonly SecretInput[]): string | null {
  for (const o of others) {
    const key = s.key(o.value);
    if (!key) continue;
    const r = checkParsed(p, key, input.body, input.now);
    if (matched(r)) {
      return withSkew(
        `The signature matches secret "${o.name}", which is set for ${o.scheme} only: clear its scheme or set it to ${s.id}`,
        r,
      );
    }
  }
  return null;
}

/** The ways senders turn a `whsec_…` secret into a key, other than the scheme's own. */
function keyReadings(s: Scheme, value: string): { key: Buffer; how: 'literal' | 'stripped' | 'decoded' }[] {
  const own = s.key(value);
  const readings: { key: Buffer | null; how: 'literal' | 'stripped' | 'decoded' }[] = [
    { key: literalKey(value), how: 'literal' },
    { key: value.startsWith('whsec_') ? literalKey(value.slice('whsec_'.length)) : null, how: 'stripped' },
    { key: base64Key(value), how: 'decoded' },
  ];
  const out: { key: Buffer; how: 'literal' | 'stripped' | 'decoded' }[] = [];
  for (const r of readings) if (r.key && !(own && own.equals(r.key))) out.push({ key: r.key, how: r.how });
  return out;
}

function secretReadDifferently(s: Scheme, p: ParsedSignature, input: VerifyInput, candidates: readonly SecretInput[]): string | null {
  const decodes = s.key === base64Key;
  const ownWay = decodes ? `${NAMES[s.id]} base64-decodes the part after whsec_` : `${NAMES[s.id]} uses the whole secret literally as text`;
  for (const c of candidates) {
    for (const { key, how } of keyReadings(s, c.value)) {
      const r = checkParsed(p, key, input.body, input.now);
      if (!matched(r)) continue;
      const theirWay =
        how === 'literal'
          ? 'used literally as text'
          : how === 'stripped'
            ? 'with its whsec_ prefix dropped and the rest used literally as text'
            : 'base64-decoded after whsec_ (the Standard Webhooks way)';
      return withSkew(`The signature matches secret "${c.name}" ${theirWay}, but ${ownWay}`, r);
    }
  }
  return null;
}

function secretWhitespace(s: Scheme, p: ParsedSignature, input: VerifyInput, candidates: readonly SecretInput[]): string | null {
  for (const c of candidates) {
    const trimmed = c.value.trim();
    if (trimmed !== c.value) {
      const key = s.key(trimmed);
      const r = key && checkParsed(p, key, input.body, input.now);
      if (r && matched(r)) {
        const what = /[\r\n]/.test(c.value) ? 'a newline' : 'whitespace';
        return withSkew(
          `The signature matches secret "${c.name}" once trimmed: the configured value has ${what} around it (often pasted or read from a file), so remove it`,
          r,
        );
      }
    }
    for (const extra of ['\n', '\r\n', ' ']) {
      const key = s.key(c.value + extra);
      const r = key && checkParsed(p, key, input.body, input.now);
      if (r && matched(r)) {
        const what = extra === ' ' ? 'a trailing space' : 'a trailing newline';
        return withSkew(
          `The signature matches secret "${c.name}" with ${what} added: the sender's copy of the secret has ${what} (often read from a file), so trim it there`,
          r,
        );
      }
    }
  }
  return null;
}

function wrongEncoding(s: Scheme, parts: Parts, input: VerifyInput, candidates: readonly SecretInput[]): string | null {
  const other = parts.encoding === 'hex' ? 'base64' : 'hex';
  const swapped = parts.signatures.map((t) => decodeDigest(t, other, parts.algorithm)).filter((d): d is Buffer => d !== null);
  if (swapped.length === 0) return null;
  for (const c of candidates) {
    const key = s.key(c.value);
    if (!key) continue;
    if (matched(checkParsed({ ...parts, digests: swapped }, key, input.body, input.now))) {
      return `The HMAC is right (secret "${c.name}") but written in ${other}, while ${NAMES[s.id]} signatures are ${parts.encoding}: the sender encoded the digest as ${other}.`;
    }
  }
  return null;
}

/**
 * A sender that signs the body alone where the provider signs a timestamp
 * (and id) before it: the HMAC of the bare body matches. The prefix is not
 * quoted: it holds header text the sender chose.
 */
function prefixLeftOut(s: Scheme, p: ParsedSignature, input: VerifyInput, candidates: readonly SecretInput[]): string | null {
  // Schemes that sign something other than the body (Twilio's URL, Mailgun's token) have no "body alone" to try.
  if (p.prefix === '' || p.signed) return null;
  for (const c of candidates) {
    const key = s.key(c.value);
    if (!key) continue;
    if (matched(checkParsed({ ...p, prefix: '' }, key, input.body, input.now))) {
      return `The signature matches secret "${c.name}" over the body alone, but ${NAMES[s.id]} signs the timestamp${s.idHeader ? ' and id' : ''} before the body: the sender left that prefix out of what it signed.`;
    }
  }
  return null;
}

interface BodyVariant {
  bytes: Buffer;
  /** What the signature matches, as a noun phrase. */
  what: string;
  /** What happened to the body, as a clause. */
  why: string;
}

/**
 * The largest body whose variants are tried: each variant is a copy of the
 * body (a JSON one a parse and five re-serializations), so a 25 MiB body
 * with a wrong signature would cost hundreds of MB per look at its capture.
 */
export const MAX_VARIANT_BODY = 1024 * 1024;

function bodyChanged(s: Scheme, p: ParsedSignature, input: VerifyInput, candidates: readonly SecretInput[]): string | null {
  if (input.body.length > MAX_VARIANT_BODY) return null;
  const keys = candidates.map((c) => ({ c, key: s.key(c.value) })).filter((k): k is { c: SecretInput; key: Buffer } => k.key !== null);
  if (keys.length === 0) return null;
  for (const v of bodyVariants(input.body)) {
    for (const { c, key } of keys) {
      const r = checkParsed(p, key, v.bytes, input.now);
      if (matched(r)) return withSkew(`The signature matches ${v.what} (secret "${c.name}"), not the bytes received: ${v.why}`, r);
    }
  }
  return null;
}

const JSON_FORMS: { label: string; format: (v: unknown) => string }[] = [
  { label: 'compact JSON', format: (v) => JSON.stringify(v) },
  { label: 'pretty JSON (2-space indent)', format: (v) => JSON.stringify(v, null, 2) },
  { label: 'pretty JSON (4-space indent)', format: (v) => JSON.stringify(v, null, 4) },
  { label: 'pretty JSON (tab indent)', format: (v) => JSON.stringify(v, null, '\t') },
  { label: "JSON with spaces after , and : (Python's json.dumps default)", format: pythonDumps },
];

/**
 * The bodies a sender may have signed instead of the one that arrived, most
 * specific first (a trailing newline explains more precisely than "re-
 * serialized" when both fit). Line endings are rewritten on latin1 text, which
 * maps bytes one-to-one, so binary bodies survive.
 */
function bodyVariants(body: Uint8Array): BodyVariant[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: BodyVariant[] = [];
  const add = (bytes: Buffer, what: string, why: string) => {
    // Stryker disable next-line ConditionalExpression,LogicalOperator,ArrowFunction: equivalent, skips only a variant the body itself already failed as, or a repeat
    if (bytes.equals(buf) || out.some((v) => v.bytes.equals(bytes))) return;
    out.push({ bytes, what, why });
  };
  const latin1 = buf.toString('latin1');
  if (latin1.endsWith('\n')) {
    const cut = latin1.endsWith('\r\n') ? 2 : 1;
    add(buf.subarray(0, buf.length - cut), 'the body without its trailing newline', 'a trailing newline was added to the body after signing');
  } else {
    add(Buffer.concat([buf, Buffer.from('\n')]), 'the body with a trailing newline', 'the trailing newline was removed from the body after signing');
  }
  // A body without CRLF (or without a lone LF) gives back itself, which `add` skips.
  add(Buffer.from(latin1.replace(/\r\n/g, '\n'), 'latin1'), 'the body with LF line endings', 'the body was signed with LF line endings and arrived with CRLF');
  add(Buffer.from(latin1.replace(/(?<!\r)\n/g, '\r\n'), 'latin1'), 'the body with CRLF line endings', 'the body was signed with CRLF line endings and arrived with LF');
  const value = parseJson(buf);
  if (value !== undefined) {
    for (const { label, format } of JSON_FORMS) {
      const text = reserialized(format, value);
      // Too deeply nested to re-serialize (the sender chose the depth): no such variant to offer.
      if (text === null) break;
      const why = 'the body was re-serialized (parsed and stringified again) between signing and sending, so verify the raw bytes exactly as sent';
      add(Buffer.from(text, 'utf8'), `this body re-serialized as ${label}`, why);
      add(Buffer.from(`${text}\n`, 'utf8'), `this body re-serialized as ${label} with a trailing newline`, why);
    }
  }
  return out;
}

/** `format(value)`, or null when the value nests too deeply for the stack (JSON.stringify and pythonDumps recurse). */
function reserialized(format: (v: unknown) => string, value: unknown): string | null {
  try {
    return format(value);
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
}

/** The body as a JSON object or array, or undefined when it is not one. */
function parseJson(buf: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return undefined;
  }
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `json.dumps(v)` with Python's defaults: `, ` and `: ` separators, non-ASCII escaped. */
function pythonDumps(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonDumps).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${asciiJson(k)}: ${pythonDumps(x)}`).join(', ')}}`;
  }
  return asciiJson(v);
}

function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A sender that puts its secret where the signature belongs (the "secret token" style some providers use). */
function secretInHeader(s: Scheme, input: VerifyInput, secrets: readonly SecretInput[]): string | null {
  const name = s.detect(input.headers, input);
  const h = name && findHeader(input.headers, name);
  if (!h) return null;
  const value = Buffer.from(h.value.trim(), 'utf8');
  for (const secret of secrets) {
    if (secret.value.length > 0 && safeEqual(value, Buffer.from(secret.value.trim(), 'utf8'))) {
      return `${h.name} carries secret "${secret.name}" itself instead of an HMAC of the body: the sender sends its secret, not a signature.`;
    }
  }
  return null;
}
