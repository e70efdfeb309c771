/**
 * The engine of users' own schemes (server/common/custom-scheme.ts holds the
 * definition and its rules): the signed bytes built from the template, sign,
 * verify (constant-time, on the raw body), tolerance, and a diagnosis of the
 * common mistakes. It judges the same `VerifyInput` as the built-in schemes:
 * `{url}` is the URL the sender signed (the public URL with `--public-url`
 * or `--trust-proxy`, see capture/public-url.ts) and `{method}` the method.
 */
import { createHmac } from 'node:crypto';
import { parseTemplate, type CustomSchemeDef, type TemplatePart } from '../common/custom-scheme.js';
import type { HeaderIndex } from '../common/header-index.js';
import type { HeaderPair } from '../common/http-syntax.js';
import type { SignatureStatus } from '../common/types.js';
import { decodeDigest, describeSkew, safeEqual } from './crypto.js';
import type { VerifyInput } from './types.js';

/** What a custom scheme signs: the request as received, with the URL it was signed for. */
export type CustomInput = VerifyInput;

/** One verdict of a custom scheme for a list of secrets. */
export interface CustomResult {
  status: SignatureStatus;
  /** The name of the matching secret (`valid`, `expired`). */
  secret: string | null;
  /** Why it is not valid, in words; never a secret's value. */
  message: string | null;
  /** For a scheme with a tolerance whose HMAC matched: `now − timestamp`, seconds (negative = ahead of the clock). */
  skewSeconds?: number;
}

const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

function headerOf(headers: readonly HeaderPair[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

function partsOf(def: CustomSchemeDef): TemplatePart[] {
  const parts = parseTemplate(def.signed);
  // Definitions are checked before they are stored or loaded; this is a programming error.
  if (typeof parts === 'string') throw new Error(parts);
  return parts;
}

/**
 * The bytes the scheme signs for this request: the template's parts in
 * order, linear in their size. Returns a sentence when a header the template
 * names is missing, or the URL or method it signs is unknown (`{url}` is
 * `input.url`: the public URL on the capture path, the target when sending).
 */
export function renderSigned(parts: readonly TemplatePart[], input: Omit<CustomInput, 'now'>, timestamp: string): Buffer | string {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (p.kind === 'text') chunks.push(Buffer.from(p.text, 'utf8'));
    else if (p.kind === 'body') chunks.push(Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength));
    else if (p.kind === 'timestamp') chunks.push(Buffer.from(timestamp, 'utf8'));
    else if (p.kind === 'url') {
      if (input.url === undefined) return 'hookbin cannot tell the URL this request was made at (no Host header), and the scheme signs {url}: start hookbin with --public-url';
      chunks.push(Buffer.from(input.url, 'utf8'));
    } else if (p.kind === 'method') {
      if (input.method === undefined) return 'the request method the scheme signs is unknown';
      chunks.push(Buffer.from(input.method.toUpperCase(), 'utf8'));
    } else if (p.kind === 'header') {
      const v = headerOf(input.headers, p.name);
      if (v === undefined) return `the ${p.name} header the scheme signs is missing`;
      chunks.push(Buffer.from(v, 'utf8'));
    }
  }
  return Buffer.concat(chunks);
}

function hmac(def: CustomSchemeDef, secret: string, bytes: Buffer): Buffer {
  return createHmac(def.algorithm, Buffer.from(secret, 'utf8')).update(bytes).digest();
}

/** A timestamp header's value as unix seconds (13 digits or more read as milliseconds), or null. */
function timestampSeconds(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return value.length >= 13 ? Math.floor(n / 1000) : n;
}

/**
 * The scheme's signature header's name as received (the first of that name),
 * or null when it is absent. `index` is `headers` indexed, when the caller
 * has it already (the capture path).
 */
export function customDetect(def: CustomSchemeDef, headers: readonly HeaderPair[], index?: HeaderIndex): string | null {
  const lower = def.header.toLowerCase();
  if (index) return index.get(lower)?.[0] ?? null;
  return headers.find(([n]) => n.toLowerCase() === lower)?.[0] ?? null;
}

/** The headers a sender adds for this body and secret: the timestamp header (when the scheme has one) and the signature. */
export function customSign(def: CustomSchemeDef, input: Omit<CustomInput, 'headers'> & { headers?: HeaderPair[] }, secret: string): HeaderPair[] {
  const out: HeaderPair[] = [];
  const timestamp = String(input.now);
  if (def.timestampHeader !== undefined) out.push([def.timestampHeader, timestamp]);
  const bytes = renderSigned(partsOf(def), { ...input, headers: [...(input.headers ?? []), ...out] }, timestamp);
  if (typeof bytes === 'string') throw new Error(`cannot sign with scheme "${def.id}": ${bytes}`);
  const digest = hmac(def, secret, bytes).toString(def.encoding);
  out.push([def.header, `${def.prefix ?? ''}${digest}`]);
  return out;
}

interface Parsed {
  digest: Buffer;
  timestamp: string;
  bytes: Buffer;
}

/** The header taken apart and the signed bytes built, or why it cannot be. */
function parse(def: CustomSchemeDef, input: CustomInput): Parsed | { malformed: string; offered?: string } {
  const raw = (headerOf(input.headers, def.header) ?? '').trim();
  const prefix = def.prefix ?? '';
  if (!raw.startsWith(prefix)) return { malformed: `${def.header} does not start with "${prefix}"`, offered: raw };
  const text = raw.slice(prefix.length);
  const digest = decodeDigest(text, def.encoding, def.algorithm);
  if (!digest) return { malformed: `${def.header} is not a ${def.encoding} ${def.algorithm} digest (${DIGEST_BYTES[def.algorithm]} bytes)`, offered: text };
  let timestamp = '';
  if (def.timestampHeader !== undefined) {
    const t = headerOf(input.headers, def.timestampHeader);
    if (t === undefined) return { malformed: `the timestamp header ${def.timestampHeader} is missing` };
    timestamp = t.trim();
  }
  const bytes = renderSigned(partsOf(def), input, timestamp);
  if (typeof bytes === 'string') return { malformed: bytes };
  return { digest, timestamp, bytes };
}

/**
 * Judges the request against every secret that applies (tried in order):
 * `malformed` when the header does not parse, `no-secret` when none applies,
 * `valid` when one matches within the tolerance, `expired` when one matches
 * outside it, else `invalid`.
 */
export function customVerify(def: CustomSchemeDef, input: CustomInput, secrets: readonly { name: string; value: string }[]): CustomResult {
  const p = parse(def, input);
  if ('malformed' in p) return { status: 'malformed', secret: null, message: p.malformed };
  if (secrets.length === 0) return { status: 'no-secret', secret: null, message: `no secret is set for the ${def.id} scheme` };
  for (const s of secrets) {
    const mac = hmac(def, s.value, p.bytes);
    if (!safeEqual(mac, p.digest)) continue;
    const window = tolerance(def, p.timestamp, input.now);
    if (typeof window === 'string') return { status: 'expired', secret: s.name, message: window };
    if (window === null) return { status: 'valid', secret: s.name, message: null };
    if (window.outside) return { status: 'expired', secret: s.name, message: window.message, skewSeconds: window.skew };
    return { status: 'valid', secret: s.name, message: null, skewSeconds: window.skew };
  }
  return { status: 'invalid', secret: null, message: `no secret matches (tried ${secrets.map((s) => s.name).join(', ')})` };
}

/**
 * The timestamp against `toleranceSec` either way, worded as the built-in
 * schemes' windows are ("signed N s ago…", "ahead by N s…"): null without a
 * tolerance, a sentence when the timestamp is no unix time.
 */
function tolerance(def: CustomSchemeDef, timestamp: string, now: number): { skew: number; outside: boolean; message: string } | string | null {
  if (def.toleranceSec === undefined) return null;
  const t = timestampSeconds(timestamp);
  if (t === null) return `${def.timestampHeader} is not a unix timestamp`;
  const skew = now - t;
  return { skew, outside: Math.abs(skew) > def.toleranceSec, message: describeSkew(skew, { past: def.toleranceSec, future: def.toleranceSec }) };
}

/** Every order of the template's placeholders, literal text kept in place; none when there are more than 4. */
function reorderings(parts: readonly TemplatePart[]): TemplatePart[][] {
  const slots = parts.map((p, i) => (p.kind === 'text' ? -1 : i)).filter((i) => i >= 0);
  if (slots.length < 2 || slots.length > 4) return [];
  const out: TemplatePart[][] = [];
  const permute = (rest: number[], chosen: number[]) => {
    if (rest.length === 0) {
      if (chosen.some((c, k) => c !== slots[k])) out.push(parts.map((p, i) => (p.kind === 'text' ? p : parts[chosen[slots.indexOf(i)]!]!)));
      return;
    }
    rest.forEach((r, k) => permute([...rest.slice(0, k), ...rest.slice(k + 1)], [...chosen, r]));
  };
  permute(slots, []);
  return out;
}

function describe(parts: readonly TemplatePart[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : p.kind === 'header' ? `{header:${p.name}}` : `{${p.kind}}`)).join('');
}

/**
 * One sentence on why the signature is not valid, or null when it is. Checks
 * the common mistakes: the prefix missing, the digest in the other encoding
 * (or of another algorithm), the timestamp header missing, outside the
 * tolerance, the template's parts signed in another order. Never contains a
 * secret's value or the header's.
 */
export function customDiagnose(def: CustomSchemeDef, input: CustomInput, secrets: readonly { name: string; value: string }[]): string | null {
  const r = customVerify(def, input, secrets);
  if (r.status === 'valid') return null;
  if (r.status === 'no-secret') return `No secret is set for the ${def.id} scheme: add a secret that names it (or names no scheme).`;
  if (r.status === 'expired') {
    if (r.skewSeconds === undefined) return `The signature matches secret "${r.secret}", but ${r.message}.`;
    // Ahead of the clock is the sender's clock running fast, not a stale request: worded as the built-in schemes'.
    if (r.skewSeconds < 0) return `The signature matches secret "${r.secret}", but the request's timestamp is ${r.message}: the sender's clock runs ahead of this machine's.`;
    return `The signature matches secret "${r.secret}", but it was ${r.message}.`;
  }
  const p = parse(def, input);
  if ('malformed' in p) return malformedSentence(def, input, secrets, p);
  for (const order of reorderings(partsOf(def))) {
    const bytes = renderSigned(order, input, p.timestamp);
    if (typeof bytes === 'string') continue;
    const s = secrets.find((x) => safeEqual(hmac(def, x.value, bytes), p.digest));
    if (s) return `The sender signed the template's parts in another order: "${describe(order)}" matches secret "${s.name}", the scheme says "${def.signed}".`;
  }
  const tried = `Invalid signature: no secret matches (tried ${secrets.map((s) => `"${s.name}"`).join(', ')}); check the secret, the template "${def.signed}" and that the body arrives unchanged`;
  // As for Twilio: behind a tunnel the URL received is not the one the sender signed.
  if (!partsOf(def).some((p) => p.kind === 'url')) return `${tried}.`;
  return `${tried}. {url} was checked as ${input.url}: if the sender posts to a tunnel, start hookbin with --public-url <the tunnel's URL> (or --trust-proxy behind a tunnel that sends X-Forwarded-Host).`;
}

function malformedSentence(def: CustomSchemeDef, input: CustomInput, secrets: readonly { name: string; value: string }[], p: { malformed: string; offered?: string }): string {
  const offered = p.offered;
  if (offered !== undefined) {
    const prefix = def.prefix ?? '';
    const bare = offered.startsWith(prefix) ? offered.slice(prefix.length) : offered;
    const bytes = renderSigned(partsOf(def), input, (headerOf(input.headers, def.timestampHeader ?? '') ?? '').trim());
    if (typeof bytes !== 'string') {
      // Compared as bytes, constant-time, as every HMAC is: hex in either case counts.
      const other = def.encoding === 'hex' ? 'base64' : 'hex';
      const unprefixed = offered.startsWith(prefix) ? null : decodeDigest(bare, def.encoding, def.algorithm);
      const otherEncoding = decodeDigest(bare, other, def.algorithm);
      for (const s of secrets) {
        const mac = hmac(def, s.value, bytes);
        if (unprefixed && safeEqual(mac, unprefixed)) return `${def.header} is missing the prefix "${prefix}": the digest after it matches secret "${s.name}".`;
        if (otherEncoding && safeEqual(mac, otherEncoding)) return `${def.header} is ${other}, but the scheme says ${def.encoding}: the ${other} digest matches secret "${s.name}".`;
      }
    }
    const len = /^[0-9a-fA-F]+$/.test(bare) ? bare.length / 2 : Buffer.from(bare, 'base64').length;
    const alg = Object.entries(DIGEST_BYTES).find(([, n]) => n === len)?.[0];
    if (alg !== undefined && alg !== def.algorithm) return `${def.header} holds a ${len}-byte digest, the size of ${alg}, but the scheme says ${def.algorithm}.`;
  }
  return `Malformed signature: ${p.malformed}.`;
}
