/**
 * Users' own schemes, pure: every rule of a definition with its sentence,
 * template parsing and rendering, sign/verify for every algorithm ×
 * encoding, tamper, tolerance, and the diagnosis of the common mistakes.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEME_IDS, checkCustomScheme, checkCustomSchemes, mergeSchemes, parseTemplate, type CustomSchemeDef } from '../../server/common/custom-scheme.js';
import { customDiagnose, customSign, customVerify, renderSigned, type CustomInput } from '../../server/verify/custom.js';
import { SCHEMES, verifySignatures } from '../../server/verify/index.js';

const ACME: CustomSchemeDef = {
  id: 'acme',
  header: 'X-Acme-Signature',
  algorithm: 'sha512',
  encoding: 'base64',
  prefix: 'v1=',
  signed: '{timestamp}.{body}',
  timestampHeader: 'X-Acme-Timestamp',
  toleranceSec: 300,
};
const NOW = 1_800_000_000;
const SECRETS = [{ name: 'acme-key', value: 's3cret' }];
const body = Buffer.from('{"event":"order.paid"}');

function request(def: CustomSchemeDef, secret = 's3cret', over: Partial<CustomInput> = {}): CustomInput {
  const base = { method: 'POST', url: 'http://127.0.0.1:8080/b/abc/hook?x=1', body, now: NOW, headers: [['Host', '127.0.0.1:8080']] as [string, string][] };
  const signed = customSign(def, base, secret);
  return { ...base, headers: [...base.headers, ...signed], ...over };
}

describe('definition rules', () => {
  it('accepts the issue example and a minimal scheme', () => {
    expect(checkCustomScheme(ACME)).toBeNull();
    expect(checkCustomScheme({ id: 'b', header: 'X-Sig', algorithm: 'sha1', encoding: 'hex', signed: '{body}' })).toBeNull();
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'acme', /a scheme is an object/],
    ['unknown key', { ...ACME, secret: 'x' }, /unknown key "secret"/],
    ['bad id', { ...ACME, id: 'Acme' }, /id is 1–32 of a-z, 0-9 and -, starting with a letter/],
    ['long id', { ...ACME, id: 'a'.repeat(33) }, /id is 1–32/],
    ['built-in id', { ...ACME, id: 'stripe' }, /scheme "stripe": id "stripe" is a built-in scheme/],
    ['reserved coming id', { ...ACME, id: 'twilio' }, /is a built-in scheme/],
    ['bad header', { ...ACME, header: 'X Acme' }, /header is a header name/],
    ['bad algorithm', { ...ACME, algorithm: 'md5' }, /algorithm is sha1, sha256 or sha512/],
    ['bad encoding', { ...ACME, encoding: 'base32' }, /encoding is hex or base64/],
    ['prefix with CR', { ...ACME, prefix: 'v1\r' }, /prefix is text of at most 64 characters, without CR, LF or NUL/],
    ['empty template', { ...ACME, signed: '' }, /signed is a template of 1–500 characters/],
    ['long template', { ...ACME, signed: '{body}'.padEnd(501, 'x') }, /1–500 characters/],
    ['unknown placeholder', { ...ACME, signed: '{timestamp}.{payload}' }, /unknown placeholder \{payload\}/],
    ['unclosed brace', { ...ACME, signed: '{body' }, /"\{" that is never closed/],
    // The sender chooses the body's size (up to --max-body): a template naming it many times would multiply the work and memory of every check.
    ['body twice', { ...ACME, signed: '{body}.{body}' }, /"signed" may name \{body\} only once/],
    ['bad header placeholder', { ...ACME, signed: '{header:X Y}' }, /unknown placeholder \{header:X Y\}/],
    ['bad timestamp header', { ...ACME, timestampHeader: 'a:b' }, /timestampHeader is a header name/],
    ['timestamp without header', { id: 'b', header: 'X-Sig', algorithm: 'sha1', encoding: 'hex', signed: '{timestamp}{body}' }, /\{timestamp\} needs timestampHeader/],
    ['tolerance 0', { ...ACME, toleranceSec: 0 }, /toleranceSec is a whole number of seconds, 1–86400/],
    ['tolerance too big', { ...ACME, toleranceSec: 86_401 }, /1–86400/],
    ['tolerance not whole', { ...ACME, toleranceSec: 1.5 }, /1–86400/],
    ['tolerance without header', { id: 'b', header: 'X-Sig', algorithm: 'sha1', encoding: 'hex', signed: '{body}', toleranceSec: 5 }, /toleranceSec needs timestampHeader/],
  ];
  it.each(bad)('refuses %s with a clear sentence', (_what, def, message) => {
    expect(checkCustomScheme(def)).toMatch(message);
  });

  it('refuses lists that are too long, not arrays, or repeat an id', () => {
    expect(checkCustomSchemes({})).toMatch(/array/);
    expect(checkCustomSchemes(Array.from({ length: 21 }, (_, i) => ({ ...ACME, id: `s${i}` })))).toMatch(/at most 20 schemes/);
    expect(checkCustomSchemes([ACME, ACME])).toMatch(/"acme" is defined twice/);
    expect(checkCustomSchemes([ACME])).toBeNull();
  });

  it('reserves every built-in id, present and coming', () => {
    for (const id of ['github', 'slack', 'paddle', 'zoom', 'linear', 'typeform', 'calendly', 'vercel', 'bitbucket', 'twilio', 'discord', 'mailgun', 'square', 'hubspot', 'sendgrid']) {
      expect(BUILT_IN_SCHEME_IDS).toContain(id);
    }
    // Every scheme the registry has, so a user's scheme can never shadow one added later without this list.
    for (const scheme of SCHEMES) expect(BUILT_IN_SCHEME_IDS).toContain(scheme.id);
  });

  it("lets a bin's own scheme win over a global one of the same id", () => {
    const global = { ...ACME, header: 'X-Global' };
    expect(mergeSchemes([ACME], [global, { ...ACME, id: 'other' }]).map((s) => [s.id, s.header])).toEqual([
      ['acme', 'X-Acme-Signature'],
      ['other', 'X-Acme-Signature'],
    ]);
  });
});

describe('templates', () => {
  it('parses placeholders and literal text', () => {
    expect(parseTemplate('v0:{method} {url}|{header:X-Id}|{timestamp}.{body}}')).toEqual([
      { kind: 'text', text: 'v0:' },
      { kind: 'method' },
      { kind: 'text', text: ' ' },
      { kind: 'url' },
      { kind: 'text', text: '|' },
      { kind: 'header', name: 'X-Id' },
      { kind: 'text', text: '|' },
      { kind: 'timestamp' },
      { kind: 'text', text: '.' },
      { kind: 'body' },
      { kind: 'text', text: '}' },
    ]);
  });

  it('renders the parts in order, the raw body bytes untouched', () => {
    const parts = parseTemplate('{method}\n{url}\n{header:x-id}\n{timestamp}\n{body}') as ReturnType<typeof parseTemplate> & object[];
    const raw = Buffer.from([0xff, 0x00, 0x41]);
    const out = renderSigned(parts as never, { method: 'post', url: 'http://h/b/x', headers: [['X-Id', 'evt_1']], body: raw }, '123');
    expect(out).toEqual(Buffer.concat([Buffer.from('POST\nhttp://h/b/x\nevt_1\n123\n'), raw]));
  });

  it('says which header is missing', () => {
    const parts = parseTemplate('{header:X-Id}{body}');
    expect(renderSigned(parts as never, { method: 'POST', url: '', headers: [], body }, '')).toBe('the X-Id header the scheme signs is missing');
  });

  it('renders a huge header linearly (the header block is bounded upstream)', () => {
    const parts = parseTemplate('{header:X-Big}.'.repeat(30));
    const big = 'a'.repeat(16 * 1024);
    const out = renderSigned(parts as never, { method: 'POST', url: '', headers: [['X-Big', big]], body }, '');
    expect((out as Buffer).length).toBe(30 * (big.length + 1));
  });
});

describe('sign and verify', () => {
  for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
    for (const encoding of ['hex', 'base64'] as const) {
      it(`round-trips ${algorithm} ${encoding}, and refuses a tampered body or a wrong secret`, () => {
        const def: CustomSchemeDef = { ...ACME, algorithm, encoding };
        const req = request(def);
        expect(customVerify(def, req, SECRETS)).toEqual({ status: 'valid', secret: 'acme-key', message: null, skewSeconds: 0 });
        expect(customVerify(def, { ...req, body: Buffer.from('{"event":"order.paid "}') }, SECRETS).status).toBe('invalid');
        expect(customVerify(def, req, [{ name: 'other', value: 'nope' }]).status).toBe('invalid');
      });
    }
  }

  it('matches an HMAC computed independently of the engine', () => {
    const def: CustomSchemeDef = { id: 'plain', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', signed: '{method} {url} {body}' };
    const req = request(def);
    const expected = createHmac('sha256', 's3cret').update(`POST http://127.0.0.1:8080/b/abc/hook?x=1 ${body}`).digest('hex');
    expect(req.headers.find(([n]) => n === 'X-Sig')?.[1]).toBe(expected);
  });

  it('signs with the timestamp header it writes', () => {
    const req = request(ACME);
    expect(req.headers.find(([n]) => n === 'X-Acme-Timestamp')?.[1]).toBe(String(NOW));
    expect(req.headers.find(([n]) => n === 'X-Acme-Signature')?.[1]).toMatch(/^v1=[A-Za-z0-9+/]+=*$/);
  });

  it('judges the tolerance both ways, and accepts any age without one', () => {
    const req = request(ACME);
    expect(customVerify(ACME, { ...req, now: NOW + 300 }, SECRETS).status).toBe('valid');
    const late = customVerify(ACME, { ...req, now: NOW + 301 }, SECRETS);
    // Worded as the built-in schemes' windows are, with the skew the verdict carries.
    expect(late).toEqual({ status: 'expired', secret: 'acme-key', message: 'signed 301 s ago, over the 300 s tolerance', skewSeconds: 301 });
    const ahead = customVerify(ACME, { ...req, now: NOW - 400 }, SECRETS);
    expect(ahead).toMatchObject({ status: 'expired', message: 'ahead by 400 s, over the 300 s allowed ahead', skewSeconds: -400 });
    const untimed = { ...ACME, toleranceSec: undefined };
    expect(customVerify(untimed, { ...request(untimed), now: NOW + 10 ** 6 }, SECRETS).status).toBe('valid');
  });

  it('is malformed without the prefix, the timestamp header or a digest of the right size', () => {
    const req = request(ACME);
    const without = (name: string) => req.headers.filter(([n]) => n !== name);
    expect(customVerify(ACME, { ...req, headers: without('X-Acme-Timestamp') }, SECRETS)).toMatchObject({ status: 'malformed', message: 'the timestamp header X-Acme-Timestamp is missing' });
    expect(customVerify(ACME, { ...req, headers: [...without('X-Acme-Signature'), ['X-Acme-Signature', 'abc']] }, SECRETS).message).toBe('X-Acme-Signature does not start with "v1="');
    expect(customVerify(ACME, { ...req, headers: [...without('X-Acme-Signature'), ['X-Acme-Signature', 'v1=abc']] }, SECRETS).message).toMatch(/not a base64 sha512 digest \(64 bytes\)/);
  });

  it('is no-secret when no secret applies', () => {
    expect(customVerify(ACME, request(ACME), []).status).toBe('no-secret');
  });

  it('joins the built-in verdicts through verifySignatures, restricted secrets included', () => {
    const req = request(ACME);
    // The request's own method and URL (the public one on the capture path) are what {url} and {method} stand for.
    expect(verifySignatures(req, [{ name: 'k', value: 's3cret', scheme: 'acme' }], [ACME])).toEqual([
      { scheme: 'acme', header: 'X-Acme-Signature', status: 'valid', secret: 'k', diagnosis: null, skewSeconds: 0 },
    ]);
    expect(verifySignatures(req, [{ name: 'k', value: 's3cret', scheme: 'github' }], [ACME])[0]!.status).toBe('no-secret');
  });
});

describe('diagnosis', () => {
  const replace = (req: CustomInput, name: string, value: string): CustomInput => ({ ...req, headers: req.headers.map(([n, v]) => [n, n === name ? value : v] as [string, string]) });

  it('says nothing of a valid signature', () => {
    expect(customDiagnose(ACME, request(ACME), SECRETS)).toBeNull();
  });

  it('finds the digest in the other encoding', () => {
    const hex: CustomSchemeDef = { ...ACME, encoding: 'hex' };
    const req = { ...request(hex), now: NOW };
    expect(customDiagnose(ACME, req, SECRETS)).toBe('X-Acme-Signature is hex, but the scheme says base64: the hex digest matches secret "acme-key".');
  });

  it('finds a missing prefix', () => {
    const req = request({ ...ACME, prefix: undefined });
    expect(customDiagnose(ACME, req, SECRETS)).toBe('X-Acme-Signature is missing the prefix "v1=": the digest after it matches secret "acme-key".');
  });

  it('finds the other encoding and a missing prefix whatever the case of the hex (digests compared as bytes, constant-time)', () => {
    const hexDef: CustomSchemeDef = { ...ACME, encoding: 'hex', prefix: undefined };
    const req = request(hexDef);
    const upper = replace(req, 'X-Acme-Signature', req.headers.find(([n]) => n === 'X-Acme-Signature')![1].toUpperCase());
    expect(customDiagnose(ACME, upper, SECRETS)).toBe('X-Acme-Signature is hex, but the scheme says base64: the hex digest matches secret "acme-key".');
    expect(customDiagnose({ ...hexDef, prefix: 'v1=' }, upper, SECRETS)).toBe('X-Acme-Signature is missing the prefix "v1=": the digest after it matches secret "acme-key".');
  });

  it('finds a digest of another algorithm', () => {
    const req = request({ ...ACME, algorithm: 'sha256' });
    expect(customDiagnose(ACME, req, SECRETS)).toBe('X-Acme-Signature holds a 32-byte digest, the size of sha256, but the scheme says sha512.');
  });

  it('says the timestamp header is missing', () => {
    const req = request(ACME);
    expect(customDiagnose(ACME, { ...req, headers: req.headers.filter(([n]) => n !== 'X-Acme-Timestamp') }, SECRETS)).toBe('Malformed signature: the timestamp header X-Acme-Timestamp is missing.');
  });

  it('says how far outside the tolerance', () => {
    expect(customDiagnose(ACME, { ...request(ACME), now: NOW + 900 }, SECRETS)).toBe(`The signature matches secret "acme-key", but it was signed 900 s ago, over the 300 s tolerance.`);
    // A timestamp ahead of the clock is the sender's clock running fast, never called expired in words.
    expect(customDiagnose(ACME, { ...request(ACME), now: NOW - 900 }, SECRETS)).toBe(
      `The signature matches secret "acme-key", but the request's timestamp is ahead by 900 s, over the 300 s allowed ahead: the sender's clock runs ahead of this machine's.`,
    );
  });

  it("finds the template's parts signed in another order", () => {
    const req = request({ ...ACME, signed: '{body}.{timestamp}' });
    expect(customDiagnose(ACME, req, SECRETS)).toBe('The sender signed the template\'s parts in another order: "{body}.{timestamp}" matches secret "acme-key", the scheme says "{timestamp}.{body}".');
  });

  it('names the secrets tried otherwise, never their values', () => {
    const req = replace(request(ACME, 'other-secret'), 'X-Other', '');
    const sentence = customDiagnose(ACME, req, SECRETS)!;
    expect(sentence).toMatch(/^Invalid signature: no secret matches \(tried "acme-key"\)/);
    expect(sentence).not.toContain('s3cret');
  });
});
