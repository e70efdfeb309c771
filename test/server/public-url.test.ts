/**
 * The public URL through the real server: a Twilio SMS webhook signed for a
 * tunnel's URL is valid when hookbin knows that URL (`--public-url`, or
 * `--trust-proxy` with the tunnel's X-Forwarded-* headers), and invalid with
 * a diagnosis naming --public-url when it does not. Bin URLs in the API and
 * /api/info carry the public URL; the control plane's Host checks do not
 * follow forwarded headers. A user's own scheme that signs `{url}` is
 * judged against the same public URL.
 */
import { createHmac } from 'node:crypto';
import twilioLib from 'twilio';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Bin, Capture, CapturePage } from '../../server/common/types.js';
import { cleanupTempDirs, rawExchange, startServer, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const TOKEN = 'twilio-auth-token-0123456789abcdef';
const TUNNEL = 'https://abc-123.tunnel.example';
const FORM = 'ToCountry=US&To=%2B15550001111&From=%2B15550002222&Body=Hi+there%21&MessageSid=SM0123&SmsSid=SM0123&AccountSid=AC0123';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends the SMS webhook Twilio would send to `${TUNNEL}/b/{bin}/sms`, through a tunnel that adds `extra` headers; resolves to the capture. */
async function smsThroughTunnel(s: TestServer, extra: [string, string][] = []): Promise<Capture> {
  const target = `/b/${s.defaultBinId}/sms`;
  const signature = twilioLib.getExpectedTwilioSignature(TOKEN, `${TUNNEL}${target}`, Object.fromEntries(new URLSearchParams(FORM)));
  const res = await fetch(`${s.origin}${target}`, {
    method: 'POST',
    headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['X-Twilio-Signature', signature], ...extra],
    body: FORM,
  });
  expect(res.status).toBe(200);
  const id = res.headers.get('x-hookbin-capture-id')!;
  const capture = (await (await s.api(`/api/captures/${id}`)).json()) as Capture;
  // The verdict stored on the capture path agrees with the one computed for the detail.
  const page = (await (await s.api(`/api/bins/${s.defaultBinId}/captures?limit=1`)).json()) as CapturePage;
  expect(page.captures[0]).toMatchObject({ id, verdict: capture.signatures[0]!.status });
  return capture;
}

describe('a Twilio webhook through a tunnel', () => {
  it('is valid with --public-url set to the tunnel, and bin URLs and /api/info name it', async () => {
    server = await startServer({ publicUrl: TUNNEL, secrets: [{ name: 'twilio', value: TOKEN }] });
    const capture = await smsThroughTunnel(server);
    expect(capture.signatures).toEqual([{ scheme: 'twilio', header: 'X-Twilio-Signature', status: 'valid', secret: 'twilio', diagnosis: null }]);
    expect(server.binUrl).toBe(`${TUNNEL}/b/${server.defaultBinId}`);
    const bin = (await (await server.api(`/api/bins/${server.defaultBinId}`)).json()) as Bin;
    expect(bin.url).toBe(`${TUNNEL}/b/${server.defaultBinId}`);
    expect(((await (await server.api('/api/info')).json()) as { publicUrl: string | null }).publicUrl).toBe(TUNNEL);
  });

  it('is invalid without it, and the diagnosis says to start hookbin with --public-url', async () => {
    server = await startServer({ secrets: [{ name: 'twilio', value: TOKEN }] });
    const capture = await smsThroughTunnel(server);
    expect(capture.signatures[0]).toMatchObject({ scheme: 'twilio', status: 'invalid' });
    expect(capture.signatures[0]!.diagnosis).toMatch(/start hookbin with --public-url/);
    expect(((await (await server.api('/api/info')).json()) as { publicUrl: string | null }).publicUrl).toBeNull();
    // With the tunnel's forwarded headers present but not trusted, the diagnosis names the URL Twilio signed.
    const forwarded = await smsThroughTunnel(server, [['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'abc-123.tunnel.example']]);
    expect(forwarded.signatures[0]!.status).toBe('invalid');
    expect(forwarded.signatures[0]!.diagnosis).toMatch(
      new RegExp(`Twilio signed for ${TUNNEL.replace(/[.]/g, '\\.')}/b/\\S+ but it was received at http://127\\.0\\.0\\.1:\\d+/b/\\S+; start hookbin with --public-url ${TUNNEL.replace(/[.]/g, '\\.')}\\.$`),
    );
  });

  it("is valid with --trust-proxy from the tunnel's X-Forwarded-Proto and X-Forwarded-Host, which the API's Host check ignores", async () => {
    server = await startServer({ trustProxy: true, secrets: [{ name: 'twilio', value: TOKEN }] });
    const capture = await smsThroughTunnel(server, [['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'abc-123.tunnel.example']]);
    expect(capture.signatures[0]).toMatchObject({ scheme: 'twilio', status: 'valid' });
    // Without them, the URL as received is checked: not the one signed.
    expect((await smsThroughTunnel(server)).signatures[0]!.status).toBe('invalid');
    // Forwarded headers never make a foreign Host acceptable to the control plane.
    const request = `GET /api/info HTTP/1.1\r\nHost: abc-123.tunnel.example\r\nX-Forwarded-Host: 127.0.0.1\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\n\r\n`;
    expect((await rawExchange(server.port, request)).toString('latin1')).toMatch(/^HTTP\/1\.1 403 /);
  });
});

describe("a user's own scheme that signs {url}, through a tunnel", () => {
  const ACME = { id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha256', encoding: 'hex', signed: '{method} {url}\n{body}' } as const;
  const SECRET = 'acme-secret-1';

  /** POSTs a body signed the acme way for `${TUNNEL}/b/{bin}/hook?x=1` (HMAC computed here) to the local bin URL; resolves to the capture. */
  async function acmeThroughTunnel(s: TestServer, extra: [string, string][] = []): Promise<Capture> {
    const target = `/b/${s.defaultBinId}/hook?x=1`;
    const body = '{"order":42}';
    const mac = createHmac('sha256', SECRET).update(`POST ${TUNNEL}${target}\n${body}`).digest('hex');
    const res = await fetch(`${s.origin}${target}`, { method: 'POST', headers: [['Content-Type', 'application/json'], ['X-Acme-Signature', mac], ...extra], body });
    expect(res.status).toBe(200);
    const capture = (await (await s.api(`/api/captures/${res.headers.get('x-hookbin-capture-id')!}`)).json()) as Capture;
    const page = (await (await s.api(`/api/bins/${s.defaultBinId}/captures?limit=1`)).json()) as CapturePage;
    expect(page.captures[0]!.verdict).toBe(capture.signatures[0]!.status);
    return capture;
  }

  it('is valid with --public-url or --trust-proxy, invalid otherwise with a diagnosis naming --public-url', async () => {
    server = await startServer({ publicUrl: TUNNEL, schemes: [ACME], secrets: [{ name: 'acme', value: SECRET }] });
    expect((await acmeThroughTunnel(server)).signatures).toEqual([{ scheme: 'acme', header: 'X-Acme-Signature', status: 'valid', secret: 'acme', diagnosis: null }]);
    await server.close();

    server = await startServer({ trustProxy: true, schemes: [ACME], secrets: [{ name: 'acme', value: SECRET }] });
    const forwarded: [string, string][] = [['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'abc-123.tunnel.example']];
    expect((await acmeThroughTunnel(server, forwarded)).signatures[0]).toMatchObject({ scheme: 'acme', status: 'valid' });
    await server.close();

    server = await startServer({ schemes: [ACME], secrets: [{ name: 'acme', value: SECRET }] });
    const plain = await acmeThroughTunnel(server);
    expect(plain.signatures[0]).toMatchObject({ scheme: 'acme', status: 'invalid' });
    expect(plain.signatures[0]!.diagnosis).toMatch(/\{url\} was checked as http:\/\/127\.0\.0\.1:\d+\/b\/\S+: if the sender posts to a tunnel, start hookbin with --public-url/);
  });
});
