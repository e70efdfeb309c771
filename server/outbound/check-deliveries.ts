/**
 * The deliveries `hookbin check` sends, built the way `hookbin send` signs
 * (outbound/signing.ts with verify/'s schemes): a correctly signed one, and
 * the forgeries a correct receiver must refuse (another secret, no
 * signature, a body changed after signing, a timestamp outside the
 * provider's tolerance). Pure apart from fresh ids and keys.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import { URL_SIGNED_SCHEMES, type CheckReply, type CheckSent } from '../common/check.js';
import type { HeaderPair, WebhookTemplate } from '../common/types.js';
import { HEADER_VALUE, HTTP_TOKEN } from '../common/http-syntax.js';
import { presetById } from '../retries/presets.js';
import type { RetryPreset } from '../retries/presets.js';
import type { SignSpec } from '../store/index.js';
import { schemeById, TOLERANCE_SECONDS } from '../verify/index.js';
import { SendInputError } from './errors.js';
import { signBody, signHeaders } from './signing.js';
import { renderTemplate, renderTemplates } from './templates.js';
import { withContentType } from './sender.js';

/** How long one request may take when the provider documents no timeout: 10 s, as the sender's default. */
export const CHECK_DEFAULT_TIMEOUT_MS = 10_000;
/** How far outside the provider's tolerance the stale delivery is signed: an hour. */
export const STALE_MARGIN_SECONDS = 3600;
/** The template a user's own scheme is checked with unless told otherwise: a plain JSON event. */
export const CUSTOM_SCHEME_TEMPLATE = 'generic-api';


/**
 * Providers with a documented timeout but no retry preset (they do not
 * retry): Discord shows the user a failure when an interaction is not
 * answered within 3 s.
 */
const TIMEOUT_WITHOUT_PRESET: Readonly<Record<string, { name: string; timeoutMs: number }>> = { discord: { name: 'Discord', timeoutMs: 3000 } };

/**
 * Built-in schemes that sign a timestamp but whose provider documents no
 * window for it (and whose own library checks none): verify/ keeps them
 * untimed, so there is no tolerance for a stale delivery to fall outside.
 */
const UNWINDOWED_TIMESTAMP = new Set(['discord', 'sendgrid', 'mailgun']);

/** What the deliveries of one check run are made from, resolved once. */
export interface CheckPlan {
  /** Where requests go. */
  to: string;
  /** The URL URL-signed schemes sign: the public URL when one is given, else `to`. */
  signUrl: string;
  /** Whether the scheme signs the URL (then the report names `signUrl` as `signedUrl` when it is not `to`). */
  urlSigned: boolean;
  sign: SignSpec;
  templateId: string;
  /** The provider's retry preset (its timeout and schedule), or null when none is documented. */
  preset: RetryPreset | null;
  timeoutMs: number;
  /** Whose timeout `timeoutMs` is: a provider's name, `'you'` when the input gave it, null for hookbin's default. */
  timeoutBy: string | null;
  /** The signature header (`Stripe-Signature`), or null when the signature travels in the body (Mailgun). */
  signatureHeader: string | null;
}

/** One request as composed, before the exchange adds Host, Content-Length and Connection. */
export interface Delivery {
  method: string;
  headers: HeaderPair[];
  body: Buffer;
  /** The delivery id it was signed with (the same on a replay or a retry). */
  signId: string;
  /** The template rendered for it, kept so a retry re-signs the same event. */
  base: { headers: HeaderPair[]; body: Buffer };
}

/** One request sent, as text, and what came of it. */
export interface Sent {
  sent: CheckSent;
  reply: CheckReply;
}

/** What `planCheck` takes: what a check is of (`CheckInput` in check.ts adds how it runs). */
export interface PlanInput {
  /** The endpoint: an absolute http(s) URL. */
  to: string;
  /** A built-in scheme id, or `custom.id`. */
  scheme: string;
  /** The user's own scheme definition, when `scheme` is one. */
  custom?: CustomSchemeDef;
  /** The secret's value (names are resolved by the caller). */
  secret: string;
  /** The secret's name, when it was given by name. */
  secretName?: string | null;
  /** A template id; default the scheme's own (`defaultTemplateOf`). */
  template?: string;
  /** The provider's timeout, ms; default its preset's, else 10 s. */
  timeoutMs?: number;
  /** The URL the provider is configured with (a tunnel's), which URL-signed schemes sign instead of `to`. */
  publicUrl?: string | null;
}

/** The template a scheme is checked with by default: the first of its provider's, or a plain JSON event for a user's scheme. */
export function defaultTemplateOf(scheme: string): string {
  return renderTemplates().find((t) => t.scheme === scheme)?.id ?? CUSTOM_SCHEME_TEMPLATE;
}

/** The provider's retry preset for a scheme: its template's, else the preset of the same id, else null. */
export function presetOfScheme(scheme: string): RetryPreset | null {
  const template = renderTemplates().find((t) => t.scheme === scheme);
  return presetById(template?.preset ?? scheme) ?? null;
}

/** Resolves what a check run sends. Throws `SendInputError` for an unknown template or scheme. */
export function planCheck(input: PlanInput): CheckPlan {
  const templateId = input.template ?? defaultTemplateOf(input.scheme);
  if (!renderTemplate(templateId)) throw new SendInputError(`there is no template "${templateId}"`);
  const scheme = schemeById(input.scheme);
  if (!scheme && !input.custom) throw new SendInputError(`unknown scheme "${input.scheme}"`);
  const preset = input.custom ? null : presetOfScheme(input.scheme);
  const urlSigned = input.custom ? input.custom.signed.includes('{url}') : URL_SIGNED_SCHEMES.includes(input.scheme);
  const documented = preset?.timeoutMs !== undefined ? { name: preset.name, timeoutMs: preset.timeoutMs } : input.custom ? undefined : TIMEOUT_WITHOUT_PRESET[input.scheme];
  return {
    to: input.to,
    signUrl: input.publicUrl ?? input.to,
    urlSigned,
    sign: { scheme: input.scheme, secret: input.secret, secretName: input.secretName ?? null, ...(input.custom ? { custom: input.custom } : {}) },
    templateId,
    preset,
    timeoutMs: input.timeoutMs ?? documented?.timeoutMs ?? CHECK_DEFAULT_TIMEOUT_MS,
    timeoutBy: input.timeoutMs !== undefined ? 'you' : (documented?.name ?? null),
    signatureHeader: input.custom?.header ?? (scheme?.signBody ? null : scheme!.header),
  };
}

/** The template rendered afresh as of `nowMs`: new ids, so one check's delivery is never a duplicate of another's. */
function freshBase(plan: CheckPlan, nowMs: number): { method: string; headers: HeaderPair[]; body: Buffer } {
  const t = renderTemplate(plan.templateId, nowMs) as WebhookTemplate;
  const body = Buffer.from(t.body, 'utf8');
  return { method: t.method, headers: withContentType(t.headers, body), body };
}

/** `base` signed with `sign` as of `nowSeconds` (body first, for Mailgun's signature inside it; then the headers). */
export function signDelivery(plan: CheckPlan, base: { method: string; headers: HeaderPair[]; body: Buffer }, sign: SignSpec, nowSeconds: number, signId: string): Delivery {
  const body = Buffer.from(signBody([sign], base.body, nowSeconds, signId));
  const headers = signHeaders(base.headers, [sign], body, nowSeconds, signId, { method: base.method, url: plan.signUrl });
  return { method: base.method, headers, body, signId, base: { headers: base.headers, body: base.body } };
}

/** A correctly signed delivery of a freshly rendered template. */
export function validDelivery(plan: CheckPlan, nowMs: number): Delivery {
  return signDelivery(plan, freshBase(plan, nowMs), plan.sign, Math.floor(nowMs / 1000), randomUUID());
}

/**
 * A secret of the same kind as `secret` that is not it: a new key pair for
 * Discord (Ed25519, private then public key in hex) and SendGrid (a P-256
 * PEM), else random bytes in base64 behind the secret's own prefix
 * (`whsec_`), which every HMAC scheme takes as a key.
 */
export function otherSecret(scheme: string, secret: string): string {
  if (scheme === 'discord') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = (k: Buffer) => k.subarray(-32).toString('hex');
    return raw(privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer) + raw(publicKey.export({ format: 'der', type: 'spki' }) as Buffer);
  }
  if (scheme === 'sendgrid') {
    return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  }
  const prefix = /^[A-Za-z]{2,10}_/.exec(secret)?.[0] ?? '';
  return `${prefix}${randomBytes(24).toString('base64')}`;
}

/** A delivery signed with another secret of the same kind. */
export function wrongSecretDelivery(plan: CheckPlan, nowMs: number): Delivery {
  const sign = { ...plan.sign, secret: otherSecret(plan.sign.scheme, plan.sign.secret), secretName: null };
  return signDelivery(plan, freshBase(plan, nowMs), sign, Math.floor(nowMs / 1000), randomUUID());
}

/**
 * A correctly signed delivery without its signature: every header the
 * scheme finds a signature in removed (its timestamp and id companions
 * kept, so only the signature is missing), or for Mailgun the body left
 * unsigned. `removed` names the headers taken out, as the delivery had them.
 */
export function unsignedDelivery(plan: CheckPlan, nowMs: number): Delivery & { removed: string[] } {
  const base = freshBase(plan, nowMs);
  const signed = signDelivery(plan, base, plan.sign, Math.floor(nowMs / 1000), randomUUID());
  if (plan.signatureHeader === null) return { ...signed, body: base.body, removed: [] };
  let headers = signed.headers;
  if (plan.sign.custom) {
    const header = plan.signatureHeader.toLowerCase();
    headers = headers.filter(([n]) => n.toLowerCase() !== header);
  } else {
    // Until the scheme finds no signature: GitHub's legacy X-Hub-Signature goes too.
    const scheme = schemeById(plan.sign.scheme)!;
    for (let found = scheme.detect(headers); found !== null; found = scheme.detect(headers)) {
      const name = found.toLowerCase();
      headers = headers.filter(([n]) => n.toLowerCase() !== name);
    }
  }
  const kept = new Set(headers.map(([n]) => n.toLowerCase()));
  return { ...signed, headers, removed: signed.headers.map(([n]) => n).filter((n) => !kept.has(n.toLowerCase())) };
}

/**
 * Where to change one byte so the body still parses: the first letter or
 * digit of a value (after `":"`, `": "` or `=`), else the middle letter or
 * digit; -1 when the body has none.
 */
export function tamperIndex(body: Buffer): number {
  const text = body.toString('latin1');
  const value = /(?::\s*"|=)([A-Za-z0-9])/.exec(text);
  if (value) return value.index + value[0].length - 1;
  const alnum = [...text.matchAll(/[A-Za-z0-9]/g)].map((m) => m.index);
  return alnum.length === 0 ? -1 : alnum[Math.floor(alnum.length / 2)]!;
}

/** `body` with one byte changed at `tamperIndex` (a letter to the next, a digit to the next), or a space appended when there is nothing to change. */
export function tamper(body: Buffer): Buffer {
  const i = tamperIndex(body);
  if (i < 0) return Buffer.concat([body, Buffer.from(' ')]);
  const out = Buffer.from(body);
  const c = String.fromCharCode(out[i]!);
  const next = c === 'z' ? 'a' : c === 'Z' ? 'A' : c === '9' ? '0' : String.fromCharCode(out[i]! + 1);
  out[i] = next.charCodeAt(0);
  return out;
}

/**
 * Whether the signature covers the body, so a changed body must be refused:
 * not Mailgun's (it signs a timestamp and a token), nor a user's scheme
 * whose `signed` has no `{body}`.
 */
export function signsBody(plan: CheckPlan): boolean {
  if (plan.sign.custom) return plan.sign.custom.signed.includes('{body}');
  return plan.sign.scheme !== 'mailgun';
}

/** A correctly signed delivery whose body was then changed by one byte. */
export function tamperedDelivery(plan: CheckPlan, nowMs: number): Delivery {
  const signed = validDelivery(plan, nowMs);
  return { ...signed, body: tamper(signed.body) };
}

/**
 * How far back a timed scheme accepts a timestamp, seconds, or null when
 * the scheme signs none (or, for a user's scheme, sets no `toleranceSec`):
 * then there is no stale-timestamp check. Read from the valid delivery's
 * own signature, as the verifier parses it.
 */
export function toleranceOf(plan: CheckPlan, valid: Delivery, nowMs: number): number | null {
  const def = plan.sign.custom;
  if (def) return def.timestampHeader !== undefined && def.toleranceSec !== undefined && def.signed.includes('{timestamp}') ? def.toleranceSec : null;
  const scheme = schemeById(plan.sign.scheme)!;
  if (!scheme.timed) return null;
  const parsed = scheme.parse(valid.headers, { headers: valid.headers, body: valid.body, now: Math.floor(nowMs / 1000), method: valid.method, url: plan.signUrl });
  return parsed.ok ? (parsed.parsed.tolerance?.past ?? TOLERANCE_SECONDS) : TOLERANCE_SECONDS;
}

/** Why a scheme has no stale-timestamp check (`toleranceOf` gave null), as the start of a sentence. */
export function untimedReason(plan: CheckPlan): string {
  const id = plan.sign.scheme;
  if (plan.sign.custom) return `your scheme "${id}" sets no toleranceSec for a signed {timestamp}`;
  if (UNWINDOWED_TIMESTAMP.has(id)) return `${id} signs a timestamp but documents no window for it (nor does its own library check one)`;
  return `${id} signs no timestamp`;
}

/** A delivery rendered and signed `ageSeconds` ago (the template's own times too, for Linear's timestamp in the body). */
export function staleDelivery(plan: CheckPlan, nowMs: number, ageSeconds: number): Delivery {
  const thenMs = nowMs - ageSeconds * 1000;
  return signDelivery(plan, freshBase(plan, thenMs), plan.sign, Math.floor(thenMs / 1000), randomUUID());
}

/**
 * The retry check's header from `Name: value` text (`--retry-header`,
 * `retryHeader`), or a sentence saying what is wrong with it.
 */
export function parseHeaderLine(text: string): HeaderPair | string {
  const colon = text.indexOf(':');
  const name = colon === -1 ? '' : text.slice(0, colon).trim();
  const value = colon === -1 ? '' : text.slice(colon + 1).trim();
  if (name.length === 0 || name.length > 256 || !HTTP_TOKEN.test(name)) return "must be 'Name: value' with an HTTP token as the name";
  if (value.length > 1024 || !HEADER_VALUE.test(value)) return 'must have a value of at most 1024 characters without line breaks';
  return [name, value];
}
