/**
 * The inspector's pure logic, in Node without a DOM: live messages, merging
 * pages with live events, filters, Copy as cURL, the hex dump, query parsing,
 * the JSON tree parser, backoff, and the model's catch-up after a blip.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Bin, Capture, CapturePage, CaptureSummary, ServerMessage } from '../../server/common/types.js';
import type { Api } from '../../web/src/api/http.js';
import { AUTO_LOAD_BYTES, bodyTabs, loadsWholeAtOnce } from '../../web/src/features/captures/body.js';
import { INLINE_BODY_BYTES } from '../../server/common/body-inline.js';
import { buildCurl, captureUrl, INLINE_BODY_MAX, inlineBody, sampleCurl, shellBytes, shellQuote } from '../../web/src/features/captures/curl.js';
import { base64ToBytes, bytesToBase64, decodeComponent, formatBytes, parseQuery, relativeTime } from '../../web/src/ui/format.js';
import { HEX_PAGE_BYTES, hexDumpText, hexLines, hexPageCount, pageRange } from '../../web/src/features/captures/hex.js';
import { parseJson, tryParseJson } from '../../web/src/features/captures/json.js';
import { BACKOFF_MAX_MS, backoffDelay, liveUrl, parseServerMessage } from '../../web/src/api/live.js';
import {
  applyMessage,
  compareCaptures,
  createModel,
  emptyList,
  filterCaptures,
  matchesFilter,
  mergeCaptures,
  moveSelection,
  type Snapshot,
} from '../../web/src/state/model.js';

// ------------------------------------------------------------------ fixtures

const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** A capture summary `n` seconds after T0 (ids sort like the server's: time first). */
function cap(n: number, over: Partial<CaptureSummary> = {}): CaptureSummary {
  return {
    id: `c${String(n).padStart(6, '0')}`,
    binId: 'bin1',
    receivedAt: new Date(T0 + n * 1000).toISOString(),
    method: 'POST',
    path: `/hook/${n}`,
    query: '',
    contentType: 'application/json',
    bodySize: 10,
    truncated: false,
    remoteAddress: '127.0.0.1',
    status: 200,
    verdict: null,
    event: { key: `evt-${n}`, type: null, attempt: 1 },
    ...over,
  };
}

function bin(id: string, over: Partial<Bin> = {}): Bin {
  return {
    id,
    name: id,
    url: `http://127.0.0.1:7777/b/${id}`,
    createdAt: '2026-11-23T09:00:00.000Z',
    captureCount: 0,
    prunedCount: 0,
    respond: { status: 200, headers: {}, body: '{"ok":true}', delayMs: 0, fault: null, failFirst: null, sequence: null, random: null, retryAfter: null, rules: [] },
    secrets: [],
    eventKey: null,
    forwardTo: null,
    forward: { relay: false, timeoutMs: 10_000, insecure: false },
    ...over,
  };
}

const ids = (items: readonly CaptureSummary[]) => items.map((c) => c.id);
const newestFirst = (...ns: number[]) => ns.map((n) => cap(n).id);

function snap(items: CaptureSummary[], over: Partial<Snapshot['list']> = {}, bins: Bin[] = [bin('bin1', { captureCount: items.length })]): Snapshot {
  return { bins, list: { ...emptyList('bin1'), items, loaded: true, ...over } };
}

// ------------------------------------------------------------ live messages

describe('applyMessage', () => {
  it('prepends a created capture and counts it once', () => {
    const s0 = snap([cap(2), cap(1)]);
    const msg: ServerMessage = { type: 'capture.created', capture: cap(3), pruned: 0 };
    const s1 = applyMessage(s0, msg);
    expect(ids(s1.list.items)).toEqual(newestFirst(3, 2, 1));
    expect(s1.bins[0]!.captureCount).toBe(3);
    // The same event again (or after a resync fetched it): nothing changes.
    expect(applyMessage(s1, msg)).toBe(s1);
  });

  it('shows a relayed forward’s status in the row: what the provider was answered', () => {
    const s0 = snap([cap(2), cap(1)]);
    const forwarded = (id: string, binId: string, status: number | null): ServerMessage => ({
      type: 'capture.forwarded',
      binId,
      id,
      status,
      forward: { status, error: null, durationMs: 12, relayed: true },
    });
    const s1 = applyMessage(s0, forwarded(cap(1).id, 'bin1', 502));
    expect(s1.list.items.map((c) => c.status)).toEqual([200, 502]);
    expect(s1.list.items[0]).toBe(s0.list.items[0]);
    expect(s1.bins).toBe(s0.bins);
    // Unchanged status, another bin's capture, or one not in the list: nothing changes.
    expect(applyMessage(s1, forwarded(cap(1).id, 'bin1', 502))).toBe(s1);
    expect(applyMessage(s1, forwarded(cap(1).id, 'bin2', 201))).toBe(s1);
    expect(applyMessage(s1, forwarded('c999999', 'bin1', 201))).toBe(s1);
  });

  it('sorts an out-of-order live capture into place', () => {
    const s = applyMessage(snap([cap(5), cap(1)]), { type: 'capture.created', capture: cap(3), pruned: 0 });
    expect(ids(s.list.items)).toEqual(newestFirst(5, 3, 1));
  });

  it('counts captures of another bin without touching the list', () => {
    const s0 = snap([cap(1)], {}, [bin('bin1', { captureCount: 1 }), bin('bin2', { captureCount: 4 })]);
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(9, { binId: 'bin2' }), pruned: 0 });
    expect(s1.list).toBe(s0.list);
    expect(s1.bins.find((b) => b.id === 'bin2')!.captureCount).toBe(5);
  });

  it('accounts for retention: pruned count, and the oldest rows go when the whole bin is loaded', () => {
    const s0 = snap([cap(3), cap(2), cap(1)], { next: null });
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(4), pruned: 1 });
    expect(ids(s1.list.items)).toEqual(newestFirst(4, 3, 2));
    expect(s1.bins[0]).toMatchObject({ captureCount: 3, prunedCount: 1 });
    // With older pages still on the server the pruned ones are not in the list: keep every row.
    const s2 = applyMessage(snap([cap(3), cap(2)], { next: '17' }), { type: 'capture.created', capture: cap(4), pruned: 1 });
    expect(ids(s2.list.items)).toEqual(newestFirst(4, 3, 2));
  });

  it('adds a live capture to a verdict-filtered list only when its verdict matches, and counts it either way', () => {
    const s0 = snap([cap(2, { verdict: 'invalid' })], { verdict: 'invalid', next: null });
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(3, { verdict: 'valid' }), pruned: 0 });
    expect(s1.list).toBe(s0.list);
    expect(s1.bins[0]!.captureCount).toBe(2);
    const s2 = applyMessage(s1, { type: 'capture.created', capture: cap(4, { verdict: 'invalid' }), pruned: 0 });
    expect(ids(s2.list.items)).toEqual(newestFirst(4, 2));
    // A filtered list is never the whole bin: its length is not the count.
    expect(s2.bins[0]!.captureCount).toBe(3);
    const unsigned = snap([], { verdict: 'unsigned', next: null });
    expect(ids(applyMessage(unsigned, { type: 'capture.created', capture: cap(5), pruned: 0 }).list.items)).toEqual(newestFirst(5));
    expect(applyMessage(unsigned, { type: 'capture.created', capture: cap(6, { verdict: 'no-secret' }), pruned: 0 }).list.items).toEqual([]);
  });

  it('does not guess which rows retention pruned from a filtered list', () => {
    const s0 = snap([cap(3, { verdict: 'valid' }), cap(1, { verdict: 'valid' })], { verdict: 'valid', next: null });
    const s1 = applyMessage(s0, { type: 'capture.created', capture: cap(4, { verdict: 'valid' }), pruned: 1 });
    expect(ids(s1.list.items)).toEqual(newestFirst(4, 3, 1));
    expect(s1.bins[0]!.prunedCount).toBe(1);
  });

  it('keeps the verdict filter when the bin is cleared', () => {
    const s = applyMessage(snap([cap(1, { verdict: 'valid' })], { verdict: 'valid' }), { type: 'captures.cleared', binId: 'bin1' });
    expect(s.list).toMatchObject({ items: [], loaded: true, verdict: 'valid' });
  });

  it('leaves captures.reverified to the model (a refetch, not a pure change)', () => {
    const s = snap([cap(1)]);
    expect(applyMessage(s, { type: 'captures.reverified', binId: 'bin1' })).toBe(s);
  });

  it('removes a deleted capture once', () => {
    const s0 = snap([cap(3), cap(2), cap(1)]);
    const msg: ServerMessage = { type: 'capture.deleted', binId: 'bin1', id: cap(2).id };
    const s1 = applyMessage(s0, msg);
    expect(ids(s1.list.items)).toEqual(newestFirst(3, 1));
    expect(s1.bins[0]!.captureCount).toBe(2);
    expect(applyMessage(s1, msg)).toBe(s1);
  });

  it('clears a bin: empty, loaded, new epoch, count 0, pruned kept', () => {
    const s0 = snap([cap(2), cap(1)], { next: '5', epoch: 3 }, [bin('bin1', { captureCount: 9, prunedCount: 2 })]);
    const s1 = applyMessage(s0, { type: 'captures.cleared', binId: 'bin1' });
    expect(s1.list).toMatchObject({ items: [], next: null, loaded: true, epoch: 4, binId: 'bin1' });
    expect(s1.bins[0]).toMatchObject({ captureCount: 0, prunedCount: 2 });
  });

  it('adds, updates and deletes bins', () => {
    let s = snap([cap(1)]);
    s = applyMessage(s, { type: 'bin.created', bin: bin('a-new', { createdAt: '2026-11-23T09:30:00.000Z' }) });
    expect(s.bins.map((b) => b.id)).toEqual(['bin1', 'a-new']);
    s = applyMessage(s, { type: 'bin.created', bin: bin('a-new', { createdAt: '2026-11-23T09:30:00.000Z' }) });
    expect(s.bins).toHaveLength(2);
    s = applyMessage(s, { type: 'bin.updated', bin: bin('bin1', { name: 'Stripe', captureCount: 1 }) });
    expect(s.bins[0]!.name).toBe('Stripe');
    s = applyMessage(s, { type: 'bin.deleted', binId: 'a-new' });
    expect(s.bins.map((b) => b.id)).toEqual(['bin1']);
    expect(s.list.items).toHaveLength(1);
    // Deleting the shown bin empties the list.
    s = applyMessage(s, { type: 'bin.deleted', binId: 'bin1' });
    expect(s.bins).toEqual([]);
    expect(s.list).toMatchObject({ binId: null, items: [] });
  });

  it('ignores hello, heartbeats, pongs and errors', () => {
    const s = snap([cap(1)]);
    for (const msg of [
      { type: 'hello', version: '0.1.0', heartbeatMs: 15000 },
      { type: 'subscribed', bins: ['bin1'] },
      { type: 'pong' },
      { type: 'heartbeat' },
      { type: 'error', code: 'x', message: 'y' },
    ] as ServerMessage[])
      expect(applyMessage(s, msg)).toBe(s);
  });
});

// -------------------------------------------------------------------- merging

describe('mergeCaptures', () => {
  it('appends an older page and prepends newer captures', () => {
    expect(ids(mergeCaptures([cap(5), cap(4)], [cap(3), cap(2)]))).toEqual(newestFirst(5, 4, 3, 2));
    expect(ids(mergeCaptures([cap(5), cap(4)], [cap(7), cap(6)]))).toEqual(newestFirst(7, 6, 5, 4));
  });

  it('de-duplicates a page that overlaps live events, in any order', () => {
    const live = [cap(10), cap(9)];
    const page = [cap(10), cap(9), cap(8), cap(7)];
    const merged = mergeCaptures(live, page);
    expect(ids(merged)).toEqual(newestFirst(10, 9, 8, 7));
    expect(ids(mergeCaptures(merged, [cap(8), cap(12), cap(7), cap(11)]))).toEqual(newestFirst(12, 11, 10, 9, 8, 7));
  });

  it('interleaves a page into the middle (a gap filled after a blip)', () => {
    const merged = mergeCaptures([cap(20), cap(19), cap(3), cap(2)], [cap(10), cap(9), cap(8)]);
    expect(ids(merged)).toEqual(newestFirst(20, 19, 10, 9, 8, 3, 2));
  });

  it('lets the incoming copy win, removes only what it is told, skips tombstones', () => {
    const merged = mergeCaptures([cap(3), cap(2), cap(1)], [cap(2, { status: 500 }), cap(4)], {
      remove: new Set([cap(1).id]),
      tombstones: new Set([cap(4).id]),
    });
    expect(ids(merged)).toEqual(newestFirst(3, 2));
    expect(merged[1]!.status).toBe(500);
  });

  it('returns the same array when nothing changes', () => {
    const items = [cap(2), cap(1)];
    expect(mergeCaptures(items, [])).toBe(items);
  });

  it('orders by receivedAt then id, newest first', () => {
    const a = cap(1, { id: 'a' });
    const b = cap(1, { id: 'b' });
    expect([a, b, cap(0)].sort(compareCaptures).map((c) => c.id)).toEqual(['b', 'a', cap(0).id]);
  });

  it('stays linear enough for 100,000 rows', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => cap(100_000 - i));
    const t = performance.now();
    const merged = mergeCaptures(many, [cap(100_001), cap(50_000), cap(-1)]);
    expect(performance.now() - t).toBeLessThan(500);
    expect(merged).toHaveLength(100_002);
    expect(merged[0]!.id).toBe(cap(100_001).id);
    expect(merged.at(-1)!.id).toBe(cap(-1).id);
  });
});

// -------------------------------------------------------------------- filters

describe('filters', () => {
  const items = [
    cap(4, { method: 'GET', path: '/health', query: 'verbose=1', contentType: null }),
    cap(3, { method: 'POST', path: '/stripe', contentType: 'application/json' }),
    cap(2, { method: 'PUT', path: '/form', contentType: 'application/x-www-form-urlencoded' }),
    cap(1, { method: 'post', path: '/github', query: 'delivery=abc', contentType: 'application/json; charset=utf-8' }),
  ];

  it('matches free text over method, path, query and content type, case-insensitively', () => {
    expect(ids(filterCaptures(items, { text: 'STRIPE', method: '' }))).toEqual(newestFirst(3));
    expect(ids(filterCaptures(items, { text: 'verbose', method: '' }))).toEqual(newestFirst(4));
    expect(ids(filterCaptures(items, { text: 'form-urlencoded', method: '' }))).toEqual(newestFirst(2));
    expect(ids(filterCaptures(items, { text: 'put', method: '' }))).toEqual(newestFirst(2));
    expect(ids(filterCaptures(items, { text: 'json delivery', method: '' }))).toEqual(newestFirst(1));
  });

  it('filters by method (case-insensitive) and combines with text', () => {
    expect(ids(filterCaptures(items, { text: '', method: 'POST' }))).toEqual(newestFirst(3, 1));
    expect(ids(filterCaptures(items, { text: 'github', method: 'POST' }))).toEqual(newestFirst(1));
    expect(filterCaptures(items, { text: 'github', method: 'GET' })).toEqual([]);
  });

  it('returns the list itself without a filter', () => {
    expect(filterCaptures(items, { text: '  ', method: '' })).toBe(items);
    expect(matchesFilter(items[0]!, { text: '', method: '' })).toBe(true);
  });

  it('moves the selection with clamping', () => {
    expect(moveSelection(items, null, 1)).toBe(items[0]!.id);
    expect(moveSelection(items, items[0]!.id, 1)).toBe(items[1]!.id);
    expect(moveSelection(items, items[3]!.id, 1)).toBe(items[3]!.id);
    expect(moveSelection(items, items[0]!.id, -1)).toBe(items[0]!.id);
    expect(moveSelection([], null, 1)).toBeNull();
  });
});

// ------------------------------------------------------------------------ cURL

/** Runs a command line with bash and returns what `printf … | base64 -d` produced. */
function bodyFromCommand(cmd: string): Buffer {
  const pipe = cmd.slice(0, cmd.indexOf(' | curl'));
  return execFileSync('bash', ['-c', pipe]);
}

/** What bash makes of the arguments after `curl` (replacing curl with a printer). */
function curlArgs(cmd: string): string[] {
  return curlArgBytes(cmd).map((b) => b.toString('utf8'));
}

/** The same, as the exact bytes of each argument. */
function curlArgBytes(cmd: string): Buffer[] {
  const curl = cmd.slice(cmd.indexOf('curl'));
  const script = `printargs() { for a in "$@"; do printf '%s\\0' "$a"; done; }; ${curl.replace(/^curl/, 'printargs')}`;
  const out = execFileSync('bash', ['-c', script], { input: '' });
  const args: Buffer[] = [];
  for (let start = 0, end = out.indexOf(0); end !== -1; start = end + 1, end = out.indexOf(0, start)) args.push(out.subarray(start, end));
  return args;
}

describe('Copy as cURL', () => {
  it('quotes anything for the shell, single quotes included', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    for (const s of ["it's", "'", "''", '$(rm -rf /)', '`id`', 'a\nb', '"; echo pwned', '\\', '!', '*']) {
      expect(execFileSync('bash', ['-c', `printf '%s' ${shellQuote(s)}`]).toString('utf8')).toBe(s);
    }
  });

  it('keeps headers in order with duplicates, skips hop-by-hop ones, sends the exact URL', () => {
    const cmd = buildCurl({
      method: 'POST',
      url: captureUrl('http://127.0.0.1:7777/b/bin1', '/hooks/x', "a=1&a=2&q='x'"),
      headers: [
        ['Host', '127.0.0.1:7777'],
        ['X-Dup', 'one'],
        ['Content-Type', 'application/json'],
        ['X-Dup', "it's two"],
        ['Content-Length', '2'],
        ['Transfer-Encoding', 'chunked'],
        ['Connection', 'keep-alive'],
        ['X-Empty', ''],
      ],
      bodyBase64: bytesToBase64(new TextEncoder().encode('{}')),
    });
    const args = curlArgs(cmd);
    expect(args).toEqual([
      "http://127.0.0.1:7777/b/bin1/hooks/x?a=1&a=2&q='x'",
      '-H',
      'X-Dup: one',
      '-H',
      'Content-Type: application/json',
      '-H',
      "X-Dup: it's two",
      '-H',
      'X-Empty;',
      '-H',
      'User-Agent:',
      '-H',
      'Accept:',
      '-H',
      'Expect:',
      '--data-raw',
      '{}',
    ]);
    expect(cmd).not.toContain('printf');
  });

  it('puts a plain-text body inline, exactly, and anything a terminal could alter through base64', () => {
    const enc = (s: string | Uint8Array) => bytesToBase64(typeof s === 'string' ? new TextEncoder().encode(s) : s);
    const curl = (body: string | Uint8Array) => buildCurl({ method: 'POST', url: 'http://h/b/x', headers: [['Content-Type', 'text/plain']], bodyBase64: enc(body) });
    const text = `{"msg":"it's \"quoted\" $HOME \`id\` ! *","emoji":"🪝","accents":"crème brûlée"}\nsecond line\n`;
    const inline = curlArgs(curl(text));
    expect(inline.slice(-2)).toEqual(['--data-raw', text]);
    expect(inlineBody(enc(text))).toBe(text);
    // Each of these would be changed by a paste or hidden on screen: tab, CR, NUL, DEL, C1, BOM, bidi override, invalid UTF-8, too big.
    const unsafe: (string | Uint8Array)[] = ['a\tb', 'a\r\nb', 'a\0b', 'a\x7fb', 'a\u0085b', '\ufeff{}', 'abc\u202edcba', new Uint8Array([0x7b, 0xff, 0x7d]), 'x'.repeat(INLINE_BODY_MAX + 1)];
    for (const body of unsafe) {
      const cmd = curl(body);
      expect(inlineBody(enc(body))).toBeNull();
      expect(cmd.startsWith("printf '%s' '")).toBe(true);
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      expect(bodyFromCommand(cmd).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(inlineBody(enc('x'.repeat(INLINE_BODY_MAX)))).toHaveLength(INLINE_BODY_MAX);
  });

  it('carries a binary body byte-exactly through base64', () => {
    const bytes = new Uint8Array([0, 1, 2, 0x27, 0x0a, 0xff, 0xfe, 0x80, 0x00, 0x0d]);
    const cmd = buildCurl({ method: 'PUT', url: 'http://h/b/x', headers: [['Content-Type', 'application/octet-stream']], bodyBase64: bytesToBase64(bytes) });
    expect(cmd.startsWith("printf '%s' '")).toBe(true);
    expect([...bodyFromCommand(cmd)]).toEqual([...bytes]);
    expect(curlArgs(cmd).slice(0, 3)).toEqual(['-X', 'PUT', 'http://h/b/x']);
  });

  it('suppresses the headers curl would add, and picks the method flags', () => {
    const get = buildCurl({ method: 'GET', url: 'http://h/b/x', headers: [['User-Agent', 'Stripe/1.0'], ['Accept', '*/*']], bodyBase64: '' });
    expect(curlArgs(get)).toEqual(['http://h/b/x', '-H', 'User-Agent: Stripe/1.0', '-H', 'Accept: */*']);
    expect(get).not.toContain('printf');
    const head = buildCurl({ method: 'HEAD', url: 'http://h/b/x', headers: [], bodyBase64: '' });
    expect(curlArgs(head)).toEqual(['--head', 'http://h/b/x', '-H', 'User-Agent:', '-H', 'Accept:']);
    const weird = buildCurl({ method: "PROP'FIND", url: 'http://h/b/x/[a]{b}', headers: [], bodyBase64: '' });
    expect(curlArgs(weird).slice(0, 4)).toEqual(['-X', "PROP'FIND", '--globoff', 'http://h/b/x/[a]{b}']);
    const noType = buildCurl({ method: 'POST', url: 'http://h/b/x', headers: [['Content-Length', '0']], bodyBase64: '' });
    expect(curlArgs(noType)).toEqual(['http://h/b/x', '-H', 'User-Agent:', '-H', 'Accept:', '-H', 'Content-Type:', '-H', 'Expect:', '--data-binary', '']);
  });

  it('escapes C1 controls and every other non-ASCII byte of header lines and the URL, and bash still sends the captured bytes', () => {
    // As Node reads them: one character per wire byte (latin1), so U+0085 is the byte 0x85.
    const headers: [string, string][] = [
      ['X-Nel', 'a\u0085b'],
      ['X-Csi', '\u009b31mred\u009b0m'],
      ['X-Latin', 'caf\u00e9 100% \\ it\'s $HOME `id`'],
      ['X-Tab', 'a\tb'],
      ['X-Plain', 'ok'],
    ];
    const cmd = buildCurl({ method: 'POST', url: captureUrl('http://h/b/x', '/p\u0085', 'q=\u009b'), headers, bodyBase64: bytesToBase64(new TextEncoder().encode('{}')) });
    // Nothing in the command a terminal would hide or act on: printable ASCII and the line breaks only.
    expect(cmd).toMatch(/^[\x20-\x7e\n]*$/);
    expect(cmd).toContain(`-H 'X-Plain: ok'`);
    const args = curlArgBytes(cmd);
    const latin1 = (s: string) => Buffer.from(s, 'latin1');
    expect(args[0]!.equals(latin1('http://h/b/x/p\u0085?q=\u009b'))).toBe(true);
    for (const [name, value] of headers) {
      expect(args.some((a) => a.equals(latin1(`${name}: ${value}`))), name).toBe(true);
    }
    // A method or a character beyond latin1 (never read from the wire) round-trips too.
    for (const s of ['-X', 'PROP\u0085', 'snow\u2603man', '%s%d', "'\\'"]) {
      const bytes = execFileSync('bash', ['-c', `printf '%s' ${shellBytes(s)}`]);
      expect(bytes.equals(/[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8') : latin1(s)), s).toBe(true);
    }
  });

  it('offers a first request for an empty bin', () => {
    expect(sampleCurl("http://h/b/it's")).toBe(`curl -X POST 'http://h/b/it'\\''s' -H 'Content-Type: application/json' -d '{"hello":"world"}'`);
  });
});

// ------------------------------------------------------------------------ hex

describe('hex dump', () => {
  it('formats offset | hex | ascii, 16 bytes a line, padded', () => {
    const bytes = new TextEncoder().encode('{"a":1}\n\u0000binary\u007f and more!');
    const lines = hexLines(bytes);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ offset: '00000000', hex: '7b 22 61 22 3a 31 7d 0a  00 62 69 6e 61 72 79 7f', ascii: '{"a":1}..binary.' });
    expect(lines[1]!.offset).toBe('00000010');
    expect(lines[1]!.ascii).toBe(' and more!');
    expect(lines[1]!.hex).toHaveLength(lines[0]!.hex.length);
    expect(hexDumpText(new Uint8Array([0x41, 0xff]))).toBe(`00000000  41 ff${' '.repeat(3 * 14 + 1)}  |A.|`);
  });

  it('pages big bodies from a line boundary', () => {
    const bytes = new Uint8Array(10_000).map((_, i) => i & 0xff);
    expect(hexPageCount(bytes.length)).toBe(Math.ceil(10_000 / HEX_PAGE_BYTES));
    expect(hexPageCount(0)).toBe(1);
    const page = hexLines(bytes, HEX_PAGE_BYTES, 2 * HEX_PAGE_BYTES);
    expect(page).toHaveLength(HEX_PAGE_BYTES / 16);
    expect(page[0]!.offset).toBe((HEX_PAGE_BYTES).toString(16).padStart(8, '0'));
    expect(hexLines(bytes, 17, 20)[0]!.offset).toBe('00000010');
    expect(hexLines(new Uint8Array(0))).toEqual([]);
  });

  it('a page read by range shows its offsets in the whole body', () => {
    expect(pageRange(0, 10_000)).toEqual({ start: 0, end: HEX_PAGE_BYTES });
    expect(pageRange(2, 10_000)).toEqual({ start: 2 * HEX_PAGE_BYTES, end: 10_000 });
    const page = new Uint8Array(HEX_PAGE_BYTES).fill(0x41);
    const lines = hexLines(page, 0, page.length, 25 * 1024 * 1024);
    expect(lines[0]!.offset).toBe('01900000');
    expect(lines.at(-1)!.offset).toBe((25 * 1024 * 1024 + HEX_PAGE_BYTES - 16).toString(16).padStart(8, '0'));
  });
});

describe('a body the capture carries only in part', () => {
  it('loads whole at once up to 1 MiB, over the inline cap; larger ones wait for the button', () => {
    expect(AUTO_LOAD_BYTES).toBeGreaterThan(INLINE_BODY_BYTES);
    expect(loadsWholeAtOnce(AUTO_LOAD_BYTES)).toBe(true);
    expect(loadsWholeAtOnce(AUTO_LOAD_BYTES + 1)).toBe(false);
  });

  it('Copy as cURL reads such a body from the downloaded file, never pastes its first part', () => {
    const cmd = buildCurl({ method: 'POST', url: 'http://h/b/x', headers: [['Content-Type', 'application/json']], bodyBase64: 'eyJhIjox', bodyFile: 'capture-abc.bin' });
    expect(cmd).toContain("--data-binary '@capture-abc.bin'");
    expect(cmd).not.toContain('eyJhIjox');
    expect(cmd).not.toContain('--data-raw');
    // The first line says where the body comes from, as a shell comment: the command still runs as pasted.
    const [first, ...rest] = cmd.split('\n');
    expect(first).toBe('# the body is read from capture-abc.bin: save it with Download body first');
    expect(rest.join('\n').startsWith('curl ')).toBe(true);
  });
});

// ---------------------------------------------------------------- query string

describe('parseQuery', () => {
  it('keeps order and duplicates and decodes + and %XX', () => {
    expect(parseQuery('a=1&b=hello+world&a=2&c=%3Cscript%3E&d&e=&=x')).toEqual([
      ['a', '1'],
      ['b', 'hello world'],
      ['a', '2'],
      ['c', '<script>'],
      ['d', ''],
      ['e', ''],
      ['', 'x'],
    ]);
  });

  it('handles a leading ?, empty segments, = in values and malformed escapes', () => {
    expect(parseQuery('')).toEqual([]);
    expect(parseQuery('?x=1&&y=a=b')).toEqual([
      ['x', '1'],
      ['y', 'a=b'],
    ]);
    expect(parseQuery('bad=%E0%A4%A&ok=%C3%A9%zz')).toEqual([
      ['bad', '%E0%A4%A'],
      ['ok', 'é%zz'],
    ]);
    expect(decodeComponent('%ZZ+%41')).toBe('%ZZ A');
  });
});

// ---------------------------------------------------------- small formatters

describe('format helpers', () => {
  it('formats sizes and relative times', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MiB');
    const at = '2026-11-23T10:00:00.000Z';
    expect(relativeTime(at, T0 + 1000)).toBe('now');
    expect(relativeTime(at, T0 + 42_000)).toBe('42s ago');
    expect(relativeTime(at, T0 + 5 * 60_000)).toBe('5m ago');
    expect(relativeTime(at, T0 + 3 * 3600_000)).toBe('3h ago');
  });

  it('round-trips base64', () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
    for (const n of [0, 1, 2, 3, 299, 300]) {
      const part = bytes.subarray(0, n);
      const b64 = bytesToBase64(part);
      expect(b64).toBe(Buffer.from(part).toString('base64'));
      expect([...base64ToBytes(b64)]).toEqual([...part]);
    }
  });
});

// ------------------------------------------------------------ JSON and tabs

describe('JSON tree parser', () => {
  it('keeps number literals, duplicate keys and key order', () => {
    expect(parseJson('{"b":12345678901234567890,"a":1.50,"b":-0e5}')).toEqual({
      t: 'obj',
      entries: [
        ['b', { t: 'num', raw: '12345678901234567890' }],
        ['a', { t: 'num', raw: '1.50' }],
        ['b', { t: 'num', raw: '-0e5' }],
      ],
    });
  });

  it('decodes strings and literals and rejects what JSON rejects', () => {
    expect(parseJson(' ["<img onerror=x>\\u0041\\n", true, false, null, {}, []] ')).toEqual({
      t: 'arr',
      items: [{ t: 'str', v: '<img onerror=x>A\n' }, { t: 'bool', v: true }, { t: 'bool', v: false }, { t: 'null' }, { t: 'obj', entries: [] }, { t: 'arr', items: [] }],
    });
    for (const bad of ['', '{', '{"a":}', '[1,]', '01', '{"a":1}x', "{'a':1}", '"\u0001"', 'NaN']) expect(tryParseJson(bad)).toBeNull();
    expect(tryParseJson('[' .repeat(2000) + ']'.repeat(2000))).toBeNull();
  });

  it('chooses body tabs by content', () => {
    expect(bodyTabs({ size: 0, text: '', contentType: null, encodings: [], json: false })).toEqual([]);
    expect(bodyTabs({ size: 2, text: '{}', contentType: 'application/json', encodings: [], json: true })).toEqual(['json', 'text', 'hex']);
    expect(bodyTabs({ size: 3, text: 'a=1', contentType: 'application/x-www-form-urlencoded', encodings: [], json: false })).toEqual(['form', 'text', 'hex']);
    expect(bodyTabs({ size: 3, text: null, contentType: 'application/json', encodings: ['gzip'], json: false })).toEqual(['decoded', 'hex']);
    expect(bodyTabs({ size: 3, text: null, contentType: null, encodings: [], json: false })).toEqual(['hex']);
  });
});

// ------------------------------------------------------------------ live feed

describe('live transport helpers', () => {
  it('backs off from 0.5 s doubling to 10 s, with jitter between half and all', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(1, () => 1)).toBe(1000);
    expect(backoffDelay(4, () => 1)).toBe(8000);
    expect(backoffDelay(5, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(500, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(500, () => 0)).toBe(BACKOFF_MAX_MS / 2);
  });

  it('builds the socket URL from the page origin and parses frames defensively', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:7777' })).toBe('ws://127.0.0.1:7777/api/ws');
    expect(liveUrl({ protocol: 'https:', host: 'x.example' })).toBe('wss://x.example/api/ws');
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseServerMessage('nope')).toBeNull();
    expect(parseServerMessage('[1]')).toBeNull();
    expect(parseServerMessage(new ArrayBuffer(2))).toBeNull();
  });
});

// ------------------------------------------------------- model with a fake API

/** An in-memory server: captures newest first, pages by a seq cursor like the real one. */
function fakeApi(initial: CaptureSummary[], bins: Bin[] = [bin('bin1')]) {
  const server = { captures: [...initial], bins: [...bins] };
  const seq = new Map<string, number>();
  let nextSeq = 1;
  const add = (c: CaptureSummary) => {
    seq.set(c.id, nextSeq++);
    server.captures.unshift(c);
  };
  for (const c of [...initial].reverse()) seq.set(c.id, nextSeq++);
  const calls: string[] = [];
  /** Runs while a page request is in flight, after the server took its snapshot. */
  const hooks: { duringList?: () => void } = {};
  const api: Api = {
    listBins: async () => server.bins.map((b) => ({ ...b, captureCount: server.captures.filter((c) => c.binId === b.id).length })),
    createBin: async () => {
      throw new Error('not used');
    },
    updateBin: async () => {
      throw new Error('not used');
    },
    deleteBin: async () => undefined,
    listCaptures: async (binId, { limit, before, verdict }): Promise<CapturePage> => {
      calls.push(`list ${before ?? '-'}${verdict ? ` ${verdict}` : ''}`);
      const all = server.captures.filter(
        (c) =>
          c.binId === binId &&
          (before === undefined || seq.get(c.id)! < Number(before)) &&
          (!verdict || (verdict === 'unsigned' ? c.verdict === null : c.verdict === verdict)),
      );
      const page = all.slice(0, limit);
      const hook = hooks.duringList;
      hooks.duringList = undefined;
      hook?.();
      return { captures: page, next: all.length > limit ? String(seq.get(page.at(-1)!.id)) : null };
    },
    getCapture: async (id) => {
      calls.push(`get ${id}`);
      return { ...server.captures.find((c) => c.id === id)! } as unknown as Capture;
    },
    deleteCapture: async (id) => {
      server.captures = server.captures.filter((c) => c.id !== id);
    },
    clearBin: async () => {
      server.captures = [];
    },
    getBody: async () => ({ bytes: new Uint8Array(), decoded: null, truncated: false }),
    getInfo: async () => ({ version: 'test', globalSecrets: [] }),
    listPresets: async () => [],
    listEvents: async () => ({ events: [], next: null }),
  };
  return { api, server, add, calls, hooks };
}

describe('model catch-up', () => {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cap(to - i));

  it('loads the first page, then older pages on demand', async () => {
    const { api } = fakeApi(range(1, 450));
    const m = createModel(api);
    await m.resync();
    expect(m.selectedBinId.value).toBe('bin1');
    expect(m.list.value.items).toHaveLength(200);
    expect(m.list.value.next).not.toBeNull();
    await m.loadOlder();
    await m.loadOlder();
    expect(m.list.value.items).toHaveLength(450);
    expect(m.list.value.next).toBeNull();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 450)));
  });

  it('after a blip, fetches every capture it missed, even more than a page, and keeps the older pages', async () => {
    const fake = fakeApi(range(1, 300));
    const m = createModel(fake.api);
    await m.resync();
    await m.loadOlder();
    expect(m.list.value.items).toHaveLength(300);
    // Offline: 450 captures arrive that no live event announced.
    for (let n = 301; n <= 750; n++) fake.add(cap(n));
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 750)));
    expect(m.list.value.next).toBeNull();
  });

  it('merges live events that race a resync without losing or doubling any', async () => {
    const fake = fakeApi(range(1, 10));
    const m = createModel(fake.api);
    await m.resync();
    fake.add(cap(11));
    // While the page is on its way: the live event for a capture the page also
    // carries, and one committed after the page was read.
    fake.hooks.duringList = () => {
      m.apply({ type: 'capture.created', capture: cap(11), pruned: 0 });
      fake.add(cap(12));
      m.apply({ type: 'capture.created', capture: cap(12), pruned: 0 });
    };
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 12)));
    expect(m.bins.value[0]!.captureCount).toBe(12);
    // Announced before the resync began: the server has it, so the page carries it too.
    fake.add(cap(13));
    m.apply({ type: 'capture.created', capture: cap(13), pruned: 0 });
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 13)));
  });

  it('drops captures deleted while away once the whole bin was read, and never resurrects tombstones', async () => {
    const fake = fakeApi(range(1, 5));
    const m = createModel(fake.api);
    await m.resync();
    fake.server.captures = fake.server.captures.filter((c) => c.id !== cap(3).id);
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(newestFirst(5, 4, 2, 1));
    m.selectCapture(cap(5).id);
    await m.deleteCapture(cap(5).id);
    expect(m.selectedCaptureId.value).toBeNull();
    expect(ids(m.list.value.items)).toEqual(newestFirst(4, 2, 1));
  });

  it('starts over on a server that lost everything (e.g. --memory restart)', async () => {
    const fake = fakeApi(range(1, 5));
    const m = createModel(fake.api);
    await m.resync();
    fake.server.captures = [cap(100)];
    await m.resync();
    expect(ids(m.list.value.items)).toEqual(newestFirst(100));
  });

  it('flags a missing token instead of failing silently', async () => {
    const fake = fakeApi([]);
    const { ApiRequestError } = await import('../../web/src/api/http.js');
    fake.api.listBins = async () => {
      throw new ApiRequestError(401, 'unauthorized', 'a token is required');
    };
    const m = createModel(fake.api);
    await m.resync();
    expect(m.authRequired.value).toBe(true);
    expect(m.error.value).toBeNull();
  });

  it('leaves a server that cannot be reached to the status badge: no toast, and an old one goes when it is back', async () => {
    const fake = fakeApi(range(1, 3));
    const { ApiRequestError, UNREACHABLE_MESSAGE } = await import('../../web/src/api/http.js');
    const listBins = fake.api.listBins;
    fake.api.listBins = async () => {
      throw new ApiRequestError(0, 'unreachable', UNREACHABLE_MESSAGE);
    };
    const m = createModel(fake.api);
    await m.resync();
    expect(m.error.value).toBeNull();
    // A user action that failed while hookbin was down did say so …
    m.error.value = UNREACHABLE_MESSAGE;
    fake.api.listBins = listBins;
    await m.resync();
    // … until hookbin answered again.
    expect(m.error.value).toBeNull();
    expect(m.list.value.items).toHaveLength(3);
    // Other failures still speak up.
    fake.api.listBins = async () => {
      throw new ApiRequestError(500, 'internal', 'database is locked');
    };
    await m.resync();
    expect(m.error.value).toBe('database is locked');
  });

  it('filters by verdict on the server: pages of matches only, reset on a bin switch', async () => {
    const all = range(1, 450).map((c, i) => ({ ...c, verdict: i % 3 === 0 ? ('valid' as const) : null }));
    const fake = fakeApi(all);
    const m = createModel(fake.api);
    await m.resync();
    await m.setVerdictFilter('valid');
    expect(fake.calls.at(-1)).toBe('list - valid');
    expect(m.list.value.items).toHaveLength(150);
    expect(m.list.value.items.every((c) => c.verdict === 'valid')).toBe(true);
    expect(m.list.value.next).toBeNull();
    // The count is the bin's, not the filtered list's length.
    expect(m.bins.value[0]!.captureCount).toBe(450);
    await m.setVerdictFilter('unsigned');
    expect(m.list.value.items).toHaveLength(200);
    expect(m.list.value.next).not.toBeNull();
    await m.loadOlder();
    expect(m.list.value.items).toHaveLength(300);
    expect(m.list.value.items.every((c) => c.verdict === null)).toBe(true);
    expect(fake.calls.at(-1)).toMatch(/^list \d+ unsigned$/);
    await m.setVerdictFilter(null);
    expect(m.list.value.verdict).toBeNull();
    expect(m.list.value.items).toHaveLength(200);
  });

  it('keeps an open capture selected when the verdict filter hides it', async () => {
    const fake = fakeApi([cap(2, { verdict: 'valid' }), cap(1)]);
    const m = createModel(fake.api);
    await m.resync();
    m.selectCapture(cap(1).id);
    await m.setVerdictFilter('valid');
    expect(ids(m.list.value.items)).toEqual(newestFirst(2));
    expect(m.selectedCaptureId.value).toBe(cap(1).id);
  });

  it('on captures.reverified refetches the list and the open capture in place, keeping captures that arrived meanwhile', async () => {
    const fake = fakeApi(range(1, 300).map((c) => ({ ...c, verdict: 'no-secret' as const })));
    const m = createModel(fake.api);
    await m.resync();
    await m.loadOlder();
    m.selectCapture(cap(5).id);
    await Promise.resolve();
    await Promise.resolve();
    expect(m.selectedDetail.value).toMatchObject({ state: 'ok', capture: { verdict: 'no-secret' } });
    // A secret was added: the server re-judged everything.
    fake.server.captures = fake.server.captures.map((c) => ({ ...c, verdict: 'valid' as const }));
    // A capture that arrives live while the refetch reads its pages.
    fake.hooks.duringList = () => {
      fake.add(cap(301, { verdict: 'valid' }));
      m.apply({ type: 'capture.created', capture: cap(301, { verdict: 'valid' }), pruned: 0 });
    };
    const shown: string[] = [];
    const stop = m.selectedDetail.subscribe((d) => shown.push(d?.state ?? 'none'));
    m.apply({ type: 'captures.reverified', binId: 'bin1' });
    await m.refreshVerdicts('bin1');
    stop();
    expect(ids(m.list.value.items)).toEqual(ids(range(1, 301)));
    expect(m.list.value.items.every((c) => c.verdict === 'valid')).toBe(true);
    expect(m.selectedDetail.value).toMatchObject({ state: 'ok', capture: { verdict: 'valid' } });
    // Swapped in place: no "Loading…" in between.
    expect(shown).not.toContain('loading');
  });

  it('after a re-judge drops captures that no longer match the verdict filter', async () => {
    const fake = fakeApi([cap(3, { verdict: 'no-secret' }), cap(2, { verdict: 'no-secret' }), cap(1)]);
    const m = createModel(fake.api);
    await m.resync();
    await m.setVerdictFilter('no-secret');
    expect(ids(m.list.value.items)).toEqual(newestFirst(3, 2));
    fake.server.captures = fake.server.captures.map((c) => (c.id === cap(3).id ? { ...c, verdict: 'valid' as const } : c));
    m.apply({ type: 'captures.reverified', binId: null });
    await m.refreshVerdicts(null);
    expect(ids(m.list.value.items)).toEqual(newestFirst(2));
  });

  it('ignores captures.reverified of another bin, but forgets its cached details', async () => {
    const fake = fakeApi([cap(1)], [bin('bin1'), bin('bin2')]);
    const m = createModel(fake.api);
    await m.resync();
    const before = fake.calls.length;
    m.apply({ type: 'captures.reverified', binId: 'bin2' });
    await Promise.resolve();
    expect(fake.calls.length).toBe(before);
  });

  it('saves secrets, then refreshes the verdicts; an error comes back as a sentence', async () => {
    const fake = fakeApi([cap(1, { verdict: 'no-secret' })]);
    let patched: unknown = null;
    fake.api.updateBin = async (id, patch) => {
      patched = patch;
      fake.server.captures = fake.server.captures.map((c) => ({ ...c, verdict: 'valid' as const }));
      return { ...bin(id), secrets: [{ name: 'gh', value: '…cret', scheme: 'github' }] };
    };
    const m = createModel(fake.api);
    await m.resync();
    expect(await m.saveSecrets('bin1', [{ name: 'gh', value: 'the-secret', scheme: 'github' }])).toBeNull();
    expect(patched).toEqual({ secrets: [{ name: 'gh', value: 'the-secret', scheme: 'github' }] });
    expect(m.bins.value[0]!.secrets).toEqual([{ name: 'gh', value: '…cret', scheme: 'github' }]);
    await m.refreshVerdicts('bin1');
    expect(m.list.value.items[0]!.verdict).toBe('valid');
    const { ApiRequestError } = await import('../../web/src/api/http.js');
    fake.api.updateBin = async () => {
      throw new ApiRequestError(400, 'invalid_secrets', 'secret names must be unique');
    };
    expect(await m.saveSecrets('bin1', [])).toBe('secret names must be unique');
  });

  it('reads the global secrets (masked) on every resync', async () => {
    const fake = fakeApi([]);
    let n = 0;
    fake.api.getInfo = async () => ({ version: 't', globalSecrets: [{ name: `g${++n}`, value: '…', scheme: null }] });
    const m = createModel(fake.api);
    await m.resync();
    await Promise.resolve();
    expect(m.info.value?.globalSecrets.map((s) => s.name)).toEqual(['g1']);
    await m.resync();
    await Promise.resolve();
    expect(m.info.value?.globalSecrets.map((s) => s.name)).toEqual(['g2']);
  });

  it('keyboard steps through the filtered list', async () => {
    const fake = fakeApi([cap(3, { method: 'GET' }), cap(2), cap(1, { method: 'GET' })]);
    const m = createModel(fake.api);
    await m.resync();
    m.filter.value = { text: '', method: 'GET' };
    m.step(1);
    expect(m.selectedCaptureId.value).toBe(cap(3).id);
    m.step(1);
    expect(m.selectedCaptureId.value).toBe(cap(1).id);
    m.step(1);
    expect(m.selectedCaptureId.value).toBe(cap(1).id);
    m.step(-1);
    expect(m.selectedCaptureId.value).toBe(cap(3).id);
  });
});
