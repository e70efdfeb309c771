#!/usr/bin/env node
/**
 * The hostile-input corpus: 300+ malformed, oversized, slow and malicious
 * requests and WebSocket frames against the built hookbin (in-process, with
 * short timeouts), each of which must get a clear 4xx (or a 2xx where the
 * input is merely odd and is captured byte-exact) or a clean close. Then the
 * anonymous sender's attacks (scripts/corpus-attacks.mjs: upgrades, glob
 * bombs, header counts, a relayed app's hostile replies) and 1,000 hostile
 * connections, after which the process holds no more sockets than before.
 * After all of them the server still answers, an earlier capture is intact,
 * and memory stayed bounded.
 *
 *   node scripts/corpus.mjs [--json]
 *
 * Exit code 0 when every case was handled cleanly.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { crlf, exchange, req } from './corpus-wire.mjs';
import { attackCases, prepareAttackBins, socketCheck, startHostileApp } from './corpus-attacks.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { start } from '../dist/server/main/start.js';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
const TOKEN = 'corpus-token-0123456789';
const TIMEOUTS = { headersMs: 1000, requestMs: 2500 };

const auth = `Authorization: Bearer ${TOKEN}`;

/** Byte patterns that break UTF-8 or carry NULs. */
const BAD_BYTES = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x00],
  [0x00, 0x00, 0xff, 0x00],
  [0xef, 0xbb, 0xbf, 0xff],
  [0x80, 0x81, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
].map((b) => Buffer.from(b));

/** Every case: a name, what to send, and which outcomes are clean. */
function buildCases(bin) {
  const cases = [];
  const add = (group, name, send, ok, extra = {}) => cases.push({ group, name, send, ok, ...extra });
  const status = (...allowed) => (r) => r.status !== null && allowed.some((a) => (typeof a === 'number' ? r.status === a : a(r.status)));
  const is4xx = (s) => s >= 400 && s < 500;
  const is2xx = (s) => s >= 200 && s < 300;
  const clean = (r) => (r.status !== null && r.status < 500) || (r.status === null && r.how === 'closed');

  // Bodies that are not UTF-8 are captured byte-exact.
  for (const [i, bytes] of BAD_BYTES.entries()) {
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-8', 'application/octet-stream']) {
      const body = Buffer.concat([Buffer.from('{"a":"'), bytes, Buffer.from('"}')]);
      add('invalid UTF-8 / NUL: body', `pattern ${i} as ${type}`, req('POST', `/b/${bin}/utf8`, [`Content-Type: ${type}`], body), status(is2xx), { exactBody: body });
    }
  }
  for (const [i, bytes] of BAD_BYTES.entries()) {
    for (const prefix of [`/b/${bin}/p`, '/api/bins/', '/assets/']) {
      add('invalid UTF-8 / NUL: path', `pattern ${i} in ${prefix}`, req('GET', Buffer.concat([Buffer.from(prefix), bytes]), prefix.startsWith('/api') ? [auth] : []), clean);
    }
    add('invalid UTF-8 / NUL: query', `pattern ${i}`, req('GET', Buffer.concat([Buffer.from(`/b/${bin}?q=`), bytes])), clean);
    add('invalid UTF-8 / NUL: header value', `pattern ${i} to a bin`, req('POST', `/b/${bin}`, [Buffer.concat([Buffer.from('X-Odd: '), bytes])]), clean);
    add('invalid UTF-8 / NUL: header value', `pattern ${i} to the API`, req('GET', '/api/bins', [auth, Buffer.concat([Buffer.from('X-Odd: '), bytes])]), clean);
    add('invalid UTF-8 / NUL: header name', `pattern ${i}`, req('POST', `/b/${bin}`, [Buffer.concat([Buffer.from('X-'), bytes, Buffer.from(': v')])]), status(400));
  }

  // Header floods and huge header lines.
  for (const n of [100, 500, 1000, 2000, 5000]) {
    const headers = Array.from({ length: n }, (_, i) => `X-Flood-${i}: ${'v'.repeat(8)}`);
    add('header flood', `${n} headers`, req('POST', `/b/${bin}`, headers), n * 20 > 16 * 1024 ? status(431) : status(is2xx));
  }
  for (const size of [4 * 1024, 15 * 1024, 17 * 1024, 64 * 1024, 1024 * 1024]) {
    add('huge header line', `${size} bytes`, req('POST', `/b/${bin}`, [`X-Big: ${'b'.repeat(size)}`]), size > 16 * 1024 ? status(431) : status(is2xx, 431));
  }

  // Huge URLs: 414 past 8 KiB, 431 past Node's header limit.
  for (const [prefix, extra] of [[`/b/${bin}/`, []], ['/api/bins?x=', [auth]], ['/', []]]) {
    for (const size of [4000, 8300, 12_000, 15_000, 17_000, 100_000]) {
      add('huge URL', `${prefix} + ${size}`, req('GET', prefix + 'a'.repeat(size), extra), size > 16_000 ? status(431, 414) : size > 8192 ? status(414) : status(is2xx, 404));
    }
  }

  // Path traversal on static files and bin ids.
  const leaks = (r) => /root:x:|"name":\s*"hookbin"|createAdaptorServer|import \{/.test(r.data.toString('latin1'));
  const traversal = [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/%2E%2E/package.json',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/assets/..%2F..%2F..%2Fserver%2Fstart.ts',
    '/..%5c..%5cpackage.json',
    '/%252e%252e/%252e%252e/package.json',
    '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
    '//etc/passwd',
    '/\\..\\..\\package.json',
    '/index.html%00.png',
    '/assets/..;/..;/package.json',
    '/.%2e/.%2e/package.json',
    '/assets/....//....//package.json',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
    '/b/..%2fapi%2fbins',
    '/b/%2e%2e',
    '/b/..',
    '/b/.',
    '/b/%2E%2E/api/bins',
    '/b/..%2f..%2fpackage.json',
    `/b/${bin}/..%2f..%2fapi%2fbins`,
    `/b/${bin}/../../api/bins`,
    '/api/bins/..%2f..%2f',
    '/api/captures/..%2fbins',
    '/api/../package.json',
    '/api/%2e%2e/package.json',
    '/b/a%00b',
    '/b/' + 'x'.repeat(65),
    '/b/UPPER',
  ];
  for (const path of traversal) {
    add('path traversal', path, req('GET', path, path.startsWith('/api') ? [auth] : []), (r) => clean(r) && !leaks(r));
  }

  // Bad chunked encoding and framing.
  const framing = [
    ['bad hex size', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked', '', 'zz', 'abc', '0', '', '')],
    ['negative size', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked', '', '-5', 'abc', '0', '', '')],
    ['huge size', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked', '', 'ffffffffffffffffff', 'abc', '0', '', '')],
    ['missing CRLF after data', Buffer.from(`POST /b/${bin} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n`)],
    ['chunk extension garbage', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked', '', '3;\x01\x02', 'abc', '0', '', '')],
    ['TE and CL both', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked', 'Content-Length: 3', '', '3', 'abc', '0', '', '')],
    ['TE gzip, chunked', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: gzip, chunked', 'Connection: close', '', '3', 'abc', '0', '', '')],
    ['TE not chunked last', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked, gzip', '', 'abc')],
    ['two Content-Lengths', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Content-Length: 3', 'Content-Length: 5', '', 'abcde')],
    ['non-numeric Content-Length', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Content-Length: 3x', '', 'abc')],
    ['negative Content-Length', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'Content-Length: -1', '', 'abc')],
    ['obs-fold header', crlf(`POST /b/${bin} HTTP/1.1`, 'Host: x', 'X-A: a', ' folded', 'Content-Length: 0', '', '')],
    ['bare LF lines', Buffer.from(`POST /b/${bin} HTTP/1.1\nHost: x\nContent-Length: 0\n\n`)],
    ['HTTP/2 preface', Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
    ['garbage', Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03')],
    ['no version', Buffer.from(`GET /b/${bin}\r\n\r\n`)],
    ['CONNECT', crlf('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443', '', '')],
    ['absolute-form target', crlf(`GET http://evil.example/b/${bin} HTTP/1.1`, 'Host: evil.example', 'Connection: close', '', '')],
  ];
  for (const [name, bytes] of framing) add('bad framing', name, bytes, clean);

  // Slow senders: the headers and request timeouts close them.
  const slowOk = (r) => (r.status === 408 || r.status === null) && r.how === 'closed';
  add('slow sender', 'headers never finished', [Buffer.from(`POST /b/${bin} HTTP/1.1\r\nHost: x\r\n`)], slowOk, { idleMs: 6000 });
  add('slow sender', 'headers one byte every 300 ms', [...`POST /b/${bin} HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(30)}`].flatMap((ch) => [Buffer.from(ch), 300]), slowOk, { idleMs: 6000 });
  add('slow sender', 'body never finished', [Buffer.from(`POST /b/${bin} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc`)], slowOk, { idleMs: 8000 });
  add('slow sender', 'body trickled', [Buffer.from(`POST /b/${bin} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n`), ...Array.from({ length: 20 }, () => [Buffer.from('x'), 400]).flat()], slowOk, { idleMs: 8000 });

  // Compression bombs: stored raw, decoded view capped.
  const zeros = Buffer.alloc(64 * 1024 * 1024);
  for (const [enc, data] of [['gzip', gzipSync(zeros, { level: 9 })], ['deflate', deflateSync(zeros, { level: 9 })], ['br', brotliCompressSync(zeros)], ['gzip, gzip', gzipSync(gzipSync(zeros, { level: 9 }))]]) {
    add('compression bomb', `${enc}: 64 MiB of zeros in ${data.length} bytes`, req('POST', `/b/${bin}/bomb`, [`Content-Encoding: ${enc}`, 'Content-Type: application/json'], data), status(is2xx), { decode: true });
  }
  add('compression bomb', 'gzip that is not gzip', req('POST', `/b/${bin}/bomb`, ['Content-Encoding: gzip'], Buffer.from('not gzip at all')), status(is2xx), { decode: true, decodeStatus: 422 });
  add('compression bomb', 'unknown encoding', req('POST', `/b/${bin}/bomb`, ['Content-Encoding: zstd-x'], Buffer.from('x')), status(is2xx), { decode: true, decodeStatus: 422 });

  // Deep and huge JSON: captured, and the API still answers.
  const jsonCases = [
    ['100,000 nested arrays', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['50,000 nested objects', '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)],
    ['200,000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i])))],
    ['__proto__ and constructor keys', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"id":"evt_proto"}'],
    ['a 5 MB string', JSON.stringify({ id: 'evt_long', s: 'x'.repeat(5_000_000) })],
    ['unterminated', '{"id": "evt_1", "data": ['],
  ];
  for (const [name, text] of jsonCases) {
    add('deep / huge JSON', name, req('POST', `/b/${bin}/json`, ['Content-Type: application/json'], Buffer.from(text)), status(is2xx), { fetchCapture: true });
  }

  // Markup in every part of a request: stored as text, served as an inert attachment.
  const markup = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '<iframe srcdoc="<script>alert(1)</script>">', "javascript:alert('x')"];
  for (const m of markup) {
    add('markup payload', `body ${m}`, req('POST', `/b/${bin}/html`, ['Content-Type: text/html'], Buffer.from(`<html><body>${m}</body></html>`)), status(is2xx), { inertBody: true });
    add('markup payload', `header ${m}`, req('POST', `/b/${bin}/html`, [`X-Markup: ${m}`]), status(is2xx));
  }

  // Malformed API bodies and parameters.
  const api = (method, path, body, headers = []) => req(method, path, [auth, 'Content-Type: application/json', ...headers], body === undefined ? Buffer.alloc(0) : Buffer.from(body));
  const apiCases = [
    ['limit=-1', api('GET', `/api/bins/${bin}/captures?limit=-1`)],
    ['limit=abc', api('GET', `/api/bins/${bin}/captures?limit=abc`)],
    ['limit=1e3', api('GET', `/api/bins/${bin}/captures?limit=1e3`)],
    ['limit=99999', api('GET', `/api/bins/${bin}/captures?limit=99999`)],
    ['before=garbage', api('GET', `/api/bins/${bin}/captures?before=garbage`)],
    ['before=-1', api('GET', `/api/bins/${bin}/captures?before=-1`)],
    ['verdict=maybe', api('GET', `/api/bins/${bin}/captures?verdict=maybe`)],
    ['events limit=0', api('GET', `/api/bins/${bin}/events?limit=0`)],
    ['events preset=nope', api('GET', `/api/bins/${bin}/events?preset=nope`)],
    ['create: not JSON', api('POST', '/api/bins', '{nope')],
    ['create: a JSON array', api('POST', '/api/bins', '[1,2]')],
    ['create: id with a slash', api('POST', '/api/bins', '{"id":"a/b"}')],
    ['create: id of 65 chars', api('POST', '/api/bins', JSON.stringify({ id: 'a'.repeat(65) }))],
    ['create: name of 10,000 chars', api('POST', '/api/bins', JSON.stringify({ name: 'n'.repeat(10_000) }))],
    ['create: unknown key', api('POST', '/api/bins', '{"nope":1}')],
    ['create: 10,000-deep JSON', api('POST', '/api/bins', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000))],
    ['create: 3 MB body', api('POST', '/api/bins', JSON.stringify({ name: 'x'.repeat(3_000_000) }))],
    ['create: NUL in JSON', api('POST', '/api/bins', '{"name":"a\u0000b"}')],
    ['create: invalid UTF-8 JSON', Buffer.concat([api('POST', '/api/bins', undefined).subarray(0, 0), req('POST', '/api/bins', [auth, 'Content-Type: application/json'], Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))])],
    ['patch: status as string', api('PATCH', `/api/bins/${bin}`, '{"respond":{"status":"500"}}')],
    ['patch: secrets not a list', api('PATCH', `/api/bins/${bin}`, '{"secrets":"s3cret"}')],
    ['patch: 100 rules', api('PATCH', `/api/bins/${bin}`, JSON.stringify({ respond: { rules: Array.from({ length: 100 }, () => ({ match: {}, respond: {} })) } }))],
    ['patch: delay of a day', api('PATCH', `/api/bins/${bin}`, '{"respond":{"delayMs":86400000}}')],
    ['patch: __proto__', api('PATCH', `/api/bins/${bin}`, '{"__proto__":{"admin":true}}')],
    ['capture id with dots', api('GET', '/api/captures/..')],
    ['capture id too long', api('GET', `/api/captures/${'a'.repeat(100)}`)],
    ['unknown API route', api('GET', '/api/nope')],
    ['method not allowed', api('PUT', '/api/bins')],
  ];
  // Odd but valid: an empty PATCH changes nothing; a GET's body is ignored.
  add('odd API input', 'patch: empty body', api('PATCH', `/api/bins/${bin}`, ''), status(200));
  add('odd API input', 'body to a GET', api('GET', '/api/bins', '{"x":1}'), status(200));
  for (const [name, bytes] of apiCases) add('malformed API input', name, bytes, (r) => r.status !== null && r.status >= 400 && r.status < 500 && /"error"/.test(r.data.toString('latin1')));

  return cases;
}

/** WebSocket abuse: every case must end in a close or an error message, never a crash. */
function wsCases() {
  const frame = (opcode, payload, { mask = true, fin = true } = {}) => {
    const len = payload.length;
    const head = [((fin ? 0x80 : 0) | opcode) & 0xff];
    const ext = len < 126 ? [] : len < 65536 ? [(len >> 8) & 0xff, len & 0xff] : [0, 0, 0, 0, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff];
    head.push((mask ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127), ...ext);
    if (!mask) return Buffer.concat([Buffer.from(head), payload]);
    const key = Buffer.from([1, 2, 3, 4]);
    return Buffer.concat([Buffer.from(head), key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
  };
  return [
    ['oversized text frame (100 KiB)', frame(0x1, Buffer.alloc(100 * 1024, 0x61))],
    ['declared 2^40 bytes', Buffer.from([0x81, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4])],
    ['unmasked client frame', frame(0x1, Buffer.from('{"type":"ping"}'), { mask: false })],
    ['reserved opcode 0x3', frame(0x3, Buffer.from('x'))],
    ['continuation without start', frame(0x0, Buffer.from('x'))],
    ['fragment never finished', frame(0x1, Buffer.from('{"type":'), { fin: false })],
    ['invalid UTF-8 text', frame(0x1, Buffer.from([0xff, 0xfe]))],
    ['not JSON', frame(0x1, Buffer.from('hello'))],
    ['unknown type', frame(0x1, Buffer.from('{"type":"rm -rf"}'))],
    ['subscribe to 10,000 bins', frame(0x1, Buffer.from(JSON.stringify({ type: 'subscribe', bins: Array.from({ length: 10_000 }, (_, i) => `b${i}`) })))],
    ['subscribe with bins not a list', frame(0x1, Buffer.from('{"type":"subscribe","bins":"all"}'))],
    ['binary frame', frame(0x2, Buffer.from([0, 1, 2]))],
    ['ping flood', Buffer.concat(Array.from({ length: 500 }, () => frame(0x9, Buffer.from('p'))))],
    ['close with bad code', frame(0x8, Buffer.from([0x03, 0xe7]))],
  ];
}

/** Opens a raw WebSocket, sends the bytes, resolves with how the server ended it. */
function wsExchange(port, origin, bytes) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let handshaken = false;
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ handshaken, how: 'silent', reply: buf });
    }, 3000);
    socket.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (!handshaken && buf.includes('\r\n\r\n')) {
        handshaken = buf.subarray(0, 12).toString() === 'HTTP/1.1 101';
        buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
        socket.write(bytes);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ handshaken, how: 'closed', reply: buf });
    });
    socket.write(
      crlf(`GET /api/ws?token=${TOKEN} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Origin: ${origin}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''),
    );
  });
}

/** What a capture the case made must show through the API: [ok, why]. */
async function checkCapture(c, r, api) {
  const id = /x-hookbin-capture-id: (\S+)/i.exec(r.data.toString('latin1'))?.[1];
  if (!id) return [false, 'no capture id'];
  if (c.exactBody) {
    const got = Buffer.from(await (await api(`/api/captures/${id}/body`)).arrayBuffer());
    return got.equals(c.exactBody) ? [true] : [false, 'stored bytes differ'];
  }
  if (c.decode) {
    const res = await api(`/api/captures/${id}/body?decoded=true`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== (c.decodeStatus ?? 200)) return [false, `decoded view answered ${res.status}`];
    if (res.status === 200 && (bytes.length > 16 * 1024 * 1024 || res.headers.get('x-hookbin-decoded-truncated') !== 'true')) return [false, 'decoded view not capped'];
    return [true];
  }
  if (c.inertBody) {
    const res = await api(`/api/captures/${id}/body`);
    await res.arrayBuffer();
    const inert = /attachment/.test(res.headers.get('content-disposition') ?? '') && /sandbox/.test(res.headers.get('content-security-policy') ?? '');
    return inert ? [true] : [false, 'body route not inert'];
  }
  const res = await api(`/api/captures/${id}`);
  if (res.status !== 200) return [false, `capture JSON answered ${res.status}`];
  const got = await res.json();
  if (c.headerCount !== undefined && got.headers.length !== c.headerCount) return [false, `${got.headers.length} of ${c.headerCount} header pairs stored`];
  if (c.recorded && got.response?.status !== r.status) return [false, `answered ${r.status} but recorded ${got.response?.status}`];
  if (c.reason && !c.reason.test(got.response?.reason ?? '')) return [false, `the recorded reason "${got.response?.reason}" does not name what was dropped`];
  return [true];
}

/** Whether a case's capture is to be looked at: only when one was made and the case asks. */
const wantsCapture = (c, r) =>
  r.status !== null && r.status < 400 && (c.exactBody || c.decode || c.fetchCapture || c.inertBody || c.headerCount !== undefined || c.recorded || c.reason);

/** A runner of cases against `port`, counting into `tally` ({ tried, failures, sample }). */
function caseRunner(port, api, tally) {
  return async (c) => {
    const t0 = performance.now();
    const r = await exchange(port, c.send, c.idleMs);
    const ms = performance.now() - t0;
    tally.tried++;
    tally.sample();
    let [ok, why] = [c.ok(r), `got ${r.status ?? r.how}`];
    // A matcher that stalls the event loop stalls this in-process runner too: only the time shows it.
    if (ok && c.maxMs !== undefined && ms > c.maxMs) [ok, why] = [false, `answered after ${Math.round(ms)} ms (over ${c.maxMs})`];
    if (ok && wantsCapture(c, r)) [ok, why] = await checkCapture(c, r, api);
    tally.sample();
    if (!ok) tally.failures.push(`${c.group}: ${c.name}${port === tally.mainPort ? '' : ' (ingress port)'}: ${why}`);
  };
}

/** The WebSocket cases: abuse after the handshake, and foreign Origins refused. */
async function runWsCases(server, tally) {
  for (const [name, bytes] of wsCases()) {
    const r = await wsExchange(server.port, server.origin, bytes);
    tally.tried++;
    tally.sample();
    if (!r.handshaken) tally.failures.push(`websocket: ${name}: no handshake`);
  }
  for (const origin of ['http://evil.example', 'null']) {
    const r = await wsExchange(server.port, origin, Buffer.alloc(0));
    tally.tried++;
    if (r.handshaken) tally.failures.push(`websocket: foreign Origin ${origin} was let in`);
  }
}

/**
 * The anonymous sender's attacks, on the main port and on the bins-only
 * ingress port a tunnel faces, then 1,000 hostile connections on each; the
 * sockets they held must all be let go. Returns the main port's socket counts.
 */
async function runAttacks(server, api, bin, tally) {
  const app = await startHostileApp();
  try {
    const bins = await prepareAttackBins(api, app.url);
    const cases = attackCases({ bin, ...bins });
    const onMain = caseRunner(server.port, api, tally);
    for (const c of cases) await onMain(c);
    const onIngress = caseRunner(server.ingressPort, api, tally);
    for (const c of cases.filter((c) => c.group !== 'relayed reply')) await onIngress(c);
  } finally {
    await app.close();
  }
  let main = null;
  for (const port of [server.port, server.ingressPort]) {
    const sockets = await socketCheck(port, bin);
    main ??= sockets;
    if (sockets.settled === null) continue; // no /proc here: said in the report
    tally.tried++;
    if (!sockets.settled) tally.failures.push(`sockets on port ${port}: ${sockets.before} before 1,000 hostile connections, ${sockets.after} after`);
  }
  return main;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookbin-corpus-'));
  const config = { port: 0, host: '127.0.0.1', dataDir, memory: false, token: TOKEN, secrets: [], open: false, maxBody: 25 * 1024 * 1024, maxCaptures: 10_000, maxDbSize: 2 * 1024 ** 3, ingressPort: 0 };
  const server = await start(config, { timeouts: TIMEOUTS });
  const bin = server.binUrl.split('/b/')[1];
  const api = (path, init = {}) => fetch(server.origin + path, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });
  let peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  const tally = { tried: 0, failures: [], mainPort: server.port, sample: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)) };
  let sockets = { before: null, after: null };
  try {
    // A capture made before the storm must come through it intact.
    const sentinelBody = Buffer.from('sentinel \u00ff\u0000 bytes');
    const sentinel = await fetch(server.binUrl, { method: 'POST', body: sentinelBody });
    const sentinelId = sentinel.headers.get('x-hookbin-capture-id');

    const cases = buildCases(bin);
    const runCase = caseRunner(server.port, api, tally);
    // Slow cases wait on timeouts; run them beside the rest.
    const slowRun = Promise.all(cases.filter((c) => c.group === 'slow sender').map(runCase));
    for (const c of cases.filter((c) => c.group !== 'slow sender')) await runCase(c);
    await runWsCases(server, tally);
    await slowRun;
    sockets = await runAttacks(server, api, bin, tally);

    const health = await fetch(`${server.origin}/api/health`);
    if (health.status !== 200) tally.failures.push('the server stopped answering');
    const after = Buffer.from(await (await api(`/api/captures/${sentinelId}/body`)).arrayBuffer());
    if (!after.equals(sentinelBody)) tally.failures.push('the sentinel capture changed');
  } finally {
    await server.close(2000);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const { tried, failures } = tally;
  const report = { tried, clean: tried - failures.length, failures, peakRssMb: Math.round(peakRss / 1048576), rssGrowthMb: Math.round((peakRss - rssBefore) / 1048576), socketsBefore: sockets.before, socketsAfter: sockets.after };
  if (args.json) console.log(JSON.stringify(report));
  else {
    for (const f of failures) console.log(`FAIL ${f}`);
    const socketLine = sockets.before === null ? 'socket check skipped (no /proc)' : `server sockets ${sockets.before} before and ${sockets.after} after 1,000 hostile connections`;
    console.log(`corpus: ${report.tried} cases, ${report.clean} handled cleanly; ${socketLine}; peak RSS ${report.peakRssMb} MB (server and runner in one process, +${report.rssGrowthMb} MB)`);
  }
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`corpus: ${err.stack ?? err.message}`);
  process.exit(1);
});
