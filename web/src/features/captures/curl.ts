/**
 * "Copy as cURL": a shell command that sends a captured request again, byte
 * for byte. A plain-text body (the usual JSON webhook) goes inline with
 * `--data-raw`, readable and editable; any other body (binary, invalid UTF-8,
 * control characters, very large) travels as base64 through `base64 -d` so it
 * arrives exact. Every captured string is single-quoted so nothing in it is
 * ever run by the shell; a header line or URL with anything but printable
 * ASCII (controls, C1 controls such as U+0085 or U+009B, bytes over 0x7F)
 * is built by `printf` from octal escapes instead, so the command shows no
 * raw control character and still sends the captured bytes.
 */
import type { HeaderPair } from '../../../../server/common/types.js';
import { base64ToBytes, utf8OrNull } from '../../ui/format.js';

/**
 * Inline bodies stay well under Linux's 128 KiB limit on one argument
 * (MAX_ARG_STRLEN); bigger ones go through the base64 pipe.
 */
export const INLINE_BODY_MAX = 64 * 1024;

/**
 * Text that survives a trip through a clipboard, a terminal and single
 * quotes unchanged: printable ASCII, newlines, and printable non-ASCII. Not
 * tabs (a pasted tab triggers completion), not CR (terminals turn it into
 * LF), not other controls, and no format characters such as bidi overrides
 * or a BOM, which would make the shown command differ from what runs.
 */
const PASTE_SAFE = /^(?:[\n\x20-\x7e]|(?![\p{C}\p{Zl}\p{Zp}])[\u00a0-\u{10ffff}])*$/u;

/** The body as text when it can go inline with `--data-raw` byte-exactly, else null. */
export function inlineBody(bodyBase64: string): string | null {
  if (bodyBase64 === '' || bodyBase64.length > Math.ceil(INLINE_BODY_MAX / 3) * 4) return null;
  const bytes = base64ToBytes(bodyBase64);
  if (bytes.length > INLINE_BODY_MAX) return null;
  const text = utf8OrNull(bytes);
  return text !== null && PASTE_SAFE.test(text) ? text : null;
}

/** Headers curl computes itself or that describe the old connection. */
const SKIPPED = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * POSIX shell single quoting: `it's` → `'it'\''s'`. Safe for any string,
 * newlines and control characters included (bash, zsh, sh, fish ≥ 3).
 */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What a terminal shows as it is and a paste keeps: printable ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const octal = (byte: number) => `\\${byte.toString(8).padStart(3, '0')}`;

/**
 * A captured byte string (a header line, a URL: one character per byte, as
 * Node reads them) as one shell word that yields exactly those bytes.
 * Printable ASCII is single-quoted as it is. Anything else would be hidden
 * or altered by a terminal, or sent as UTF-8 instead of the byte, so the
 * word becomes `"$(printf '…')"` with every such byte as an octal escape
 * (a character over U+00FF, which no wire byte reads as, as its UTF-8
 * bytes). A trailing newline would be lost to `$(…)`; header lines and URLs
 * cannot hold one.
 */
export function shellBytes(s: string): string {
  if (PRINTABLE_ASCII.test(s)) return shellQuote(s);
  let format = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    // A format starting with `-` would be read as an option of printf.
    if (ch === '%') format += '%%';
    else if (ch === '-' && format === '') format += octal(0x2d);
    else if (ch === '\\') format += '\\\\';
    else if (ch === "'") format += octal(0x27);
    else if (code >= 0x20 && code <= 0x7e) format += ch;
    else if (code <= 0xff) format += octal(code);
    else for (const byte of new TextEncoder().encode(ch)) format += octal(byte);
  }
  return `"$(printf '${format}')"`;
}

/** The URL a capture was sent to: the bin URL, the path after it, `?query`. */
export function captureUrl(binUrl: string, path: string, query: string): string {
  return binUrl + path + (query !== '' ? `?${query}` : '');
}

export interface CurlInput {
  method: string;
  /** The absolute URL (see `captureUrl`). */
  url: string;
  /** The captured header pairs, in order. */
  headers: readonly HeaderPair[];
  /** The stored body bytes, base64; "" when there is none. */
  bodyBase64: string;
  /**
   * A file holding the body, for a body the inspector does not hold whole (the
   * capture JSON carries only its first part): the command reads it with
   * `--data-binary @file` instead of `bodyBase64`, after a `# …` line that
   * says the file must be saved first (Download body).
   */
  bodyFile?: string;
}

/**
 * Builds the command. Headers keep their order, case and duplicates (Host,
 * Content-Length, Transfer-Encoding and Connection are left to curl); the
 * headers curl would add on its own (User-Agent, Accept, a form Content-Type,
 * Expect) are switched off when the capture did not carry them.
 */
export function buildCurl(input: CurlInput): string {
  const { method, url, headers, bodyFile } = input;
  const bodyBase64 = bodyFile === undefined ? input.bodyBase64 : '';
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  const hasBody = bodyBase64 !== '' || bodyFile !== undefined;
  // An empty body that was declared (`Content-Length: 0`) is sent as an empty body too.
  const emptyDeclared = !hasBody && headers.some(([n, v]) => n.toLowerCase() === 'content-length' && v.trim() === '0');
  const sendsData = hasBody || emptyDeclared;

  const args: string[] = ['curl'];
  if (method === 'HEAD') args.push('--head');
  else if (!(method === 'GET' && !sendsData) && !(method === 'POST' && sendsData)) args.push('-X', shellBytes(method));
  // Keep `[]{}` in the URL literal and `/../` segments as they are.
  if (/[[\]{}]/.test(url)) args.push('--globoff');
  if (/\/\.\.?(\/|\?|$)/.test(url)) args.push('--path-as-is');
  args.push(shellBytes(url));

  const lines: string[] = [];
  for (const [name, value] of headers) {
    if (SKIPPED.has(name.toLowerCase())) continue;
    // `-H 'X:'` would remove the header; `-H 'X;'` sends it with an empty value.
    lines.push(`-H ${shellBytes(value === '' ? `${name};` : `${name}: ${value}`)}`);
  }
  if (!has('user-agent')) lines.push(`-H ${shellQuote('User-Agent:')}`);
  if (!has('accept')) lines.push(`-H ${shellQuote('Accept:')}`);
  if (sendsData && !has('content-type')) lines.push(`-H ${shellQuote('Content-Type:')}`);
  if (sendsData && !has('expect')) lines.push(`-H ${shellQuote('Expect:')}`);
  const inline = inlineBody(bodyBase64);
  if (bodyFile !== undefined) lines.push(`--data-binary ${shellQuote(`@${bodyFile}`)}`);
  else if (inline !== null) lines.push(`--data-raw ${shellQuote(inline)}`);
  else if (hasBody) lines.push('--data-binary @-');
  else if (emptyDeclared) lines.push(`--data-binary ''`);

  const curl = [args.join(' '), ...lines].join(' \\\n  ');
  // The file is not there until the user saves it: say so in the command itself (a shell ignores the line).
  if (bodyFile !== undefined) return `# the body is read from ${bodyFile.replace(/[\r\n]/g, '')}: save it with Download body first\n${curl}`;
  return bodyBase64 !== '' && inline === null ? `printf '%s' ${shellQuote(bodyBase64)} | base64 -d | ${curl}` : curl;
}

/** A first request to try against an empty bin. */
export function sampleCurl(binUrl: string): string {
  return `curl -X POST ${shellQuote(binUrl)} -H 'Content-Type: application/json' -d '{"hello":"world"}'`;
}
