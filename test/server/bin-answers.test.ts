/**
 * Every answer from a bin URL is sandboxed and not sniffed, through the real
 * server: the configured reply (over the bin's own CSP), a rule's, a
 * failure's, 413, 404s, 414, a relay that cannot reach the app, HEAD; and
 * the capture's stored answer lists the two headers it was sent with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_ANSWER_HEADERS, withBinAnswerHeaders } from '../../server/capture/answer-headers.js';
import type { Capture } from '../../server/common/types.js';
import { cleanupTempDirs, expectJson, rawExchange, startServer, type TestServer } from '../support/helpers.js';
import { closedPort } from '../support/target.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ maxBody: 1024 });
});
afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

async function bin(id: string, settings: Record<string, unknown>): Promise<string> {
  await expectJson(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }), 201);
  await expectJson(server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) }));
  return `${server.origin}/b/${id}`;
}

function expectSandboxed(res: Response, what: string): void {
  expect([res.headers.get('content-security-policy'), res.headers.get('x-content-type-options')], what).toEqual(['sandbox', 'nosniff']);
}

describe('answers from bin URLs', () => {
  it('the configured reply, over the bin’s own CSP and nosniff, and its stored answer says so', async () => {
    const url = await bin('own-csp', {
      respond: { headers: { 'content-type': 'text/html', 'Content-Security-Policy': "default-src 'self'", 'X-Content-Type-Options': 'none' }, body: '<p>hi</p>' },
    });
    const res = await fetch(url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    expectSandboxed(res, 'configured');
    const cap = await expectJson<Capture>(server.api(`/api/captures/${res.headers.get('x-hookbin-capture-id')}`));
    expect(cap.response.headers).toEqual([
      ['content-type', 'text/html'],
      ['content-security-policy', 'sandbox'],
      ['x-content-type-options', 'nosniff'],
    ]);
  });

  it('a rule’s answer, a failure’s JSON, HEAD, and 413', async () => {
    const url = await bin('kinds', {
      respond: { failFirst: { count: 1, status: 500 }, rules: [{ match: { path: '/rule' }, respond: { status: 202, body: '<script>1</script>' } }] },
    });
    const rule = await fetch(`${url}/rule`, { method: 'POST', body: 'x' });
    expect(rule.status).toBe(202);
    expectSandboxed(rule, 'rule');
    const failure = await fetch(url, { method: 'POST', headers: { 'webhook-id': 'evt_1' }, body: '{}' });
    expect(failure.status).toBe(500);
    expectSandboxed(failure, 'failFirst');
    const head = await fetch(url, { method: 'HEAD' });
    expectSandboxed(head, 'HEAD');
    const tooLarge = await fetch(url, { method: 'POST', body: 'x'.repeat(2048) });
    expect(tooLarge.status).toBe(413);
    expectSandboxed(tooLarge, '413');
    const cap = await expectJson<Capture>(server.api(`/api/captures/${tooLarge.headers.get('x-hookbin-capture-id')}`));
    expect(cap.response.headers).toContainEqual(['content-security-policy', 'sandbox']);
  });

  it('404 for an unknown bin and for /b/, and 414 for a bin target', async () => {
    const unknown = await fetch(`${server.origin}/b/no-such-bin`, { method: 'POST', body: 'x' });
    expect(unknown.status).toBe(404);
    expectSandboxed(unknown, 'unknown bin');
    const bare = await fetch(`${server.origin}/b/`);
    expect(bare.status).toBe(404);
    expectSandboxed(bare, '/b/');
    const wire = (await rawExchange(server.port, `GET /b/kinds/${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toString('latin1').toLowerCase();
    expect(wire).toMatch(/^http\/1\.1 414 /);
    expect(wire).toContain('\r\ncontent-security-policy: sandbox\r\n');
    expect(wire).toContain('\r\nx-content-type-options: nosniff\r\n');
  });

  it('a relay that cannot reach the app answers a sandboxed 502, recorded with the headers', async () => {
    const url = await bin('relay-down', { forwardTo: `http://127.0.0.1:${await closedPort()}/`, forward: { relay: true } });
    const res = await fetch(url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    expectSandboxed(res, 'relay failure');
    const cap = await expectJson<Capture>(server.api(`/api/captures/${res.headers.get('x-hookbin-capture-id')}`));
    expect(cap.response).toMatchObject({ status: 502, reason: 'relay' });
    expect(cap.response.headers).toContainEqual(['x-content-type-options', 'nosniff']);
  });

  it("refuses Set-Cookie, Clear-Site-Data and the other origin-acting headers in a bin's answer, its rules' too, with a 400 saying why", async () => {
    await expectJson(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'cookies' }) }), 201);
    for (const respond of [
      { headers: { 'Set-Cookie': 'a=1' } },
      { headers: { 'x-ok': '1', 'clear-site-data': '"storage"' } },
      { rules: [{ match: { path: '/x' }, respond: { headers: { 'Set-Cookie2': 'c=3' } } }] },
      { headers: { 'Service-Worker-Allowed': '/' } },
    ]) {
      const res = await server.api('/api/bins/cookies', { method: 'PATCH', body: JSON.stringify({ respond }) });
      expect(res.status, JSON.stringify(respond)).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/a bin answer cannot set (Set-Cookie|clear-site-data|Set-Cookie2|Service-Worker-Allowed): bins answer on hookbin's own origin/);
    }
    // Nothing was stored: the bin still answers without them.
    const res = await fetch(`${server.origin}/b/cookies`, { method: 'POST', body: 'x' });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('clear-site-data')).toBeNull();
  });

  it('a stored answer that holds one (a bin configured before the refusal) is sent and recorded without it', () => {
    expect(withBinAnswerHeaders([['Set-Cookie', 'a=1'], ['x-ok', '1'], ['Clear-Site-Data', '"*"']])).toEqual([['x-ok', '1'], ...BIN_ANSWER_HEADERS]);
  });
});
