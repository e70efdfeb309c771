/**
 * The control API's edges through the real server: unknown routes and the
 * limits on bodies and URLs, the shape of every error body, and a
 * connection kept alive after a 413.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, expectError, rawExchange, startServer, type TestServer } from '../support/helpers.js';

const MAX_API_BODY = 2 * 1024 * 1024;
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return server.api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function createBin(input: Record<string, unknown> = {}): Promise<{ id: string; name: string; url: string }> {
  const res = await post('/api/bins', input);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; name: string; url: string };
}

describe('unknown routes and limits', () => {
  it.each([
    ['GET', '/api/nope'],
    ['POST', '/api/bins/x/unknown'],
    ['GET', '/api/'],
    ['DELETE', '/api/health/extra'],
  ])('%s %s is a JSON 404', async (method, path) => {
    await expectError(await server.api(path, { method }), 404, 'not_found');
  });

  it('refuses an API body over 2 MiB with 413 payload_too_large and creates nothing', async () => {
    const json = JSON.stringify({ id: 'too-big', name: 'x' });
    const body = json + ' '.repeat(MAX_API_BODY + 1 - json.length);
    const reply = (
      await rawExchange(
        server.port,
        `POST /api/bins HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      )
    ).toString('latin1');
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringMatching(/2097152|2 MiB/) } });
    await expectError(await server.api('/api/bins/too-big'), 404, 'bin_not_found');
  });

  it('refuses a chunked API body over 2 MiB with 413 too', async () => {
    const chunk = ' '.repeat(64 * 1024);
    const parts = [`POST /api/bins HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\n` +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n18\r\n{"id":"too-big-chunked"}\r\n'];
    for (let sent = 0; sent <= MAX_API_BODY; sent += chunk.length) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    parts.push('0\r\n\r\n');
    const reply = (await rawExchange(server.port, parts.join(''))).toString('latin1');
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'payload_too_large' } });
    await expectError(await server.api('/api/bins/too-big-chunked'), 404, 'bin_not_found');
  });

  it('accepts a body of exactly 2 MiB', async () => {
    const json = JSON.stringify({ id: 'exactly-2mib' });
    const res = await post('/api/bins', json + ' '.repeat(MAX_API_BODY - json.length));
    expect(res.status).toBe(201);
  });
});

describe('error bodies', () => {
  it('every kind of API failure has the shape {error:{code,message}}', async () => {
    await createBin({ id: 'shape-bin' });
    const cases: Array<[Promise<Response>, number, string]> = [
      [server.raw('/api/bins'), 401, 'unauthorized'],
      [server.api('/api/bins', { headers: { authorization: 'Bearer wrong' } }), 401, 'unauthorized'],
      [post('/api/bins', { id: 'BAD' }), 400, 'invalid_request'],
      [post('/api/bins', '{'), 400, 'invalid_json'],
      [post('/api/bins', { id: 'shape-bin' }), 409, 'bin_exists'],
      [server.api('/api/bins/nope-bin'), 404, 'bin_not_found'],
      [server.api('/api/captures/nope'), 404, 'capture_not_found'],
      [server.api('/api/bins/shape-bin/captures?limit=0'), 400, 'invalid_request'],
      [server.api('/api/nothing-here'), 404, 'not_found'],
      [fetch(`${server.origin}/b/nope-bin`, { method: 'POST', body: 'x' }), 404, 'bin_not_found'],
    ];
    for (const [pending, status, code] of cases) await expectError(await pending, status, code);
  });
});

// Last in the file: when it fails, the socket it breaks cannot break another test.
describe('keep-alive after a 413', () => {
  it('after a 413 the next request on the same keep-alive connection still works', async () => {
    // A test suite driving the API with fetch reuses connections. A 413 that
    // says "keep-alive" and then closes the socket breaks the caller's next,
    // unrelated request with "other side closed".
    const attempt = async (what: string, send: () => Promise<Response>, lastConnection: string | null): Promise<Response> => {
      try {
        return await send();
      } catch (err) {
        throw new Error(
          `${what} failed with "${String((err as Error).cause ?? err)}": the 413 before it said ` +
            `"Connection: ${lastConnection}", yet the server closed that socket`,
        );
      }
    };
    let connection: string | null = null;
    for (let round = 0; round < 3; round++) {
      const big = await attempt(`round ${round}: the oversized POST`, () => post('/api/bins', ' '.repeat(MAX_API_BODY + 1024 * 1024)), connection);
      expect(big.status).toBe(413);
      connection = big.headers.get('connection');
      await big.text();
      const next = await attempt(`round ${round}: GET /api/health`, () => server.api('/api/health'), connection);
      expect(next.status).toBe(200);
      await next.text();
    }
  });
});
