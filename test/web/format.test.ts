/**
 * Small pure helpers of the inspector in Node: query strings, sizes and
 * times, base64, the JSON tree parser and the body tabs it offers, and the
 * live feed's backoff and message parsing.
 */
import { describe, expect, it } from 'vitest';
import { type BodyTab, bodyTabs, tabLabel } from '../../web/src/features/captures/body.js';
import {
  base64ToBytes,
  bytesToBase64,
  decodeComponent,
  formatBytes,
  formatOffset,
  formatTimestamp,
  formatTimestampZoned,
  isoWithOffset,
  localOffsetMinutes,
  parseQuery,
  relativeTime,
  revealInvisible,
  timeTitle,
} from '../../web/src/ui/format.js';
import { parseJson, tryParseJson } from '../../web/src/features/captures/json.js';
import { BACKOFF_MAX_MS, backoffDelay, liveUrl, parseServerMessage } from '../../web/src/api/live.js';
import { T0 } from '../support/web-fixtures.js';

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

  it('says the zone of a time: an offset as people write it, ISO 8601 with the offset, the zone by name', () => {
    expect(formatOffset(0)).toBe('UTC');
    expect(formatOffset(60)).toBe('UTC+1');
    expect(formatOffset(330)).toBe('UTC+5:30');
    expect(formatOffset(-480)).toBe('UTC−8');
    expect(formatOffset(-570)).toBe('UTC−9:30');
    const at = '2026-11-23T10:59:41.257Z';
    expect(isoWithOffset(at, 0)).toBe('2026-11-23T10:59:41.257Z');
    expect(isoWithOffset(at, 60)).toBe('2026-11-23T11:59:41.257+01:00');
    expect(isoWithOffset(at, 330)).toBe('2026-11-23T16:29:41.257+05:30');
    expect(isoWithOffset('2026-11-23T02:00:00.000Z', -480)).toBe('2026-11-22T18:00:00.000-08:00');
    expect(isoWithOffset('not a time', 60)).toBe('not a time');
    // The same instant, whatever the offset.
    for (const off of [-480, -570, 0, 60, 330, 765]) expect(Date.parse(isoWithOffset(at, off))).toBe(Date.parse(at));
    expect(timeTitle(at, 'Asia/Kolkata', 330)).toBe('2026-11-23T16:29:41.257+05:30, Asia/Kolkata');
    expect(timeTitle(at, null, 0)).toBe('2026-11-23T10:59:41.257Z');
    // In this process's own zone: the shown time carries the offset it was read in.
    expect(formatTimestampZoned(at)).toBe(`${formatTimestamp(at)} ${formatOffset(localOffsetMinutes(at))}`);
    expect(formatTimestampZoned('garbage')).toBe('garbage');
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
    // Any body has a text tab: a binary one after its hex dump, which opens first.
    expect(bodyTabs({ size: 3, text: null, contentType: 'application/json', encodings: ['gzip'], json: false })).toEqual(['decoded', 'hex', 'text']);
    expect(bodyTabs({ size: 3, text: null, contentType: null, encodings: [], json: false })).toEqual(['hex', 'text']);
    // A multipart body opens on its parts, text or binary.
    expect(bodyTabs({ size: 9, text: null, contentType: 'multipart/form-data; boundary=b', encodings: [], json: false, multipart: true })).toEqual(['parts', 'hex', 'text']);
    expect(bodyTabs({ size: 9, text: '--b--', contentType: 'multipart/mixed; boundary=b', encodings: [], json: false, multipart: true })).toEqual(['parts', 'text', 'hex']);
  });

  it('labels the text tab Text beside a JSON tree or a form too', () => {
    expect(['json', 'form', 'parts', 'text', 'hex'].map((t) => tabLabel(t as BodyTab, []))).toEqual(['JSON', 'Form', 'Parts', 'Text', 'Hex']);
    expect(tabLabel('decoded', ['gzip', 'br'])).toBe('Decoded (gzip, br)');
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

describe('revealInvisible', () => {
  it('writes out control and format characters, and leaves printable text of any script as it is', () => {
    expect(revealInvisible('invoice\u202Efdp.exe')).toBe('invoice[U+202E]fdp.exe');
    expect(revealInvisible('a\u200Bb\u2066c\uFEFF')).toBe('a[U+200B]b[U+2066]c[U+FEFF]');
    expect(revealInvisible('x\u0000\u0085\ty')).toBe('x[U+0000][U+0085][U+0009]y');
    expect(revealInvisible('wörld 日本 עברית 😀')).toBe('wörld 日本 עברית 😀');
  });
});
