/**
 * The body viewer's pure parts in Node: Copy as cURL (run through bash),
 * the hex dump, and a body the capture carries only in part.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AUTO_LOAD_BYTES, loadsWholeAtOnce } from '../../web/src/features/captures/body.js';
import { INLINE_BODY_BYTES } from '../../server/common/body-inline.js';
import { buildCurl, captureUrl, INLINE_BODY_MAX, inlineBody, sampleCurl, shellBytes, shellQuote } from '../../web/src/features/captures/curl.js';
import { bytesToBase64 } from '../../web/src/ui/format.js';
import { HEX_PAGE_BYTES, hexDumpText, hexLines, hexPageCount, pageRange } from '../../web/src/features/captures/hex.js';

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
