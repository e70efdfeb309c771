/**
 * A bin's CORS switch over real HTTP: off by default (a preflight is a
 * captured request like any other, with no Access-Control-* headers); on,
 * preflights get 204 with what the browser asked for, within bounds, and are
 * not captured, and every answer lets the page read it. The control plane
 * never answers with CORS headers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, expectError, useServer } from '../support/helpers.js';
import { startTarget } from '../support/target.js';

const server = useServer({ maxBody: 1024 });
afterAll(cleanupTempDirs);

const PAGE = 'http://localhost:5173';

let n = 0;
/** A new bin with these settings; its id and URL. */
async function bin(patch: Record<string, unknown>): Promise<{ id: string; url: string }> {
  const id = `cors-${++n}`;
  await server().api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
  const res = await server().api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(patch) });
  expect(res.status, await res.clone().text()).toBe(200);
  return { id, url: `${server().origin}/b/${id}` };
}

async function captureCount(id: string): Promise<number> {
  return ((await (await server().api(`/api/bins/${id}`)).json()) as { captureCount: number }).captureCount;
}

/** The answer's Access-Control-* and Vary headers, as a record. */
function corsOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k.startsWith('access-control-') || k === 'vary') out[k] = v;
  });
  return out;
}

const preflight = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,X-Signature', ...headers } });

describe('a bin’s cors setting', () => {
  it('is off for a new bin, set with PATCH {"cors": true}, and anything but a boolean is refused', async () => {
    const created = (await (await server().api('/api/bins', { method: 'POST', body: '{}' })).json()) as { id: string; cors: boolean };
    expect(created.cors).toBe(false);
    const on = await server().api(`/api/bins/${created.id}`, { method: 'PATCH', body: '{"cors":true}' });
    expect(((await on.json()) as { cors: boolean }).cors).toBe(true);
    const bad = await server().api(`/api/bins/${created.id}`, { method: 'PATCH', body: '{"cors":"yes"}' });
    expect(await expectError(bad, 400, 'invalid_request')).toMatch(/cors is true or false/);
  });

  it('off: a preflight is captured like any request and answered without Access-Control-* headers', async () => {
    const { id, url } = await bin({});
    const res = await preflight(url);
    expect([res.status, corsOf(res)]).toEqual([200, {}]);
    expect(await captureCount(id)).toBe(1);
    const post = await fetch(url, { method: 'POST', headers: { origin: PAGE }, body: '{}' });
    expect(corsOf(post)).toEqual({});
  });
});

describe('a bin with cors on', () => {
  it('answers a preflight 204 with what was asked, sandboxed, without capturing it or applying its answer settings', async () => {
    const { id, url } = await bin({ cors: true, respond: { failFirst: { count: 5, status: 500 } } });
    const res = await preflight(url);
    expect(res.status).toBe(204);
    expect(corsOf(res)).toEqual({
      'access-control-allow-origin': PAGE,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, x-signature',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
    expect([res.headers.get('content-security-policy'), res.headers.get('x-content-type-options')]).toEqual(['sandbox', 'nosniff']);
    expect(await captureCount(id)).toBe(0);
    // An OPTIONS that is not a preflight is a request like any other.
    const plain = await fetch(url, { method: 'OPTIONS' });
    expect(plain.status).toBe(500);
    expect(await captureCount(id)).toBe(1);
  });

  it('bounds what it echoes: a malformed Origin gets *, names that are not tokens are dropped, at most 64, a bad method gets the usual list', async () => {
    const { url } = await bin({ cors: true });
    const many = Array.from({ length: 100 }, (_, i) => `x-h${i}`).join(', ');
    const res = await preflight(url, { origin: 'javascript:alert(1)', 'access-control-request-method': 'P(ST', 'access-control-request-headers': `bad header, ${many}` });
    const h = corsOf(res);
    expect(h['access-control-allow-origin']).toBe('*');
    expect(h['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    const names = h['access-control-allow-headers']!.split(', ');
    expect(names).toHaveLength(64);
    expect(names[0]).toBe('x-h0');
    const none = await fetch(url, { method: 'OPTIONS', headers: { 'access-control-request-method': 'PUT' } });
    expect(corsOf(none)).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT' });
    expect(corsOf(none)['access-control-allow-headers']).toBeUndefined();
  });

  it('lets the page read every answer: the default, a failing one, a 413, and the capture records the headers sent', async () => {
    const { id, url } = await bin({ cors: true, respond: { headers: { 'x-trace': 't' }, failFirst: { count: 1, status: 503 }, retryAfter: 3 } });
    const post = (body = '{"id":"e1"}') => fetch(url, { method: 'POST', headers: { origin: PAGE, 'content-type': 'application/json' }, body });
    const fail = await post();
    expect(fail.status).toBe(503);
    expect(corsOf(fail)).toEqual({ 'access-control-allow-origin': PAGE, vary: 'Origin', 'access-control-expose-headers': 'x-hookbin-capture-id, x-trace, retry-after' });
    const ok = await post();
    expect([ok.status, corsOf(ok)['access-control-allow-origin']]).toEqual([200, PAGE]);
    const big = await post('x'.repeat(4096));
    expect([big.status, corsOf(big)['access-control-allow-origin']]).toEqual([413, PAGE]);
    const cap = (await (await server().api(`/api/captures/${ok.headers.get('x-hookbin-capture-id')!}`)).json()) as { response: { headers: [string, string][] } };
    expect(cap.response.headers).toContainEqual(['access-control-allow-origin', PAGE]);
    expect(await captureCount(id)).toBe(3);
    // Without an Origin (curl) the answer allows any.
    expect(corsOf(await fetch(url, { method: 'POST', body: '{"id":"e2"}' }))['access-control-allow-origin']).toBe('*');
  });

  it('keeps a CORS header the user set explicitly', async () => {
    const { url } = await bin({ cors: true, respond: { headers: { 'Access-Control-Allow-Origin': 'https://only.example' } } });
    const res = await fetch(url, { method: 'POST', headers: { origin: PAGE }, body: '{}' });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://only.example');
    expect(res.headers.get('vary')).toBeNull();
  });

  it('adds them to a relayed reply too, unless the app sent its own', async () => {
    const own: Record<string, string> = { 'access-control-allow-origin': 'https://app.example' };
    const app = await startTarget((req) => ({ status: 201, headers: req.url.includes('own') ? own : {}, body: 'made' }));
    try {
      const { url } = await bin({ cors: true, forwardTo: app.origin, forward: { relay: true } });
      const relayed = await fetch(url, { method: 'POST', headers: { origin: PAGE }, body: '{}' });
      expect([relayed.status, relayed.headers.get('access-control-allow-origin'), await relayed.text()]).toEqual([201, PAGE, 'made']);
      const mine = await fetch(`${url}/own`, { method: 'POST', headers: { origin: PAGE }, body: '{}' });
      expect(mine.headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      await app.close();
    }
  });

  it('never reaches the control plane: /api and the inspector answer no Access-Control-* headers', async () => {
    await bin({ cors: true });
    const api = await server().api('/api/bins', { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'GET' } });
    expect(corsOf(api)).toEqual({});
    const list = await server().api('/api/bins', { headers: { origin: server().origin } });
    expect([list.status, corsOf(list)]).toEqual([200, {}]);
    const page = await fetch(`${server().origin}/`, { headers: { origin: PAGE } });
    expect(corsOf(page)).toEqual({});
    const crossSite = await server().api('/api/bins', { headers: { origin: PAGE } });
    expect(crossSite.status).toBe(403);
    expect(corsOf(crossSite)).toEqual({});
  });
});
