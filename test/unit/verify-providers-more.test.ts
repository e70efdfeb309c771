/**
 * Square (URL + body, SHA-256 or the older SHA-1 header), HubSpot v3
 * (method + decoded URL + body + timestamp in ms) and SendGrid (ECDSA P-256,
 * the secret a public key). Square's and HubSpot's libraries are not
 * installed: their signatures are computed here by hand with node:crypto,
 * following each provider's documented recipe. SendGrid is cross-checked
 * both ways with @sendgrid/eventwebhook.
 */
import { createHmac, generateKeyPairSync, sign as ecSign } from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { describe, expect, it } from 'vitest';
import { diagnose, schemeById, verifySignatures, type HeaderPair, type Scheme, type SchemeId, type VerifyInput } from '../../server/verify/index.js';

const NOW = 1_767_225_600;

function scheme(id: SchemeId): Scheme {
  return schemeById(id)!;
}

describe('square', () => {
  const s = scheme('square');
  const key = 'Qz7bXv2mJd9hP1sK8wRt4A';
  const url = 'https://abc.tunnel.example/b/square';
  const body = '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.created","event_id":"13b867cf-db3d-4b1c-90b6-2f32a9d78124","data":{"type":"payment","id":"KkAkhdMsgzn59SM8A89WgKwekxLZY"}}';
  const sha256 = createHmac('sha256', key).update(url + body).digest('base64');
  const sha1 = createHmac('sha1', key).update(url + body).digest('base64');
  const req = (headers: HeaderPair[], at = url, b = body): VerifyInput => ({ headers, body: Buffer.from(b), now: NOW, method: 'POST', url: at });

  it('accepts base64 HMAC-SHA256 of the notification URL + body, keyed by the signature key, as Square documents it', () => {
    expect(verifySignatures(req([['x-square-hmacsha256-signature', sha256]]), [{ name: 'sq', value: key }])).toEqual([
      { scheme: 'square', header: 'x-square-hmacsha256-signature', status: 'valid', secret: 'sq', diagnosis: null },
    ]);
  });

  it('checks the older x-square-signature (SHA-1) only when the SHA-256 header is absent, and the verdict names the header checked', () => {
    expect(verifySignatures(req([['x-square-signature', sha1]]), [{ name: 'sq', value: key }])[0]).toMatchObject({ header: 'x-square-signature', status: 'valid' });
    // Both present: the SHA-256 one decides, even when only the SHA-1 one matches.
    const both = verifySignatures(req([['x-square-signature', sha1], ['x-square-hmacsha256-signature', sha1.slice(0, -4) + 'AAA=']]), [{ name: 'sq', value: key }]);
    expect(both[0]).toMatchObject({ header: 'x-square-hmacsha256-signature' });
    expect(both[0]!.status).not.toBe('valid');
  });

  it('signs what the by-hand recipe computes; a changed body, another URL or another key is invalid', () => {
    expect(s.sign({ body: Buffer.from(body), secret: key, now: NOW, url, method: 'POST' })).toEqual([['x-square-hmacsha256-signature', sha256]]);
    const headers: HeaderPair[] = [['x-square-hmacsha256-signature', sha256]];
    expect(s.verify(req(headers, url, body.replace('payment.created', 'payment.updated')), key).status).toBe('invalid');
    expect(s.verify(req(headers, 'http://127.0.0.1:7777/b/square'), key).status).toBe('invalid');
    expect(s.verify(req(headers), `${key}x`).status).toBe('invalid');
    expect(() => s.sign({ body: Buffer.from(body), secret: key, now: NOW })).toThrow(/needs the notification URL/);
  });

  it('diagnoses a URL signed elsewhere, naming --public-url', () => {
    const headers: HeaderPair[] = [['Host', '127.0.0.1:7777'], ['X-Forwarded-Host', 'abc.tunnel.example'], ['x-square-hmacsha256-signature', sha256]];
    expect(diagnose(req(headers, 'http://127.0.0.1:7777/b/square'), 'square', [{ name: 'sq', value: key }])).toBe(
      'The signature matches secret "sq" for another URL: Square signed for https://abc.tunnel.example/b/square but it was received at http://127.0.0.1:7777/b/square; start hookbin with --public-url https://abc.tunnel.example.',
    );
    const blind = diagnose(req([['x-square-hmacsha256-signature', sha256]], 'http://127.0.0.1:7777/b/square'), 'square', [{ name: 'sq', value: key }]);
    expect(blind).toMatch(/Square signs the exact URL it was given and hookbin checked http:\/\/127\.0\.0\.1:7777\/b\/square: if Square posts to a tunnel, start hookbin with --public-url/);
  });
});

describe('hubspot', () => {
  const s = scheme('hubspot');
  const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
  const ms = String(NOW * 1000 - 20_000);
  const body = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"appId":54321,"occurredAt":1767225580000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeFlag":"CREATED","changeSource":"CRM"}]';
  // As HubSpot documents v3: method + URI + body + timestamp, the URI with %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A, %2C, %3B decoded.
  const sent = 'https://abc.tunnel.example/b/hub?from=a%40b.example&next=%2Fx%3Fy&keep=%20%25';
  const signedUrl = 'https://abc.tunnel.example/b/hub?from=a@b.example&next=/x?y&keep=%20%25';
  const byHand = (u: string, t = ms, b = body) => createHmac('sha256', secret).update(`POST${u}${b}${t}`).digest('base64');
  const req = (sig: string, at = sent, t = ms, b = body, extra: HeaderPair[] = []): VerifyInput => ({
    headers: [...extra, ['X-HubSpot-Signature-v3', sig], ['X-HubSpot-Request-Timestamp', t]],
    body: Buffer.from(b),
    now: NOW,
    method: 'POST',
    url: at,
  });

  it('accepts base64 HMAC-SHA256 of method + decoded URL + body + timestamp, as HubSpot documents v3', () => {
    expect(s.verify(req(byHand(signedUrl)), secret)).toEqual({ status: 'valid', skewSeconds: 20 });
    // The escapes HubSpot does not list (%20, %25) stay as they are.
    expect(s.verify(req(byHand(sent)), secret).status).toBe('invalid');
  });

  it('signs what the by-hand recipe computes, with a millisecond timestamp', () => {
    const headers = s.sign({ body: Buffer.from(body), secret, now: NOW, url: sent, method: 'POST' });
    const stamp = headers.find(([n]) => n === 'X-HubSpot-Request-Timestamp')![1];
    expect(stamp).toBe(String(NOW * 1000));
    expect(headers.find(([n]) => n === 'X-HubSpot-Signature-v3')![1]).toBe(byHand(signedUrl, stamp));
    expect(s.verify({ headers, body: Buffer.from(body), now: NOW, method: 'POST', url: sent }, secret).status).toBe('valid');
  });

  it('a timestamp more than 5 minutes old is expired; another method, body or secret is invalid; seconds for milliseconds is malformed', () => {
    const old = String(NOW * 1000 - 301_000);
    expect(s.verify(req(byHand(signedUrl, old), sent, old), secret)).toMatchObject({ status: 'expired', skewSeconds: 301 });
    expect(diagnose(req(byHand(signedUrl, old), sent, old), 'hubspot', [{ name: 'hs', value: secret }])).toBe(
      'The HMAC matches secret "hs" but the request was signed 301 s ago, over the 300 s tolerance.',
    );
    expect(s.verify({ ...req(byHand(signedUrl)), method: 'PUT' }, secret).status).toBe('invalid');
    expect(s.verify(req(byHand(signedUrl), sent, ms, body.replace('123', '124')), secret).status).toBe('invalid');
    expect(s.verify(req(byHand(signedUrl)), `${secret}x`).status).toBe('invalid');
    const secs = String(NOW);
    expect(s.verify(req(byHand(signedUrl, secs), sent, secs), secret)).toMatchObject({ status: 'malformed', message: expect.stringMatching(/looks like seconds \(10 digits\), and HubSpot sends milliseconds/) });
  });

  it('a timestamp ahead of the clock is accepted, however far, as HubSpot\'s rule refuses only old ones (like Stripe\'s and Slack\'s)', () => {
    const ahead = String(NOW * 1000 + 3_600_000);
    expect(s.verify(req(byHand(signedUrl, ahead), sent, ahead), secret)).toEqual({ status: 'valid', skewSeconds: -3600 });
  });

  it("diagnoses a sender that skipped HubSpot's URL decoding, and a URL signed elsewhere naming --public-url", () => {
    expect(diagnose(req(byHand(sent)), 'hubspot', [{ name: 'hs', value: secret }])).toBe(
      `The signature matches secret "hs" over the URL with its percent-escapes as sent (${sent}): HubSpot decodes %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A, %2C and %3B before signing, so the sender should sign ${signedUrl}.`,
    );
    const local = 'http://127.0.0.1:7777/b/hub';
    const tunnel = byHand('https://abc.tunnel.example/b/hub');
    expect(diagnose(req(tunnel, local, ms, body, [['Host', '127.0.0.1:7777'], ['X-Forwarded-Host', 'abc.tunnel.example']]), 'hubspot', [{ name: 'hs', value: secret }])).toBe(
      'The signature matches secret "hs" for another URL: HubSpot signed for https://abc.tunnel.example/b/hub but it was received at http://127.0.0.1:7777/b/hub; start hookbin with --public-url https://abc.tunnel.example.',
    );
  });
});

describe('sendgrid', () => {
  const s = scheme('sendgrid');
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // As SendGrid shows the verification key: base64 of the DER SPKI.
  const verification = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const privateB64 = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString('base64');
  const body = '[{"email":"ada@example.com","timestamp":1767225590,"event":"delivered","sg_event_id":"ZGVsaXZlcmVkLTAtMzE0","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"}]\r\n';
  const ts = String(NOW);
  // As SendGrid signs: ECDSA P-256 / SHA-256 over timestamp + body, DER, base64.
  const theirs = ecSign('sha256', Buffer.from(ts + body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
  const req = (sig: string, b = body): VerifyInput => ({
    headers: [['X-Twilio-Email-Event-Webhook-Signature', sig], ['X-Twilio-Email-Event-Webhook-Timestamp', ts]],
    body: Buffer.from(b),
    now: NOW,
  });
  const lib = new EventWebhook();

  it('accepts a DER signature made as SendGrid makes it, keyed by the base64 verification key; @sendgrid/eventwebhook agrees', () => {
    expect(s.verify(req(theirs), verification)).toEqual({ status: 'valid' });
    expect(lib.verifySignature(lib.convertPublicKeyToECDSA(verification), body, theirs, ts)).toBe(true);
    // The private key verifies too: its public key is derived.
    expect(s.verify(req(theirs), privatePem).status).toBe('valid');
    expect(s.verify(req(theirs), privateB64).status).toBe('valid');
    expect(s.verify(req(theirs), publicKey.export({ format: 'pem', type: 'spki' }) as string).status).toBe('valid');
  });

  it("signs with a private key what @sendgrid/eventwebhook's verifySignature accepts; a public key alone refuses to sign", () => {
    for (const secret of [privatePem, privateB64, privateKey.export({ format: 'pem', type: 'sec1' }) as string]) {
      const headers = s.sign({ body: Buffer.from(body), secret, now: NOW + 5 });
      const sig = headers.find(([n]) => n === 'X-Twilio-Email-Event-Webhook-Signature')![1];
      const stamp = headers.find(([n]) => n === 'X-Twilio-Email-Event-Webhook-Timestamp')![1];
      expect(lib.verifySignature(lib.convertPublicKeyToECDSA(verification), body, sig, stamp)).toBe(true);
      expect(s.verify({ headers, body: Buffer.from(body), now: NOW }, verification).status).toBe('valid');
    }
    expect(() => s.sign({ body: Buffer.from(body), secret: verification, now: NOW })).toThrow(/a verification \(public\) key only verifies; to sign, give a P-256 private key/);
  });

  it('a changed body or another key is invalid; a signature that is no DER is malformed', () => {
    expect(s.verify(req(theirs, body.replace('delivered', 'bounce')), verification).status).toBe('invalid');
    const other = (generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');
    expect(s.verify(req(theirs), other).status).toBe('invalid');
    const raw = s.verify(req(Buffer.alloc(64, 7).toString('base64')), verification);
    expect(raw).toMatchObject({ status: 'malformed', message: expect.stringMatching(/is not an ECDSA P-256 signature in base64 \(base64 of a DER SEQUENCE of two integers, at most 72 bytes\)/) });
    expect(s.verify({ headers: [['X-Twilio-Email-Event-Webhook-Signature', theirs]], body: Buffer.from(body), now: NOW }, verification).message).toMatch(/X-Twilio-Email-Event-Webhook-Timestamp is missing/);
  });

  it('diagnoses a secret that is no P-256 verification key: the API key, a key on another curve', () => {
    expect(diagnose(req(theirs), 'sendgrid', [{ name: 'sg', value: 'SG.abcdefghijklmnop.qrstuvwxyz0123456789' }])).toBe(
      'Secret "sg" is not a P-256 verification key (it is a SendGrid API key): SendGrid signs with an ECDSA key pair, so give the Verification Key shown under Mail Settings → Signed Event Webhook (base64), not the API key.',
    );
    const p384 = (generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');
    expect(diagnose(req(theirs), 'sendgrid', [{ name: 'k', value: p384 }])).toMatch(/\(it is an EC key on secp384r1, not P-256\)/);
    expect(verifySignatures(req(theirs), [{ name: 'k', value: p384 }])[0]).toMatchObject({ scheme: 'sendgrid', status: 'invalid' });
  });
});
