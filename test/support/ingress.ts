/**
 * What the ingress suites share: a raw HTTP/1.1 response parser, request
 * builders, and reading a bin's captures and bodies back over the API.
 */
import { expect } from 'vitest';
import type { TestServer } from './helpers.js';

/** ISO-8601 in UTC with exactly three digits of milliseconds. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface ParsedResponse {
  status: number;
  /** Header pairs as sent, names lower-cased. */
  headers: [string, string][];
  header(name: string): string | undefined;
  /** The body bytes after de-chunking (exactly what was on the wire for fixed-length replies). */
  body: Buffer;
  /** The bytes after the header block, untouched. */
  rawBody: Buffer;
}

/** Parses one HTTP/1.1 response from raw bytes (as `rawExchange` returns them). */
export function parseResponse(buf: Buffer): ParsedResponse {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete response head in ${JSON.stringify(buf.toString('latin1'))}`);
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers = lines.slice(1).map((l): [string, string] => {
    const i = l.indexOf(':');
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
  });
  const header = (name: string) => headers.find(([n]) => n === name.toLowerCase())?.[1];
  const rawBody = buf.subarray(end + 4);
  let body = rawBody;
  if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const lineEnd = rawBody.indexOf('\r\n', pos);
      const size = parseInt(rawBody.subarray(pos, lineEnd).toString('latin1'), 16);
      if (!size) break;
      parts.push(rawBody.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status, headers, header, body, rawBody };
}

/** A request head for `rawExchange`, closing the connection after the reply. */
export function head(port: number, requestLine: string, extra: string[] = []): string {
  return [requestLine, `Host: 127.0.0.1:${port}`, ...extra, 'Connection: close', '', ''].join('\r\n');
}

/** Chunked transfer-coding of `body` in pieces of `size` bytes, with the final chunk. */
export function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** `n` bytes of a non-repeating-looking pattern, so a wrong slice shows. */
export function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8) * 7) & 0xff;
  return b;
}

export async function newBin(server: TestServer, id?: string): Promise<string> {
  const res = await server.api('/api/bins', { method: 'POST', body: JSON.stringify(id ? { id } : {}) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

// Loosely typed on purpose: the test asserts the JSON, not the server's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function getCapture(server: TestServer, id: string): Promise<Json> {
  const res = await server.api(`/api/captures/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

export async function getBody(server: TestServer, id: string, query = ''): Promise<{ res: Response; bytes: Buffer }> {
  const res = await server.api(`/api/captures/${id}/body${query}`);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Sends to a bin with fetch; returns the reply, its text and the capture id. */
export async function send(server: TestServer, binId: string, init: RequestInit = {}, suffix = '') {
  const res = await fetch(`${server.origin}/b/${binId}${suffix}`, { method: 'POST', ...init });
  const text = await res.text();
  const id = res.headers.get('x-hookbin-capture-id');
  return { res, text, id: id ?? '' };
}
