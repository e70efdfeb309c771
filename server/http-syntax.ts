/**
 * HTTP syntax every input check shares: what a header name and a header value
 * may be. One definition, so the API, the CLI and bin settings agree.
 */

/** Header names (and methods) are HTTP tokens (RFC 9110). */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Header values: visible ASCII, Latin-1, space and tab; never CR, LF or NUL. */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * What the control-plane token may be: 1 to 512 visible ASCII characters (it
 * travels in an `Authorization` header and a JSON string). `--token` is
 * checked against it, and the inspector ignores a stored or linked value that
 * does not match it.
 */
export const TOKEN_SYNTAX = /^[\x21-\x7e]{1,512}$/;

/** Whether `name` is an HTTP header name (an RFC 9110 token). */
export function isHttpToken(name: string): boolean {
  return HTTP_TOKEN.test(name);
}

/** A method hookbin sends: a token of at most 20 characters, and not CONNECT (a tunnel, not a webhook). */
export function isSendableMethod(method: string): boolean {
  return method.length <= 20 && HTTP_TOKEN.test(method) && method.toUpperCase() !== 'CONNECT';
}
