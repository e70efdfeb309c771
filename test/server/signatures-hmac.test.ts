/**
 * The HMAC-over-body schemes of issue 17 through the real server: a Paddle
 * delivery valid with the right secret, invalid or expired otherwise; a
 * Bitbucket push judged as Bitbucket's, never as a malformed GitHub sha1;
 * Zoom's URL validation answered by the bin only with a Zoom-scoped secret, a
 * valid Zoom signature and a token-shaped plainToken, never reflecting
 * anything else the sender wrote.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bin, Capture } from '../../server/common/types.js';
import { schemeById, type HeaderPair } from '../../server/verify/index.js';
import { cleanupTempDirs, startServer, waitFor, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const NOW = 1_764_600_000;
let server: TestServer;
let seconds = NOW;

beforeAll(async () => {
  server = await startServer({}, () => seconds * 1000);
});
afterAll(() => server.close());

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function makeBin(id: string, secrets: unknown[]): Promise<Bin> {
  await json(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }));
  return json<Bin>(server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ secrets }) }));
}

async function deliver(binId: string, headers: HeaderPair[], body: string): Promise<{ res: Response; text: string; capture: Capture }> {
  const res = await fetch(`${server.origin}/b/${binId}`, { method: 'POST', headers, body });
  const text = await res.text();
  const capture = await json<Capture>(server.api(`/api/captures/${res.headers.get('x-hookbin-capture-id')}`));
  return { res, text, capture };
}

const sign = (id: string, body: string, secret: string, now = NOW) => schemeById(id)!.sign({ body: Buffer.from(body), secret, now });

describe('paddle through the real server', () => {
  const body = '{"event_id":"evt_01","event_type":"transaction.completed","data":{"id":"txn_01"}}';
  const secret = 'pdl_ntfset_01hv_secret';

  it('valid with the right secret, its event keyed by event_id; invalid and explained with another; expired past 5 s', async () => {
    await makeBin('paddle-bin', [{ name: 'paddle', value: secret, scheme: 'paddle' }]);
    seconds = NOW + 5;
    const ok = await deliver('paddle-bin', [['content-type', 'application/json'], ...sign('paddle', body, secret)], body);
    expect(ok.capture.signatures).toEqual([
      { scheme: 'paddle', header: 'Paddle-Signature', status: 'valid', secret: 'paddle', diagnosis: null, skewSeconds: 5 },
    ]);
    expect(ok.capture.event).toMatchObject({ key: 'evt_01', type: 'transaction.completed' });

    const wrong = await deliver('paddle-bin', sign('paddle', body, 'pdl_other'), body);
    expect(wrong.capture.signatures[0]).toMatchObject({ scheme: 'paddle', status: 'invalid', secret: null });
    expect(wrong.capture.signatures[0]!.diagnosis).toMatch(/secret "paddle"/);

    seconds = NOW + 6;
    const stale = await deliver('paddle-bin', sign('paddle', body, secret), body);
    expect(stale.capture.signatures[0]).toMatchObject({ status: 'expired', secret: 'paddle', skewSeconds: 6 });
    expect(stale.capture.signatures[0]!.diagnosis).toBe('The HMAC matches secret "paddle" but the request was signed 6 s ago, over the 5 s tolerance.');
    seconds = NOW;
  });
});

describe('bitbucket through the real server', () => {
  const body = '{"push":{"changes":[]},"repository":{"full_name":"team/repo"}}';
  const headers = (secret: string): HeaderPair[] => [
    ['content-type', 'application/json'],
    ['X-Event-Key', 'repo:push'],
    ['X-Request-UUID', '1c2f5e36-9b0c-4a6b-8f3e-0d1e2f3a4b5c'],
    ['X-Hub-Signature', `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`],
  ];

  it('a push signed X-Hub-Signature: sha256= is a valid Bitbucket signature, no GitHub verdict; with another secret it is invalid, not malformed', async () => {
    await makeBin('bitbucket-bin', [{ name: 'bb', value: 'bb-secret' }]);
    const ok = await deliver('bitbucket-bin', headers('bb-secret'), body);
    expect(ok.capture.signatures).toEqual([{ scheme: 'bitbucket', header: 'X-Hub-Signature', status: 'valid', secret: 'bb', diagnosis: null }]);
    expect(ok.capture.verdict).toBe('valid');
    expect(ok.capture.event).toMatchObject({ key: '1c2f5e36-9b0c-4a6b-8f3e-0d1e2f3a4b5c', type: 'repo:push' });

    const wrong = await deliver('bitbucket-bin', headers('not-it'), body);
    expect(wrong.capture.signatures).toHaveLength(1);
    expect(wrong.capture.signatures[0]).toMatchObject({ scheme: 'bitbucket', status: 'invalid' });
    expect(wrong.capture.signatures[0]!.diagnosis).not.toMatch(/sha1|GitHub|malformed/i);
  });
});

describe("Zoom's URL validation through the real server", () => {
  const secret = 'zoom_secret_token_8fK2';
  const token = 'qgg8vlvZRS6UYooatFL8Aw';
  const validation = (plainToken: string) => JSON.stringify({ payload: { plainToken }, event_ts: NOW * 1000, event: 'endpoint.url_validation' });
  const expected = (t: string) => createHmac('sha256', secret).update(t).digest('hex');

  beforeAll(async () => {
    await makeBin('zoom-bin', [{ name: 'zoom', value: secret, scheme: 'zoom' }]);
    await makeBin('zoom-unscoped', [{ name: 'any', value: secret }]);
  });

  it('answers with plainToken and encryptedToken (200, JSON), and records the answer and a valid signature', async () => {
    const body = validation(token);
    const { res, text, capture } = await deliver('zoom-bin', [['content-type', 'application/json'], ...sign('zoom', body, secret)], body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(text)).toEqual({ plainToken: token, encryptedToken: expected(token) });
    expect(capture.response).toMatchObject({ status: 200, reason: 'zoom url validation' });
    expect(capture.signatures[0]).toMatchObject({ scheme: 'zoom', status: 'valid', secret: 'zoom' });
  });

  it('answers itself when the bin relays to an app, which still gets the request', async () => {
    const seen: string[] = [];
    const app = createServer((req, res) => {
      let got = '';
      req.on('data', (c: Buffer) => (got += c.toString()));
      req.on('end', () => {
        seen.push(got);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('the app would have failed it');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    try {
      await makeBin('zoom-relay', [{ name: 'zoom', value: secret, scheme: 'zoom' }]);
      const forwardTo = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
      await json(server.api('/api/bins/zoom-relay', { method: 'PATCH', body: JSON.stringify({ forwardTo, forward: { relay: true } }) }));
      const body = validation(token);
      const { res, text } = await deliver('zoom-relay', sign('zoom', body, secret), body);
      expect(res.status).toBe(200);
      expect(JSON.parse(text)).toEqual({ plainToken: token, encryptedToken: expected(token) });
      await waitFor(() => seen.length === 1);
      expect(seen).toEqual([body]);
      // A delivery that is not a validation gets the app's reply, as any relayed one does.
      const other = await deliver('zoom-relay', [], '{"event":"meeting.started"}');
      expect([other.res.status, other.text]).toEqual([500, 'the app would have failed it']);
    } finally {
      await new Promise((r) => app.close(r));
    }
  });

  it('answers even when the bin is set to fail', async () => {
    await json(server.api('/api/bins/zoom-bin', { method: 'PATCH', body: JSON.stringify({ respond: { status: 500 } }) }));
    const body = validation(token);
    const { res, text } = await deliver('zoom-bin', sign('zoom', body, secret), body);
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ encryptedToken: expected(token) });
    await json(server.api('/api/bins/zoom-bin', { method: 'PATCH', body: JSON.stringify({ respond: { status: 200 } }) }));
  });

  it('does not answer without a zoom-scoped secret, without a valid signature, or for a plainToken that is not a token', async () => {
    const body = validation(token);
    const unscoped = await deliver('zoom-unscoped', sign('zoom', body, secret), body);
    expect(unscoped.text).not.toContain('encryptedToken');
    expect(unscoped.capture.response.reason).not.toBe('zoom url validation');

    const unsigned = await deliver('zoom-bin', [], body);
    expect(unsigned.text).not.toContain('encryptedToken');
    const forged = await deliver('zoom-bin', sign('zoom', body, 'guessed'), body);
    expect(forged.text).not.toContain('encryptedToken');

    for (const hostile of ['<img src=x onerror=alert(1)>', `v0:${NOW}:{"event":"meeting.started"}`, 'a'.repeat(5000)]) {
      const b = validation(hostile);
      const r = await deliver('zoom-bin', sign('zoom', b, secret), b);
      expect(r.text).not.toContain('encryptedToken');
      expect(r.text).not.toContain('<img');
      expect(r.text).not.toContain('meeting.started');
    }
  });
});
