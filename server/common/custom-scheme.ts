/**
 * A user's own signature scheme ("Your own scheme" in README.md): its
 * definition, the rules it must follow and the parts of its `signed`
 * template. One definition of the rules, which the API and the inspector's
 * Secrets tab both apply, so a form says exactly what the API would.
 * No `node:` imports: the inspector imports this file.
 */
import { HTTP_TOKEN } from './http-syntax.js';

/** A declarative HMAC scheme, as `schemes[]` and `--schemes FILE` hold it. */
export interface CustomSchemeDef {
  id: string;
  /** The header carrying the signature. */
  header: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  /** Text before the digest in the header (`v1=`), if any. */
  prefix?: string;
  /** What is signed: `{body}`, `{timestamp}`, `{url}`, `{method}`, `{header:Name}` and literal text. */
  signed: string;
  /** The header carrying the timestamp that `{timestamp}` stands for. */
  timestampHeader?: string;
  /** How far the timestamp may be from the clock, seconds (needs `timestampHeader`). */
  toleranceSec?: number;
}

/** One piece of a parsed `signed` template. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'body' | 'timestamp' | 'url' | 'method' }
  | { kind: 'header'; name: string };

/** The most schemes one bin (or `--schemes FILE`) defines. */
export const MAX_CUSTOM_SCHEMES = 20;
/** The longest `signed` template. */
export const MAX_TEMPLATE_LENGTH = 500;
/** The longest `prefix`. */
export const MAX_PREFIX_LENGTH = 64;
/** The largest `toleranceSec`: a day. */
export const MAX_TOLERANCE_SEC = 86_400;
/** Custom scheme ids. */
export const CUSTOM_SCHEME_ID = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Ids hookbin's own schemes use or will use: a user scheme may not take
 * one, so a secret's `scheme` always means the same thing.
 */
export const BUILT_IN_SCHEME_IDS: readonly string[] = [
  'x-signature', 'x-webhook-signature', 'makeplans', 'webconnex', 'github', 'stripe', 'standard-webhooks', 'shopify', 'slack',
  'twilio', 'paddle', 'square', 'zoom', 'hubspot', 'linear', 'typeform', 'calendly', 'vercel', 'bitbucket', 'mailgun', 'sendgrid', 'discord',
];

const KEYS = new Set(['id', 'header', 'algorithm', 'encoding', 'prefix', 'signed', 'timestampHeader', 'toleranceSec']);

/**
 * Parses a `signed` template into parts, linearly; returns a sentence when
 * it names an unknown placeholder or leaves a `{` open. `{{` and `}}` are not
 * escapes: braces outside a placeholder are literal only when unpaired `}`.
 */
export function parseTemplate(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, open);
    const close = template.indexOf('}', open);
    if (close < 0) return `"signed" has a "{" that is never closed; placeholders are {body}, {timestamp}, {url}, {method} and {header:Name}`;
    const name = template.slice(open + 1, close);
    let part: TemplatePart;
    if (name === 'body' || name === 'timestamp' || name === 'url' || name === 'method') part = { kind: name };
    else if (name.startsWith('header:') && HTTP_TOKEN.test(name.slice(7))) part = { kind: 'header', name: name.slice(7) };
    else return `"signed" names an unknown placeholder {${name.slice(0, 40)}}; placeholders are {body}, {timestamp}, {url}, {method} and {header:Name} (Name a header name)`;
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push(part);
    i = close + 1;
  }
  if (text) parts.push({ kind: 'text', text });
  return parts;
}

/** The first problem with one definition, as a sentence, or null when it is a valid scheme. */
function problemOf(def: unknown): string | null {
  if (def === null || typeof def !== 'object' || Array.isArray(def)) return 'a scheme is an object';
  const d = def as Record<string, unknown>;
  const extra = Object.keys(d).find((k) => !KEYS.has(k));
  if (extra !== undefined) return `unknown key "${extra.slice(0, 40)}"; a scheme has id, header, algorithm, encoding, prefix, signed, timestampHeader, toleranceSec`;
  if (typeof d.id !== 'string' || !CUSTOM_SCHEME_ID.test(d.id)) return 'id is 1–32 of a-z, 0-9 and -, starting with a letter';
  if (BUILT_IN_SCHEME_IDS.includes(d.id)) return `id "${d.id}" is a built-in scheme; choose another id`;
  if (typeof d.header !== 'string' || d.header.length > 128 || !HTTP_TOKEN.test(d.header)) return 'header is a header name (an HTTP token, at most 128 characters)';
  if (d.algorithm !== 'sha1' && d.algorithm !== 'sha256' && d.algorithm !== 'sha512') return 'algorithm is sha1, sha256 or sha512';
  if (d.encoding !== 'hex' && d.encoding !== 'base64') return 'encoding is hex or base64';
  if (d.prefix !== undefined && (typeof d.prefix !== 'string' || d.prefix.length > MAX_PREFIX_LENGTH || /[\r\n\0]/.test(d.prefix))) return `prefix is text of at most ${MAX_PREFIX_LENGTH} characters, without CR, LF or NUL`;
  if (typeof d.signed !== 'string' || d.signed.length === 0 || d.signed.length > MAX_TEMPLATE_LENGTH) return `signed is a template of 1–${MAX_TEMPLATE_LENGTH} characters`;
  const parts = parseTemplate(d.signed);
  if (typeof parts === 'string') return parts;
  // The body is up to --max-body bytes and its size is the sender's choice: signed once, so checking costs one pass over it.
  if (parts.filter((p) => p.kind === 'body').length > 1) return '"signed" may name {body} only once';
  if (d.timestampHeader !== undefined && (typeof d.timestampHeader !== 'string' || d.timestampHeader.length > 128 || !HTTP_TOKEN.test(d.timestampHeader))) return 'timestampHeader is a header name (an HTTP token)';
  if (parts.some((p) => p.kind === 'timestamp') && d.timestampHeader === undefined) return '{timestamp} needs timestampHeader: the header the timestamp comes from';
  if (d.toleranceSec !== undefined) {
    if (typeof d.toleranceSec !== 'number' || !Number.isInteger(d.toleranceSec) || d.toleranceSec < 1 || d.toleranceSec > MAX_TOLERANCE_SEC) return `toleranceSec is a whole number of seconds, 1–${MAX_TOLERANCE_SEC}`;
    if (d.timestampHeader === undefined) return 'toleranceSec needs timestampHeader: the header the timestamp comes from';
  }
  return null;
}

/**
 * Checks one definition: null when valid, else one sentence saying what
 * is wrong, prefixed with the scheme's id when it has a usable one.
 */
export function checkCustomScheme(def: unknown): string | null {
  const problem = problemOf(def);
  if (problem === null) return null;
  const id = (def as { id?: unknown } | null)?.id;
  return typeof id === 'string' && CUSTOM_SCHEME_ID.test(id) ? `scheme "${id}": ${problem}` : problem;
}

/** Checks a list of definitions (a bin's `schemes` or a `--schemes` file): null when valid, else the first problem. */
export function checkCustomSchemes(list: unknown): string | null {
  if (!Array.isArray(list)) return 'schemes is an array of scheme definitions';
  if (list.length > MAX_CUSTOM_SCHEMES) return `at most ${MAX_CUSTOM_SCHEMES} schemes`;
  const seen = new Set<string>();
  for (const def of list) {
    const problem = checkCustomScheme(def);
    if (problem !== null) return problem;
    const id = (def as CustomSchemeDef).id;
    if (seen.has(id)) return `scheme ids must be unique: "${id}" is defined twice`;
    seen.add(id);
  }
  return null;
}

/** The definitions that apply to a bin: its own, then the global ones whose id it does not define. */
export function mergeSchemes(own: readonly CustomSchemeDef[], global: readonly CustomSchemeDef[]): CustomSchemeDef[] {
  const ids = new Set(own.map((s) => s.id));
  return [...own, ...global.filter((s) => !ids.has(s.id))];
}
