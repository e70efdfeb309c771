/**
 * Mailgun's signature is in the body, so its `detect` runs on every capture.
 * It first tests the body's bytes where they are (JSON whitespace, `{`, the
 * bytes of `"signature"`), and decodes and parses only a body that passes.
 * These hold that test to what parsing alone decides: the bodies it lets
 * through or stops, a body that is a view into a larger buffer, and
 * whitespace the JSON grammar does not allow.
 */
import { describe, expect, it } from 'vitest';
import { schemeById, type VerifyInput } from '../../server/verify/index.js';

const mailgun = schemeById('mailgun')!;
const SIG = { timestamp: '1529006854', token: 'tok', signature: 'ab'.repeat(32) };
const detect = (body: Uint8Array) => mailgun.detect([], { headers: [], body, now: 0 } satisfies VerifyInput);
const text = (s: string) => Buffer.from(s, 'utf8');

describe('mailgun detect', () => {
  it('finds a signature object after JSON whitespace, and anywhere in the object', () => {
    expect(detect(text(JSON.stringify({ signature: SIG })))).toBe('signature.signature');
    expect(detect(text(` \t\r\n${JSON.stringify({ 'event-data': { id: 'e' }, signature: SIG })}`))).toBe('signature.signature');
  });

  it('finds none where the body is not a JSON object carrying one', () => {
    for (const body of [
      '',
      '[{"signature":{}}]',
      '{"signature":"text"}',
      '{"signature":[1]}',
      '{"signature":null}',
      '{"signature":{}',
      '{"other":{"a":1}}',
      // A key written with an escape is not looked for (as before the byte test).
      '{"\\u0073ignature":{"timestamp":"1","token":"t","\\u0073ignature":"ab"}}',
      // Whitespace JSON does not allow: a BOM, a no-break space, a form feed.
      `\ufeff${JSON.stringify({ signature: SIG })}`,
      `\u00a0${JSON.stringify({ signature: SIG })}`,
      `\f${JSON.stringify({ signature: SIG })}`,
    ]) {
      expect(detect(text(body)), body).toBeNull();
    }
  });

  it('reads a body that is a view into a larger buffer by its own bytes only', () => {
    const inner = JSON.stringify({ signature: SIG });
    const whole = text(`"signature" {${inner}} {"signature":{}}`);
    const start = whole.indexOf(inner);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + start, Buffer.byteLength(inner));
    expect(detect(view)).toBe('signature.signature');
    // The bytes around a view that carries no signature do not lend it one.
    expect(detect(new Uint8Array(whole.buffer, whole.byteOffset + 12, 1))).toBeNull();
    expect(detect(whole.subarray(0, 11))).toBeNull();
  });

  it('parses a body with invalid UTF-8 in a string as before (decoded with replacement characters)', () => {
    const body = Buffer.concat([text('{"note":"'), Buffer.from([0xff, 0xfe]), text(`","signature":${JSON.stringify(SIG)}}`)]);
    expect(detect(body)).toBe('signature.signature');
  });
});
