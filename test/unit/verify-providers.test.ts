/**
 * The schemes that sign more than the body, cross-checked with the
 * providers' own libraries both ways: Twilio (the URL and form parameters),
 * Discord (Ed25519, the secret a public key) and Mailgun (inside the body).
 */
import { createHash, createHmac, generateKeyPairSync, sign as edSign } from 'node:crypto';
import { verifyKey } from 'discord-interactions';
import twilioLib from 'twilio';
import { describe, expect, it } from 'vitest';
import { diagnose, schemeById, verifySignatures, type HeaderPair, type Scheme, type SchemeId, type VerifyInput } from '../../server/verify/index.js';

const NOW = 1_767_225_600;

function scheme(id: SchemeId): Scheme {
  return schemeById(id)!;
}

describe('twilio', () => {
  const s = scheme('twilio');
  const token = '12345678901234567890123456789012';
  const url = 'https://abc.tunnel.example/b/sms?x=1';
  const form = 'To=%2B15550001111&From=%2B15550002222&Body=Hello+%C3%A9+world&MessageSid=SM123&SmsSid=SM123&AccountSid=AC1';
  const params = Object.fromEntries(new URLSearchParams(form));
  const formHeaders: HeaderPair[] = [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'], ['Host', '127.0.0.1:7777']];
  const input = (headers: HeaderPair[], body: string, at = url): VerifyInput => ({ headers, body: Buffer.from(body), now: NOW, method: 'POST', url: at });

  it("accepts Twilio's own signature of a form POST (getExpectedTwilioSignature), with and without the default port", () => {
    const sig = twilioLib.getExpectedTwilioSignature(token, url, params);
    expect(s.verify(input([...formHeaders, ['X-Twilio-Signature', sig]], form), token)).toEqual({ status: 'valid' });
    const withPort = twilioLib.getExpectedTwilioSignature(token, 'https://abc.tunnel.example:443/b/sms?x=1', params);
    expect(s.verify(input([...formHeaders, ['X-Twilio-Signature', withPort]], form), token).status).toBe('valid');
  });

  it("signs what Twilio's validateRequest and validateRequestWithBody accept", () => {
    const [[name, sig]] = s.sign({ body: Buffer.from(form), secret: token, now: NOW, url, method: 'POST' }) as [HeaderPair];
    expect(name).toBe('X-Twilio-Signature');
    expect(twilioLib.validateRequest(token, sig, url, params)).toBe(true);
    const json = '{"event":"call.completed","CallSid":"CA1"}';
    const jsonUrl = `https://abc.tunnel.example/b/voice?bodySHA256=${createHash('sha256').update(json).digest('hex')}`;
    const [[, jsonSig]] = s.sign({ body: Buffer.from(json), secret: token, now: NOW, url: jsonUrl }) as [HeaderPair];
    expect(twilioLib.validateRequestWithBody(token, jsonSig, jsonUrl, json)).toBe(true);
    const jsonHeaders: HeaderPair[] = [['Content-Type', 'application/json'], ['X-Twilio-Signature', jsonSig]];
    expect(s.verify(input(jsonHeaders, json, jsonUrl), token).status).toBe('valid');
    // The body no longer matches its bodySHA256.
    expect(s.verify(input(jsonHeaders, json.replace('1', '2'), jsonUrl), token).status).toBe('invalid');
  });

  it('a changed parameter, another URL or another token is invalid; a signature that is no SHA-1 in base64 is malformed', () => {
    const sig = twilioLib.getExpectedTwilioSignature(token, url, params);
    const headers: HeaderPair[] = [...formHeaders, ['X-Twilio-Signature', sig]];
    expect(s.verify(input(headers, form.replace('Hello', 'Hullo')), token).status).toBe('invalid');
    expect(s.verify(input(headers, form, 'http://127.0.0.1:7777/b/sms?x=1'), token).status).toBe('invalid');
    expect(s.verify(input(headers, form), `${token}x`).status).toBe('invalid');
    const bad = s.verify(input([...formHeaders, ['X-Twilio-Signature', 'abc!']], form), token);
    expect(bad.status).toBe('malformed');
    expect(bad.message).toMatch(/X-Twilio-Signature is not a SHA1 HMAC in base64 \(base64 of 20 bytes\)/);
    expect(() => s.sign({ body: Buffer.from(form), secret: token, now: NOW })).toThrow(/needs the URL/);
  });

  it('diagnoses a URL signed elsewhere: "signed for https://… but received at …; start hookbin with --public-url"', () => {
    const sig = twilioLib.getExpectedTwilioSignature(token, 'https://abc.tunnel.example/b/sms', params);
    // The tunnel forwarded its host, but hookbin was not told to trust it.
    const headers: HeaderPair[] = [...formHeaders, ['X-Forwarded-Host', 'abc.tunnel.example'], ['X-Forwarded-Proto', 'https'], ['X-Twilio-Signature', sig]];
    const got = diagnose(input(headers, form, 'http://127.0.0.1:7777/b/sms'), 'twilio', [{ name: 'auth', value: token }]);
    expect(got).toBe(
      'The signature matches secret "auth" for another URL: Twilio signed for https://abc.tunnel.example/b/sms but it was received at http://127.0.0.1:7777/b/sms; start hookbin with --public-url https://abc.tunnel.example.',
    );
    // Nothing says where it was signed: the sentence still points at --public-url.
    const blind = diagnose(input([...formHeaders, ['X-Twilio-Signature', sig]], form, 'http://127.0.0.1:7777/b/sms'), 'twilio', [{ name: 'auth', value: token }]);
    expect(blind).toMatch(/hookbin checked http:\/\/127\.0\.0\.1:7777\/b\/sms: if Twilio posts to a tunnel, start hookbin with --public-url/);
  });
});

describe('discord', () => {
  const s = scheme('discord');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicHex = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
  const privateHex = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).subarray(-32).toString('hex') + publicHex;
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const body = '{"type":1,"id":"123","application_id":"456"}';
  const ts = String(NOW);
  const theirs = edSign(null, Buffer.from(ts + body), privateKey).toString('hex');
  const req = (sig: string, b = body): VerifyInput => ({
    headers: [['X-Signature-Ed25519', sig], ['X-Signature-Timestamp', ts]],
    body: Buffer.from(b),
    now: NOW,
  });

  it('accepts a signature made as Discord makes it (Ed25519 over timestamp + body), keyed by the public key in hex', async () => {
    expect(s.verify(req(theirs), publicHex)).toEqual({ status: 'valid' });
    expect(await verifyKey(body, theirs, ts, publicHex)).toBe(true);
    // The private key verifies too: its public key is derived.
    expect(s.verify(req(theirs), privateHex).status).toBe('valid');
    expect(s.verify(req(theirs), privatePem).status).toBe('valid');
  });

  it("signs with a private key what discord-interactions' verifyKey accepts", async () => {
    for (const secret of [privateHex, privatePem]) {
      const headers = s.sign({ body: Buffer.from(body), secret, now: NOW + 5 });
      const sig = headers.find(([n]) => n === 'X-Signature-Ed25519')![1];
      const stamp = headers.find(([n]) => n === 'X-Signature-Timestamp')![1];
      expect(await verifyKey(body, sig, stamp, publicHex)).toBe(true);
      expect(s.verify({ headers, body: Buffer.from(body), now: NOW }, publicHex).status).toBe('valid');
    }
    expect(() => s.sign({ body: Buffer.from(body), secret: publicHex, now: NOW })).toThrow(/a public key only verifies; to sign, give the private key/);
  });

  it('a changed body or another key is invalid; a signature of the wrong length is malformed', () => {
    expect(s.verify(req(theirs, body.replace('1', '2')), publicHex).status).toBe('invalid');
    const other = (generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
    expect(s.verify(req(theirs), other).status).toBe('invalid');
    const short = s.verify(req(theirs.slice(0, 64)), publicHex);
    expect(short.status).toBe('malformed');
    expect(short.message).toMatch(/is not an Ed25519 signature in hex \(128 hex digits\)/);
    expect(s.verify({ headers: [['X-Signature-Ed25519', theirs]], body: Buffer.from(body), now: NOW }, publicHex).message).toMatch(/X-Signature-Timestamp is missing/);
  });

  it('diagnoses a secret that is no public key (the client secret pasted instead), naming the public key', () => {
    const got = diagnose(req(theirs), 'discord', [{ name: 'app', value: 'Zx9aQ3-clientsecret-Lm0PqRsT7uVw' }]);
    expect(got).toBe(
      'Secret "app" is not an Ed25519 public key (not hex): Discord signs with the application\'s key pair, so give the Public Key from the Developer Portal\'s General Information page, not the client secret or the bot token.',
    );
    expect(diagnose(req(theirs), 'discord', [{ name: 'short', value: publicHex.slice(0, 40) }])).toMatch(/\(40 hex digits, not 64 \(32 bytes\)\)/);
    expect(verifySignatures(req(theirs), [{ name: 'short', value: 'abcd' }])[0]).toMatchObject({ scheme: 'discord', status: 'invalid' });
  });
});

describe('mailgun', () => {
  const s = scheme('mailgun');
  const key = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
  const timestamp = '1529006854';
  const token = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0';
  const signed = createHmac('sha256', key).update(timestamp + token).digest('hex');
  const body = (sig = signed, tok = token) =>
    Buffer.from(JSON.stringify({ signature: { timestamp, token: tok, signature: sig }, 'event-data': { event: 'delivered', id: 'CPgfbmQMTCKtHW6uIWtuVe' } }));
  const req = (b: Buffer): VerifyInput => ({ headers: [['Content-Type', 'application/json']], body: b, now: NOW });

  it('finds the signature in the body and verifies the HMAC of timestamp + token, as Mailgun documents it', () => {
    expect(verifySignatures(req(body()), [{ name: 'mg', value: key }])).toEqual([
      { scheme: 'mailgun', header: 'signature.signature', status: 'valid', secret: 'mg', diagnosis: null },
    ]);
  });

  it('another token, another key is invalid; a signature object without its token is malformed; other bodies are unsigned', () => {
    expect(s.verify(req(body(signed, `${token.slice(1)}0`)), key).status).toBe('invalid');
    expect(s.verify(req(body()), `${key}x`).status).toBe('invalid');
    const missing = s.verify(req(Buffer.from(JSON.stringify({ signature: { timestamp, signature: signed } }))), key);
    expect(missing).toMatchObject({ status: 'malformed', message: expect.stringMatching(/signature\.token is missing/) });
    expect(verifySignatures(req(Buffer.from('{"signature":"just text"}')), [])).toEqual([]);
    expect(verifySignatures(req(Buffer.from('not json "signature"')), [])).toEqual([]);
  });

  it('signs inside the body (signBody) what an independent HMAC checks, keeping the token across retries', () => {
    const event = Buffer.from('{"event-data":{"event":"opened"}}');
    const once = s.signBody!({ body: event, secret: key, now: NOW, id: 'delivery-1' });
    const again = s.signBody!({ body: event, secret: key, now: NOW, id: 'delivery-1' });
    expect(Buffer.from(again).equals(Buffer.from(once))).toBe(true);
    const sig = (JSON.parse(Buffer.from(once).toString()) as { signature: { timestamp: string; token: string; signature: string } }).signature;
    expect(sig.timestamp).toBe(String(NOW));
    expect(sig.signature).toBe(createHmac('sha256', key).update(sig.timestamp + sig.token).digest('hex'));
    expect(s.verify(req(Buffer.from(once)), key).status).toBe('valid');
    expect(() => s.signBody!({ body: Buffer.from('a=1'), secret: key, now: NOW })).toThrow(/not JSON/);
  });

  it('diagnoses a wrong key as for any HMAC: the secrets tried', () => {
    expect(diagnose(req(body()), 'mailgun', [{ name: 'old', value: 'key-other' }])).toMatch(/^The signature was not made with secret "old"/);
  });
});
