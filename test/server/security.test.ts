/**
 * The control plane's guard (token, Host, Origin; no cookie), the banner URL,
 * and the inspector's static serving, against the real app and the real server.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { serveDeps } from '../support/serve-deps.js';
import { hostPolicy, legacyTokenCookieName } from '../../server/http/security.js';
import { openStore, type Store } from '../../server/store/index.js';
import { defaultSettings } from '../../server/capture/settings.js';
import { cleanupTempDirs, rawExchange, startServer, WEB_ROOT, type TestServer } from '../support/helpers.js';

const APP_TOKEN = 'app-token-abcdef';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP request with whatever headers we like (fetch cannot set Host). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Asserts an exact `{error:{code,message}}` reply. */
function expectError(reply: { status: number; body: string }, status: number, code: string): void {
  expect({ status: reply.status, code: errorCode(reply.body) }).toEqual({ status, code });
  const parsed = JSON.parse(reply.body) as { error: { message: unknown } };
  expect(typeof parsed.error.message).toBe('string');
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message']);
}

afterAll(cleanupTempDirs);

/**
 * Host headers `/api` must refuse on a server bound to 127.0.0.1 (PORT: its
 * port): other sites, and near misses of the loopback names (a suffix or
 * prefix glued on, a loopback name as a subdomain of another site).
 */
const REFUSED_HOSTS = [
  'evil.example',
  'evil.example:PORT',
  '127.0.0.1.evil.example',
  '127.0.0.1.evil.example:PORT',
  'localhost.evil.example',
  'localhost.evil.example:PORT',
  '127.0.0.1.nip.io:PORT',
  '10.0.0.1:PORT',
  'evillocalhost',
  'evillocalhost:PORT',
  'xlocalhost:PORT',
  'localhostx:PORT',
  'evil-localhost:PORT',
  '127.0.0.1x',
  '127.0.0.1x:PORT',
  '127.0.0.1.:PORT',
  '1127.0.0.1:PORT',
  '127.0.0.1.1:PORT',
  '[::2]:PORT',
];

/**
 * Host headers that are not a host[:port] at all: the HTTP layer may refuse
 * them (400) before the guard sees them; either way they are refused.
 */
const MALFORMED_HOSTS = ['[::1]x', '[::1]x:PORT', '[::1].evil.example:PORT', '::1x', '::1', 'localhost:PORT@evil.example', 'localhost:PORTx', 'localhost:PORT:PORT'];

/** Host headers `/api` accepts on that server: the loopback names, any port or none, any case. */
const ACCEPTED_HOSTS = ['localhost:PORT', '127.0.0.1:PORT', '[::1]:PORT', '[::1]', 'localhost', 'LOCALHOST:PORT', 'app.localhost:PORT', '127.0.0.2:PORT'];

describe('every /api route needs the token (app.request, no port)', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let binId: string;
  let captureId: string;

  beforeAll(async () => {
    store = openStore({ file: null, maxCapturesPerBin: 100 });
    app = createApp({ store, token: APP_TOKEN, hosts: hostPolicy('127.0.0.1'), maxBody: 1024 * 1024, webRoot: null, version: '0.0.0-test' });
    binId = 'guarded-bin';
    store.createBin({ id: binId, name: 'guarded', createdAt: Date.now(), settings: defaultSettings() });
    // Bin URLs are answered by the listener, ahead of the app: a capture comes in over real HTTP.
    const served = await serveDeps({ store, token: APP_TOKEN, hosts: hostPolicy('127.0.0.1'), maxBody: 1024 * 1024, webRoot: null, version: '0.0.0-test' });
    const hook = await fetch(`${served.origin}/b/${binId}`, { method: 'POST', body: 'guarded body' }).finally(() => served.close());
    expect(hook.status).toBe(200);
    captureId = hook.headers.get('x-hookbin-capture-id')!;
    expect(captureId).toBeTruthy();
  });

  afterAll(() => store.close());

  /** Every distinct (method, path) of the API but health; `ALL` routes are probed with each method. */
  function apiRoutes(): Array<{ method: string; path: string }> {
    const seen = new Map<string, { method: string; path: string }>();
    for (const r of app.routes) {
      if (!r.path.startsWith('/api/') || r.path === '/api/health') continue;
      const methods = r.method === 'ALL' ? ['GET', 'POST', 'PATCH', 'DELETE'] : [r.method];
      for (const method of methods) {
        const path = r.path.replace(':binId', binId).replace(':id', captureId).replace(/\*$/, 'anything');
        seen.set(`${method} ${path}`, { method, path });
      }
    }
    return [...seen.values()];
  }

  it('finds the routes of the public contract', () => {
    const names = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
    for (const route of [
      'POST /api/bins',
      'GET /api/bins',
      'GET /api/bins/:binId',
      'PATCH /api/bins/:binId',
      'DELETE /api/bins/:binId',
      'GET /api/bins/:binId/captures',
      'DELETE /api/bins/:binId/captures',
      'GET /api/captures/:id',
      'GET /api/captures/:id/body',
      'DELETE /api/captures/:id',
    ]) {
      expect(names, route).toContain(route);
    }
    expect(apiRoutes().length).toBeGreaterThanOrEqual(10);
  });

  it('refuses a missing token with 401 unauthorized on every route', async () => {
    const failures: string[] = [];
    for (const { method, path } of apiRoutes()) {
      const res = await app.request(path, { method, headers: { host: 'localhost', 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
      const text = await res.text();
      if (res.status !== 401 || errorCode(text) !== 'unauthorized') failures.push(`${method} ${path} → ${res.status} ${text}`);
    }
    expect(failures).toEqual([]);
  });

  it.each([
    ['a wrong bearer token', { authorization: 'Bearer wrong-token' }],
    ['the token with a suffix', { authorization: `Bearer ${APP_TOKEN}x` }],
    ['a prefix of the token', { authorization: `Bearer ${APP_TOKEN.slice(0, -1)}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['Basic auth with the token', { authorization: `Basic ${Buffer.from(`x:${APP_TOKEN}`).toString('base64')}` }],
    ['a wrong cookie', { cookie: `${legacyTokenCookieName('http://localhost/')}=wrong-token` }],
    ['the right token in the cookie hookbin 0.1 set (cookies are no longer read)', { cookie: `${legacyTokenCookieName('http://localhost/')}=${APP_TOKEN}` }],
    ['the right token in any cookie', { cookie: `token=${APP_TOKEN}; hookbin_token=${APP_TOKEN}; hookbin_token_9=${APP_TOKEN}` }],
  ])('refuses %s with 401 unauthorized on every route', async (_label, auth) => {
    const failures: string[] = [];
    for (const { method, path } of apiRoutes()) {
      const res = await app.request(path, { method, headers: { host: 'localhost', 'content-type': 'application/json', ...auth }, body: method === 'GET' ? undefined : '{}' });
      const text = await res.text();
      if (res.status !== 401 || errorCode(text) !== 'unauthorized') failures.push(`${method} ${path} → ${res.status} ${text}`);
    }
    expect(failures).toEqual([]);
  });

  it('changed nothing while refusing: the bin and its capture are still there', async () => {
    expect(store.getBin(binId)?.name).toBe('guarded');
    expect(store.getCapture(captureId)).toBeTruthy();
  });

  it('the token in the query string does not authorize the API', async () => {
    const res = await app.request(`/api/bins?token=${APP_TOKEN}`, { headers: { host: 'localhost' } });
    expect(res.status).toBe(401);
  });

  it('the right token is accepted as a bearer, a wrong cookie beside it does not matter; health needs none', async () => {
    const bearer = await app.request('/api/bins', { headers: { host: 'localhost', authorization: `Bearer ${APP_TOKEN}` } });
    expect(bearer.status).toBe(200);
    // A page on another port of the host can plant cookies for it: they must not get in the way.
    const shadowed = await app.request('/api/bins', {
      headers: { host: 'localhost', authorization: `Bearer ${APP_TOKEN}`, cookie: `${legacyTokenCookieName('http://localhost/')}=wrong-token` },
    });
    expect(shadowed.status).toBe(200);
    const health = await app.request('/api/health', { headers: { host: 'localhost' } });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, version: '0.0.0-test' });
  });
});

describe('over real HTTP', () => {
  let server: TestServer;
  let host: string;

  beforeAll(async () => {
    server = await startServer();
    host = `127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
  });

  const bearer = () => ({ authorization: `Bearer ${server.token}` });

  describe('token', () => {
    it.each([
      ['GET', '/api/bins'],
      ['POST', '/api/bins'],
      ['GET', '/api/bins/DEFAULT'],
      ['PATCH', '/api/bins/DEFAULT'],
      ['DELETE', '/api/bins/DEFAULT'],
      ['GET', '/api/bins/DEFAULT/captures'],
      ['DELETE', '/api/bins/DEFAULT/captures'],
    ])('%s %s refuses a missing and a wrong token', async (method, template) => {
      const path = template.replace('DEFAULT', server.defaultBinId);
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{"name":"hacked"}';
      expectError(await send(server.port, method, path, { 'content-type': 'application/json' }, body), 401, 'unauthorized');
      expectError(await send(server.port, method, path, { 'content-type': 'application/json', authorization: 'Bearer nope' }, body), 401, 'unauthorized');
      const bin = await server.api(`/api/bins/${server.defaultBinId}`);
      expect(bin.status).toBe(200);
      expect(((await bin.json()) as { name: string }).name).not.toBe('hacked');
    });

    it('accepts Authorization: Bearer T', async () => {
      const res = await send(server.port, 'GET', '/api/bins', bearer());
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toHaveProperty('bins');
    });

    it('accepts the token after more than one space (Bearer  T), refuses it glued on or under another scheme', async () => {
      expect((await send(server.port, 'GET', '/api/bins', { authorization: `Bearer   ${server.token}` })).status).toBe(200);
      expectError(await send(server.port, 'GET', '/api/bins', { authorization: `Bearer${server.token}` }), 401, 'unauthorized');
      expectError(await send(server.port, 'GET', '/api/bins', { authorization: `Basic ${server.token}` }), 401, 'unauthorized');
      expectError(await send(server.port, 'GET', '/api/bins', { authorization: `Bearer ${server.token}x` }), 401, 'unauthorized');
    });

    it('GET /?token=T serves the inspector page itself: no redirect, no token cookie, the old cookie expired, not cached', async () => {
      const indexHtml = readFileSync(new URL('index.html', `file://${WEB_ROOT}`), 'utf8');
      const res = await send(server.port, 'GET', `/?token=${encodeURIComponent(server.token)}`);
      expect(res.status).toBe(200);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toBe(indexHtml);
      expect(res.body).not.toContain(server.token);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // The only cookie is the expiry of the one hookbin 0.1 set, so browsers stop sending it to the bins.
      const cookies = res.headers['set-cookie'] ?? [];
      expect(cookies).toHaveLength(1);
      const [pair, ...attrs] = cookies[0]!.split(';').map((s) => s.trim());
      expect(pair).toBe(`hookbin_token_${server.port}=`);
      expect(attrs.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['max-age=0', 'path=/']));
      expect(cookies[0]).not.toContain(server.token);
    });

    it('a wrong ?token= gets the same page (the page finds out from the API); without ?token= no cookie is touched', async () => {
      const wrong = await send(server.port, 'GET', '/?token=wrong-token');
      expect(wrong.status).toBe(200);
      expect(wrong.headers.location).toBeUndefined();
      const plain = await send(server.port, 'GET', '/');
      expect(plain.status).toBe(200);
      expect(plain.headers['set-cookie']).toBeUndefined();
      expect(plain.headers['cache-control']).toBe('no-cache');
    });

    it('the cookie hookbin 0.1 set no longer authorizes anything', async () => {
      const cookie = `${legacyTokenCookieName(`${server.origin}/`)}=${server.token}`;
      expect(cookie.startsWith(`hookbin_token_${server.port}=`)).toBe(true);
      expectError(await send(server.port, 'GET', '/api/bins', { cookie }), 401, 'unauthorized');
      const post = await send(server.port, 'POST', '/api/bins', { cookie, origin: server.origin, 'content-type': 'application/json' }, '{"id":"cookie-made"}');
      expectError(post, 401, 'unauthorized');
      expect((await server.api('/api/bins/cookie-made')).status).toBe(404);
    });

    it.each([
      ['//evil.example/?token=x'],
      ['//evil.example/?token=TOKEN'],
      ['/\\evil.example/?token=x'],
      ['/%2F%2Fevil.example?token=x'],
      ['/%2f%2fevil.example/?token=TOKEN'],
      ['///evil.example/?token=x'],
      ['/\\/evil.example?token=x'],
      ['/?token=x&next=//evil.example/'],
      ['//evil.example'],
      ['/.%2F%2Fevil.example/?token=x'],
    ])('never redirects off this server: GET %s', async (template) => {
      const target = template.replace('TOKEN', encodeURIComponent(server.token));
      const reply = (await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
      const head = reply.slice(0, reply.indexOf('\r\n\r\n'));
      expect(status, head).toBeGreaterThanOrEqual(200);
      expect(status < 300 || status >= 400, head).toBe(true);
      expect(head).not.toMatch(/^location:/im);
      expect(head).not.toMatch(/^refresh:/im);
      expect(reply).not.toContain('evil.example/?');
    });
  });

  describe('Host (DNS rebinding)', () => {
    it.each(REFUSED_HOSTS.map((h) => [h]))(
      'refuses Host %s with 403 forbidden_host even with the right token',
      async (template) => {
        const hostHeader = template.replace('PORT', String(server.port));
        expectError(await send(server.port, 'GET', '/api/bins', { host: hostHeader, ...bearer() }), 403, 'forbidden_host');
        const post = await send(server.port, 'POST', '/api/bins', { host: hostHeader, ...bearer(), 'content-type': 'application/json' }, '{"id":"rebound"}');
        expectError(post, 403, 'forbidden_host');
        expect((await server.api('/api/bins/rebound')).status).toBe(404);
      },
    );

    it.each(MALFORMED_HOSTS.map((h) => [h]))('refuses the malformed Host %s (400 or 403) even with the right token', async (template) => {
      const hostHeader = template.replace(/PORT/g, String(server.port));
      const get = await send(server.port, 'GET', '/api/bins', { host: hostHeader, ...bearer() });
      expect([400, 403], get.body).toContain(get.status);
      const post = await send(server.port, 'POST', '/api/bins', { host: hostHeader, ...bearer(), 'content-type': 'application/json' }, '{"id":"malformed-host"}');
      expect([400, 403], post.body).toContain(post.status);
      expect((await server.api('/api/bins/malformed-host')).status).toBe(404);
    });

    it('refuses a foreign Host on health too (raw socket)', async () => {
      const reply = (await rawExchange(server.port, 'GET /api/health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n')).toString('latin1');
      expect(reply).toMatch(/^HTTP\/1\.1 403 /);
      expect(errorCode(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toBe('forbidden_host');
    });

    it.each(ACCEPTED_HOSTS.map((h) => [h]))('accepts Host %s', async (template) => {
      const res = await send(server.port, 'GET', '/api/bins', { host: template.replace('PORT', String(server.port)), ...bearer() });
      expect(res.status).toBe(200);
    });

    it.each([['evil.example'], ['127.0.0.1.evil.example'], ['abc.trycloudflare.com'], ['abcd-1-2-3-4.ngrok-free.app']])('ingress /b/{bin} accepts Host %s (tunnels)', async (hostHeader) => {
      const res = await send(server.port, 'POST', `/b/${server.defaultBinId}/hook`, { host: hostHeader, 'content-type': 'application/json' }, '{"via":"tunnel"}');
      expect(res.status).toBe(200);
      const id = res.headers['x-hookbin-capture-id'] as string;
      expect(id).toBeTruthy();
      const cap = await server.api(`/api/captures/${id}`);
      expect(cap.status).toBe(200);
      expect(await cap.json()).toMatchObject({ path: '/hook', body: '{"via":"tunnel"}' });
    });
  });

  describe('Origin (CSRF)', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['Origin: http://evil.example', { origin: 'http://evil.example' }],
      ['Origin: null', { origin: 'null' }],
      ['an Origin on another port of localhost', { origin: 'http://127.0.0.1:1' }],
      ['an Origin that is not a URL', { origin: 'garbage' }],
      ['Sec-Fetch-Site: cross-site and no Origin', { 'sec-fetch-site': 'cross-site' }],
      // Another port of localhost is the same site but not the same origin.
      ['Sec-Fetch-Site: same-site and no Origin', { 'sec-fetch-site': 'same-site' }],
    ];

    it.each(cases)('POST with %s → 403 forbidden_origin, nothing created', async (_label, headers) => {
      const id = `csrf-${Math.random().toString(36).slice(2, 10)}`;
      const res = await send(server.port, 'POST', '/api/bins', { ...bearer(), 'content-type': 'application/json', ...headers }, JSON.stringify({ id }));
      expectError(res, 403, 'forbidden_origin');
      expect((await server.api(`/api/bins/${id}`)).status).toBe(404);
    });

    it.each(cases)('PATCH and DELETE with %s → 403 forbidden_origin, nothing changed', async (_label, headers) => {
      const id = `victim-${Math.random().toString(36).slice(2, 10)}`;
      expect((await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id, name: 'Victim' }) })).status).toBe(201);
      const patch = await send(server.port, 'PATCH', `/api/bins/${id}`, { ...bearer(), 'content-type': 'application/json', ...headers }, '{"name":"pwned","respond":{"status":500}}');
      expectError(patch, 403, 'forbidden_origin');
      const del = await send(server.port, 'DELETE', `/api/bins/${id}`, { ...bearer(), ...headers });
      expectError(del, 403, 'forbidden_origin');
      const read = await server.api(`/api/bins/${id}`);
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ name: 'Victim', respond: { status: 200 } });
    });

    it('accepts a same-origin Origin and Sec-Fetch-Site: same-origin', async () => {
      const same = await send(server.port, 'POST', '/api/bins', { ...bearer(), host, origin: `http://${host}`, 'content-type': 'application/json' }, '{"id":"same-origin"}');
      expect(same.status).toBe(201);
      const fetchSite = await send(server.port, 'PATCH', '/api/bins/same-origin', { ...bearer(), 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{"name":"ok"}');
      expect(fetchSite.status).toBe(200);
      const del = await send(server.port, 'DELETE', '/api/bins/same-origin', { ...bearer(), host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` });
      expect(del.status).toBe(204);
    });

    it('accepts Sec-Fetch-Site: none (typed in the address bar, a bookmark) without an Origin', async () => {
      const res = await send(server.port, 'GET', '/api/bins', { ...bearer(), 'sec-fetch-site': 'none' });
      expect(res.status).toBe(200);
    });

    it('ingress accepts cross-site requests (providers and browsers may post to bins)', async () => {
      const res = await send(server.port, 'POST', `/b/${server.defaultBinId}`, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, 'x');
      expect(res.status).toBe(200);
    });
  });

  describe('inspector', () => {
    const indexHtml = readFileSync(new URL('index.html', `file://${WEB_ROOT}`), 'utf8');

    it('serves / with a strict CSP: default-src self, no unsafe-inline', async () => {
      const res = await send(server.port, 'GET', '/');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toBe(indexHtml);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toBeTruthy();
      const directives = csp.split(';').map((d) => d.trim());
      expect(directives).toContain("default-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // With no inline code allowed, the page itself must have none.
      expect(indexHtml).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    });

    it('answers an SPA route with index.html, under the same CSP', async () => {
      const res = await send(server.port, 'GET', '/some/spa/route');
      expect(res.status).toBe(200);
      expect(res.body).toBe(indexHtml);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });

    it('serves a built asset and answers 404 for a missing one', async () => {
      const asset = readdirSync(new URL('assets/', `file://${WEB_ROOT}`)).find((f) => f.endsWith('.js'))!;
      const ok = await send(server.port, 'GET', `/assets/${asset}`);
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/javascript/);
      const missing = await send(server.port, 'GET', '/assets/missing.js');
      expect(missing.status).toBe(404);
      expect(missing.body).not.toBe(indexHtml);
    });

    const secret = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    it.each([
      ['/..%2f..%2fetc/passwd'],
      ['/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd'],
      ['/%2e%2e/package.json'],
      ['/..%2f..%2fpackage.json'],
      ['/%2e%2e%2f%2e%2e%2fpackage.json'],
      ['/assets/..%2f..%2f..%2fpackage.json'],
      ['/../../package.json'],
      ['/..\\..\\package.json'],
      ['/%2e%2e%5c%2e%2e%5cpackage.json'],
      ['/..%252f..%252fpackage.json'],
      ['/%00/../package.json'],
    ])('never serves a file outside dist/web for %s', async (path) => {
      const reply = (await rawExchange(server.port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
      const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
      expect(body).not.toContain('root:');
      expect(body).not.toContain('"name": "hookbin"');
      expect(body).not.toContain(secret.slice(0, 60));
      // Either a refusal or the app shell: nothing else.
      if (status === 200) expect(body).toBe(indexHtml);
      else expect([400, 403, 404]).toContain(status);
    });
  });
});
