/**
 * The multipart parser in Node, on well-formed bodies as browsers and curl
 * send them and on hostile ones: no boundary, a boundary given twice, bare
 * LFs, no closing boundary, binary parts, names that are not UTF-8, floods of
 * parts and header lines. It never throws and stays linear.
 */
import { describe, expect, it } from 'vitest';
import {
  dispositionParams,
  headerParams,
  isMultipart,
  MAX_NOTES,
  MAX_PART_HEADER_BYTES,
  MAX_PART_HEADERS,
  MAX_PARTS,
  multipartBoundary,
  parseMultipart,
  partFileName,
  sniffBoundary,
} from '../../web/src/features/captures/multipart.js';

const enc = (s: string) => Buffer.from(s, 'utf8');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);

/** A body as a browser's FormData makes it: a text field and a binary file, CRLF lines. */
function formBody(boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW', eol = '\r\n'): Buffer {
  return Buffer.concat([
    enc(`--${boundary}${eol}Content-Disposition: form-data; name="comment"${eol}${eol}hello, wörld${eol}`),
    enc(`--${boundary}${eol}Content-Disposition: form-data; name="file"; filename="pixel.png"${eol}Content-Type: image/png${eol}${eol}`),
    PNG,
    enc(`${eol}--${boundary}--${eol}`),
  ]);
}

describe('multipartBoundary', () => {
  it('reads a token or quoted boundary of any multipart type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toEqual({ boundary: 'abc', notes: [] });
    expect(multipartBoundary('multipart/mixed; charset=utf-8; BOUNDARY="a b;c\\"d"')).toEqual({ boundary: 'a b;c"d', notes: [] });
    expect(isMultipart('Multipart/Related; type="text/html"')).toBe(true);
    expect(isMultipart('application/json')).toBe(false);
    expect(isMultipart(null)).toBe(false);
  });

  it('says what is wrong with a missing, empty, doubled or absurd boundary', () => {
    expect(multipartBoundary('multipart/form-data')).toEqual({ boundary: null, notes: ['the Content-Type names no boundary'] });
    expect(multipartBoundary('multipart/form-data; boundary=')).toMatchObject({ boundary: null, notes: ['the boundary is empty'] });
    expect(multipartBoundary('multipart/form-data; boundary=a; boundary=b')).toEqual({ boundary: 'a', notes: ['the Content-Type names 2 boundaries; the first is used'] });
    expect(multipartBoundary('multipart/form-data; boundary=a; boundary=a')).toEqual({ boundary: 'a', notes: [] });
    expect(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(201)}`).boundary).toBeNull();
    expect(multipartBoundary(null).boundary).toBeNull();
  });

  it('finds the boundary on the first line of a body whose Content-Type lost it', () => {
    expect(sniffBoundary(formBody('XyZ'))).toBe('XyZ');
    expect(sniffBoundary(formBody('XyZ', '\n'))).toBe('XyZ');
    expect(sniffBoundary(enc('{"a":1}'))).toBeNull();
    expect(sniffBoundary(enc('--'))).toBeNull();
    expect(sniffBoundary(Buffer.concat([enc('--a'), Buffer.from([0xff]), enc('\r\n')]))).toBeNull();
  });
});

describe('headerParams and dispositionParams', () => {
  it('reads quoted and bare values, the first of a name, and filename* in UTF-8', () => {
    expect(headerParams('form-data; name="a\\"b"; filename=x.txt')).toEqual([
      ['name', 'a"b'],
      ['filename', 'x.txt'],
    ]);
    expect(dispositionParams('form-data; name="f"; filename="euro.txt"; filename*=UTF-8\'\'%E2%82%AC.txt')).toEqual({ name: 'f', filename: '€.txt' });
    expect(dispositionParams("form-data; name=f; filename*=UTF-8''%E2%ZZ")).toEqual({ name: 'f', filename: null });
    expect(dispositionParams('form-data; flag; name="n"')).toEqual({ name: 'n', filename: null });
    expect(dispositionParams(null)).toEqual({ name: null, filename: null });
  });

  it('reads hostile values of many ; = and quotes (in one pass: a quadratic one would not finish here)', () => {
    expect(headerParams(`form-data${';'.repeat(200_000)}=${'"'.repeat(200_000)}`)).toEqual([]);
    // Each `"; a=` is one quoted value: the first 50 are kept.
    expect(headerParams(`x${'; a="'.repeat(100_000)}`)).toHaveLength(50);
  });
});

describe('parseMultipart', () => {
  it('splits a browser form: names, filename, content type, exact bytes of a binary part', () => {
    const body = formBody();
    const { parts, notes } = parseMultipart(body, '----WebKitFormBoundary7MA4YWxkTrZu0gW');
    expect(notes).toEqual([]);
    expect(parts.map((p) => [p.index, p.name, p.filename, p.contentType, p.incomplete])).toEqual([
      [1, 'comment', null, null, false],
      [2, 'file', 'pixel.png', 'image/png', false],
    ]);
    expect(Buffer.from(parts[0]!.bytes).toString('utf8')).toBe('hello, wörld');
    // The CRLF and -- inside the PNG stay: only a line that is the whole delimiter ends a part.
    expect(Buffer.from(parts[1]!.bytes)).toEqual(PNG);
    expect(parts[1]!.headers).toEqual([
      ['Content-Disposition', 'form-data; name="file"; filename="pixel.png"'],
      ['Content-Type', 'image/png'],
    ]);
    expect(body.subarray(parts[1]!.start, parts[1]!.end)).toEqual(PNG);
  });

  it('takes bare LF lines, a part with no headers, an empty part, a preamble and an epilogue', () => {
    const body = enc('preamble\n--b\n\nno headers\n--b\nContent-Disposition: form-data; name="empty"\n\n\n--b--\nepilogue');
    const { parts, notes } = parseMultipart(body, 'b');
    expect(parts.map((p) => [p.name, Buffer.from(p.bytes).toString()])).toEqual([
      [null, 'no headers'],
      ['empty', ''],
    ]);
    expect(notes).toEqual(['8 bytes before the first boundary are not shown as a part', '8 bytes after the closing boundary are not shown as a part']);
  });

  it('says so when the closing boundary is missing (a body cut short) and marks the last part', () => {
    const body = formBody().subarray(0, formBody().length - 30);
    const { parts, notes } = parseMultipart(body, '----WebKitFormBoundary7MA4YWxkTrZu0gW');
    expect(parts.map((p) => p.incomplete)).toEqual([false, true]);
    expect(notes).toEqual(['no closing boundary: the body ends inside the last part']);
  });

  it('finds nothing, without throwing, where the boundary never appears, on an empty body and on no line break at all', () => {
    expect(parseMultipart(enc('just text'), 'b')).toEqual({ parts: [], notes: ['the boundary never appears in the body'] });
    expect(parseMultipart(new Uint8Array(0), 'b').parts).toEqual([]);
    expect(parseMultipart(enc('--b'), 'b')).toEqual({ parts: [], notes: ['the body ends on a boundary line with no closing boundary'] });
    expect(parseMultipart(enc('--bContent-Disposition: form-data; name="x"'), 'b').parts).toEqual([]);
  });

  it('shows a part whose header block never ends as content, and keeps names that are not UTF-8 as text', () => {
    const latin1Name = Buffer.concat([enc('--b\r\nContent-Disposition: form-data; name="caf'), Buffer.from([0xe9]), enc('"; filename="r'), Buffer.from([0xe9, 0xff]), enc('sum.txt"\r\n\r\nx\r\n--b--')]);
    const [part] = parseMultipart(latin1Name, 'b').parts;
    expect(part!.name).toBe('caf\uFFFD');
    expect(part!.filename).toBe('r\uFFFD\uFFFDsum.txt');
    const noBlank = parseMultipart(enc('--b\r\nX-A: 1\r\nstill header\r\n--b--'), 'b');
    expect(noBlank.parts[0]!.headers).toEqual([]);
    expect(Buffer.from(noBlank.parts[0]!.bytes).toString()).toBe('X-A: 1\r\nstill header');
    expect(noBlank.notes).toEqual(['part 1: no blank line after its headers; shown whole as content']);
    const huge = parseMultipart(enc(`--b\r\nX-Long: ${'a'.repeat(MAX_PART_HEADER_BYTES)}\r\n\r\nbody\r\n--b--`), 'b');
    expect(huge.parts[0]!.headers).toEqual([]);
    expect(huge.notes[0]).toMatch(/^part 1: no end of its headers in the first 16 KiB/);
  });

  it('keeps at most MAX_PARTS parts and MAX_PART_HEADERS header lines, and says so', () => {
    const many = enc(`${'--b\r\n\r\nx\r\n'.repeat(MAX_PARTS + 5)}--b--`);
    const r = parseMultipart(many, 'b');
    expect(r.parts).toHaveLength(MAX_PARTS);
    expect(r.notes).toEqual([`more than ${MAX_PARTS} parts: only the first ${MAX_PARTS} are shown`]);
    const lines = Array.from({ length: MAX_PART_HEADERS + 10 }, (_, i) => `X-H${i}: v`).join('\r\n');
    const h = parseMultipart(enc(`--b\r\n${lines}\r\n\r\nbody\r\n--b--`), 'b');
    expect(h.parts[0]!.headers).toHaveLength(MAX_PART_HEADERS);
    expect(Buffer.from(h.parts[0]!.bytes).toString()).toBe('body');
    expect(h.notes).toEqual([`part 1: more than ${MAX_PART_HEADERS} header lines; the first ${MAX_PART_HEADERS} are shown`]);
  });

  it('says at most MAX_NOTES notes however many parts are odd, keeping the one on how the body ended', () => {
    // Every part lacks the blank line after its headers: one note each, 1000 of them, unless bounded.
    const r = parseMultipart(enc('--b\r\nX: y\r\n'.repeat(MAX_PARTS + 5)), 'b');
    expect(r.parts).toHaveLength(MAX_PARTS);
    expect(r.notes).toHaveLength(MAX_NOTES);
    expect(r.notes[0]).toBe('part 1: no blank line after its headers; shown whole as content');
    expect(r.notes[MAX_NOTES - 2]).toBe(`and ${MAX_PARTS - (MAX_NOTES - 2)} more notes like these`);
    expect(r.notes[MAX_NOTES - 1]).toBe(`more than ${MAX_PARTS} parts: only the first ${MAX_PARTS} are shown`);
  });

  it('reads bodies built to make a naive search slow (near-boundaries on every line, all dashes, all line breaks)', () => {
    const boundary = '-'.repeat(70);
    const near = `\n--${'-'.repeat(69)}x`;
    for (const body of [enc(near.repeat(60_000)), enc('-'.repeat(4_000_000)), enc('\n'.repeat(4_000_000))]) {
      expect(parseMultipart(body, boundary).parts).toEqual([]);
    }
  });
});

describe('partFileName', () => {
  it('keeps a plain name, drops directories and characters a file system refuses, else the fallback', () => {
    expect(partFileName('pixel.png', 'f.bin')).toBe('pixel.png');
    expect(partFileName('../../etc/passwd', 'f.bin')).toBe('passwd');
    expect(partFileName('C:\\Users\\me\\a<b>.txt', 'f.bin')).toBe('a_b_.txt');
    expect(partFileName('..', 'f.bin')).toBe('f.bin');
    expect(partFileName('a\u0000\nb', 'f.bin')).toBe('a__b');
    expect(partFileName(null, 'f.bin')).toBe('f.bin');
    expect(partFileName('x'.repeat(500), 'f.bin')).toHaveLength(120);
    // A bidi override would save (and show) `invoice\u202Efdp.exe` as "invoiceexe.pdf".
    expect(partFileName('invoice\u202Efdp.exe', 'f.bin')).toBe('invoice_fdp.exe');
    expect(partFileName('a\u200Bb\u2066c\uFEFF.txt', 'f.bin')).toBe('a_b_c_.txt');
    expect(partFileName('x\u0085\u009By.txt', 'f.bin')).toBe('x__y.txt');
    // Windows drops trailing dots and spaces, and with them what the name seemed to end in.
    expect(partFileName('report.pdf. . ', 'f.bin')).toBe('report.pdf');
    expect(partFileName(`${'x'.repeat(119)}.exe`, 'f.bin')).toBe('x'.repeat(119));
  });
});
