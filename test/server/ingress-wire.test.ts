/**
 * Bin URLs are answered from node:http directly, ahead of Hono: what goes on
 * the wire. Each answer says its length (never chunked), HEAD and 204 carry
 * none, hookbin's sandbox headers are sent once whatever the bin sets, and a
 * connection stays usable after a capture but closes when a body was left
 * unread. Raw sockets against the real server.
 */
import { describe, expect, it } from 'vitest';
import { rawExchange, useServer } from '../support/helpers.js';

const server = useServer();

/** The head of each answer in `wire`, lower-cased header lines (answers split on the status line). */
function heads(wire: Buffer): { status: number; headers: string[]; body: string }[] {
  return wire
    .toString('latin1')
    .split(/(?=HTTP\/1\.1 \d{3} )/)
    .filter(Boolean)
    .map((answer) => {
      const [head, ...rest] = answer.split('\r\n\r\n');
      const [statusLine, ...lines] = head!.split('\r\n');
      return { status: Number(statusLine!.split(' ')[1]), headers: lines.map((l) => l.toLowerCase()), body: rest.join('\r\n\r\n') };
    });
}

async function makeBin(id: string, settings: object = {}): Promise<void> {
  const s = server();
  expect((await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) })).status).toBe(201);
  expect((await s.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(settings) })).status).toBe(200);
}

describe('bin answers on the wire', () => {
  it('say their length, are never chunked, and carry the sandbox headers once over the bin’s own', async () => {
    await makeBin('wire-len', { respond: { status: 201, body: 'héllo', headers: { 'X-Content-Type-Options': 'sniff', 'X-Twice': 'a' } } });
    const wire = await rawExchange(server().port, 'POST /b/wire-len HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi');
    const [a] = heads(wire);
    expect(a!.status).toBe(201);
    expect(a!.headers).toContain(`content-length: ${Buffer.byteLength('héllo')}`);
    expect(a!.headers.some((h) => h.startsWith('transfer-encoding'))).toBe(false);
    expect(a!.headers.filter((h) => h.startsWith('x-content-type-options'))).toEqual(['x-content-type-options: nosniff']);
    expect(a!.headers.filter((h) => h.startsWith('content-security-policy'))).toEqual(['content-security-policy: sandbox']);
    expect(Buffer.from(a!.body, 'latin1').toString()).toBe('héllo');
  });

  it('keep Latin-1 in a header the bin sets as it is, beside a text body', async () => {
    await makeBin('wire-latin', { respond: { body: 'é', headers: { 'X-Caf': 'caf\xe9' } } });
    const wire = await rawExchange(server().port, 'POST /b/wire-latin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const text = wire.toString('latin1');
    expect(text).toMatch(/\r\nx-caf: caf\xe9\r\n/i);
    expect(wire.subarray(wire.indexOf('\r\n\r\n') + 4)).toEqual(Buffer.from('é'));
  });

  it('HEAD and 204 carry no body and no length', async () => {
    await makeBin('wire-204', { respond: { status: 204 } });
    const [noContent] = heads(await rawExchange(server().port, 'POST /b/wire-204 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    expect(noContent!.status).toBe(204);
    expect(noContent!.headers.some((h) => h.startsWith('content-length') || h.startsWith('transfer-encoding'))).toBe(false);
    const [head] = heads(await rawExchange(server().port, `HEAD /b/${server().defaultBinId} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    expect(head!.status).toBe(200);
    expect(head!.body).toBe('');
    expect(head!.headers.some((h) => h.startsWith('transfer-encoding'))).toBe(false);
  });

  it('keep a connection for the next request: two pipelined captures are both answered, in order', async () => {
    const bin = server().defaultBinId;
    const one = `POST /b/${bin}/one HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\n1`;
    const two = `POST /b/${bin}/two HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 1\r\n\r\n2`;
    const answers = heads(await rawExchange(server().port, one + two));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const ids = answers.map((a) => a.headers.find((h) => h.startsWith('x-hookbin-capture-id'))!.split(': ')[1]);
    const paths = await Promise.all(ids.map(async (id) => ((await (await server().api(`/api/captures/${id}`)).json()) as { path: string }).path));
    expect(paths).toEqual(['/one', '/two']);
  });

  it('close the connection when a body was left unread (an unknown bin), and keep it when there was none', async () => {
    const port = server().port;
    // What follows a body hookbin did not read is not read at all: the connection closes after the answer.
    const next = 'GET /b/no-such-bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
    const unread = heads(await rawExchange(port, `POST /b/no-such-bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nabcde${next}`));
    expect(unread.map((a) => a.status)).toEqual([404]);
    expect(unread[0]!.headers).toContain('connection: close');
    const none = heads(await rawExchange(port, `GET /b/no-such-bin HTTP/1.1\r\nHost: localhost\r\n\r\n${next}`));
    expect(none.map((a) => a.status)).toEqual([404, 404]);
    expect(none[0]!.headers).toContain('connection: keep-alive');
  });
});
