/** Event identity against input it must survive (hostile, huge, odd) and the validation of a bin's own key options. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_JSON_PARSE_BYTES,
  MAX_KEY_LENGTH,
  MAX_TYPE_LENGTH,
  eventIdentity,
  eventIdentityOptionsSchema,
  eventKeyHeaderSchema,
  eventKeyPointerSchema,
  isHttpToken,
  isJsonPointer,
  parseJsonPointer,
  resolveJsonPointer,
  validateEventIdentityOptions,
} from '../../server/capture/event-identity.js';
import type { HeaderPair } from '../../server/common/types.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const EMPTY = new Uint8Array(0);
/** The documented fallback, computed independently of the module. */
const hashKey = (body: Uint8Array): string => `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
const json = (value: unknown): Buffer => utf8(JSON.stringify(value));

describe('hostile input', () => {
  it('a huge key header is capped, and two that share a long prefix stay apart', () => {
    const a = 'A'.repeat(1_000_000);
    const b = `${'A'.repeat(999_999)}B`;
    const ka = eventIdentity([['webhook-id', a]], EMPTY).key;
    const kb = eventIdentity([['webhook-id', b]], EMPTY).key;
    expect(ka.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(ka.startsWith('A'.repeat(150))).toBe(true);
    expect(ka).toMatch(/…sha256:[0-9a-f]{32}$/);
    expect(ka).not.toBe(kb);
    expect(eventIdentity([['webhook-id', a]], EMPTY).key).toBe(ka);
  });

  it('a key of exactly the cap is kept whole', () => {
    const v = 'k'.repeat(MAX_KEY_LENGTH);
    expect(eventIdentity([['webhook-id', v]], EMPTY).key).toBe(v);
    expect(eventIdentity([['webhook-id', `${v}k`]], EMPTY).key).not.toBe(v);
  });

  it('huge body ids and types are capped, never cutting a surrogate pair in half', () => {
    const id = eventIdentity([], json({ id: '🙂'.repeat(50_000), type: `x${'🙂'.repeat(50_000)}` }));
    expect(id.key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(id.type!.length).toBeLessThanOrEqual(MAX_TYPE_LENGTH);
    for (const s of [id.key, id.type!]) expect(Buffer.from(s, 'utf8').toString('utf8')).toBe(s); // no lone surrogate
  });

  it('a huge type header is capped', () => {
    expect(eventIdentity([['X-GitHub-Event', 'p'.repeat(100_000)]], EMPTY).type).toBe('p'.repeat(MAX_TYPE_LENGTH));
  });

  it('invalid JSON falls back to the hash', () => {
    for (const text of ['{"id":"evt_1"', '{id: "evt_1"}', '{"id":"evt_1"}}', "{'id':'evt_1'}"]) {
      const body = utf8(text);
      expect(eventIdentity([], body), text).toMatchObject({ key: hashKey(body), keySource: 'body-hash', type: null });
    }
  });

  it('invalid UTF-8 falls back to the hash, even when the JSON would otherwise parse', () => {
    const body = Buffer.concat([utf8('{"id":"evt_'), Buffer.from([0xff, 0xfe]), utf8('","type":"t"}')]);
    expect(eventIdentity([], body)).toEqual({ key: hashKey(body), type: null, keySource: 'body-hash', typeSource: null });
    const overlong = Buffer.concat([utf8('{"id":"'), Buffer.from([0xc0, 0xaf]), utf8('"}')]);
    expect(eventIdentity([], overlong).keySource).toBe('body-hash');
  });

  it('a body over the parse cap is hashed, not parsed, even with an id', () => {
    const pad = 'x'.repeat(MAX_JSON_PARSE_BYTES);
    const big = json({ id: 'evt_big', pad });
    expect(big.length).toBeGreaterThan(MAX_JSON_PARSE_BYTES);
    expect(eventIdentity([], big)).toMatchObject({ key: hashKey(big), keySource: 'body-hash', type: null });
    const fits = json({ id: 'evt_fits', pad: pad.slice(0, MAX_JSON_PARSE_BYTES - 100) });
    expect(fits.length).toBeLessThanOrEqual(MAX_JSON_PARSE_BYTES);
    expect(eventIdentity([], fits).key).toBe('evt_fits');
  });

  it('deeply nested JSON neither throws nor hides a top-level id', () => {
    const depth = 150_000;
    const deep = utf8(`{"id":"evt_deep","n":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(eventIdentity([], deep).key).toBe('evt_deep');
    const deepObjects = utf8(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    expect(() => eventIdentity([], deepObjects, { keyPointer: `${'/a'.repeat(depth - 1)}` })).not.toThrow();
    expect(eventIdentity([], deepObjects).keySource).toBe('body-hash');
  });

  it('__proto__ in the body is plain data: no inherited id or type, no pollution', () => {
    const body = utf8('{"__proto__":{"id":"evt_proto","type":"proto.type","polluted":true}}');
    expect(eventIdentity([], body)).toEqual({ key: hashKey(body), type: null, keySource: 'body-hash', typeSource: null });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // Named on purpose by a bin, an own __proto__ key is read like any other.
    expect(eventIdentity([], body, { keyPointer: '/__proto__/id' }).key).toBe('evt_proto');
  });

  it('pointers never reach Object.prototype or Array.prototype', () => {
    const body = json({ data: [1, 2], s: 'str' });
    for (const keyPointer of ['/constructor', '/constructor/name', '/toString', '/hasOwnProperty', '/data/length', '/s/length', '/data/constructor/name']) {
      expect(eventIdentity([], body, { keyPointer }), keyPointer).toMatchObject({ keySource: 'body-hash' });
    }
    expect(eventIdentity([], json({ constructor: 'ctor' }), { keyPointer: '/constructor' }).key).toBe('ctor');
  });

  it('only own properties count, even if something else polluted Object.prototype', () => {
    const body = json({ unrelated: 1 });
    Object.defineProperty(Object.prototype, 'id', { value: 'inherited', configurable: true, writable: true });
    Object.defineProperty(Object.prototype, 'type', { value: 'inherited.type', configurable: true, writable: true });
    try {
      expect(eventIdentity([], body)).toEqual({ key: hashKey(body), type: null, keySource: 'body-hash', typeSource: null });
      expect(eventIdentity([], body, { keyPointer: '/id' }).keySource).toBe('body-hash');
    } finally {
      delete (Object.prototype as Record<string, unknown>).id;
      delete (Object.prototype as Record<string, unknown>).type;
    }
  });

  it('ten thousand headers are scanned quickly and the first key header still wins', () => {
    const many: HeaderPair[] = Array.from({ length: 10_000 }, (_, i): HeaderPair => [`X-Junk-${i}`, 'v'.repeat(100)]);
    many.push(['svix-id', 'msg_last']);
    const started = performance.now();
    expect(eventIdentity(many, EMPTY).key).toBe('msg_last');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('option validation', () => {
  it('isJsonPointer follows RFC 6901', () => {
    for (const p of ['', '/', '/id', '/data/object/id', '/a~0b', '/a~1b', '/~01', '/0', '//', '/a b/é']) expect(isJsonPointer(p), p).toBe(true);
    for (const p of ['id', '#/id', '/~', '/~2', '/a~', 'data/id', ' /id']) expect(isJsonPointer(p), p).toBe(false);
  });

  it('parseJsonPointer unescapes ~1 before ~0', () => {
    expect(parseJsonPointer('')).toEqual([]);
    expect(parseJsonPointer('/')).toEqual(['']);
    expect(parseJsonPointer('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
    expect(parseJsonPointer('x')).toBeNull();
  });

  it('resolveJsonPointer follows RFC 6901 examples', () => {
    const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'm~n': 8, ' ': 7 };
    expect(resolveJsonPointer(doc, '')).toBe(doc);
    expect(resolveJsonPointer(doc, '/foo/0')).toBe('bar');
    expect(resolveJsonPointer(doc, '/')).toBe(0);
    expect(resolveJsonPointer(doc, '/a~1b')).toBe(1);
    expect(resolveJsonPointer(doc, '/m~0n')).toBe(8);
    expect(resolveJsonPointer(doc, '/ ')).toBe(7);
    expect(resolveJsonPointer(doc, '/foo/01')).toBeUndefined();
    expect(resolveJsonPointer(doc, '/foo/2')).toBeUndefined();
  });

  it('key header names must be HTTP tokens', () => {
    for (const name of ['X-Event-Id', 'x_id', "a!#$%&'*+.^_`|~-z"]) {
      expect(isHttpToken(name), name).toBe(true);
      expect(eventKeyHeaderSchema.safeParse(name).success, name).toBe(true);
    }
    for (const name of ['', 'X Event', 'X-Id:', 'é', 'x\r\ny', '(id)', 'a'.repeat(257)]) expect(eventKeyHeaderSchema.safeParse(name).success, name).toBe(false);
  });

  it('key pointers must be JSON pointers', () => {
    expect(eventKeyPointerSchema.safeParse('/data/object/id').success).toBe(true);
    expect(eventKeyPointerSchema.safeParse('').success).toBe(true);
    expect(eventKeyPointerSchema.safeParse('data.object.id').success).toBe(false);
    expect(eventKeyPointerSchema.safeParse('/a~2').success).toBe(false);
    expect(eventKeyPointerSchema.safeParse(`/${'a'.repeat(1024)}`).success).toBe(false);
  });

  it('the options schema takes both, nulls, nothing; not unknown keys or wrong types', () => {
    expect(eventIdentityOptionsSchema.safeParse({}).success).toBe(true);
    expect(eventIdentityOptionsSchema.safeParse({ keyHeader: null, keyPointer: null }).success).toBe(true);
    expect(eventIdentityOptionsSchema.safeParse({ keyHeader: 'X-Id', keyPointer: '/id' }).success).toBe(true);
    expect(eventIdentityOptionsSchema.safeParse({ keyheader: 'X-Id' }).success).toBe(false);
    expect(eventIdentityOptionsSchema.safeParse({ keyPointer: 5 }).success).toBe(false);
  });

  it('validateEventIdentityOptions answers null or one sentence naming the field', () => {
    expect(validateEventIdentityOptions({ keyPointer: '/id' })).toBeNull();
    expect(validateEventIdentityOptions({ keyPointer: 'id' })).toMatch(/^keyPointer: a key pointer must be a JSON pointer/);
    expect(validateEventIdentityOptions({ keyHeader: 'X Id' })).toMatch(/^keyHeader: .*HTTP token/);
    expect(validateEventIdentityOptions('nope')).toMatch(/^options: /);
  });
});
