/**
 * The answers the capture path gives of its own accord, each checked for its
 * status and words: a body over the limit, a URL that names no bin, a bin
 * deleted while a body was still arriving, a client that leaves mid-body, and
 * a store that fails. Real server and raw sockets; a listener over a store
 * the test controls where the store must fail.
 */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { hostPolicy } from '../../server/http/security.js';
import { openStore } from '../../server/store/index.js';
import { defaultSettings } from '../../server/capture/settings.js';
import { useServer, waitFor } from '../support/helpers.js';
import { serveDeps } from '../support/serve-deps.js';

const server = useServer({ maxBody: 1024 * 1024 });
const DEPS = { token: 't0k3n-app', hosts: hostPolicy('127.0.0.1'), webRoot: null, version: '0.0.0-test' };

interface Json {
  error: { code: string; message: string };
}

describe('answers of the capture path', () => {
  it('413 names the limit and what was kept, in MiB when whole, in bytes otherwise', async () => {
    const s = server();
    const res = await s.raw(`/b/${s.defaultBinId}`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    const id = res.headers.get('x-hookbin-capture-id')!;
    expect(await res.json()).toEqual({
      error: { code: 'payload_too_large', message: `the body is over the 1 MiB limit; its first 65536 bytes were recorded as capture ${id}` },
    });
    const cap = (await (await s.api(`/api/captures/${id}`)).json()) as { truncated: boolean; response: { reason: string; status: number } };
    expect(cap).toMatchObject({ truncated: true, response: { status: 413, reason: 'too large' } });

    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const small = await serveDeps({ ...DEPS, store, maxBody: 1000 });
    const big = await serveDeps({ ...DEPS, store, maxBody: 3 * 1024 * 1024 });
    try {
      store.createBin({ id: 'small', name: 'small', createdAt: Date.now(), settings: defaultSettings() });
      const over = await fetch(`${small.origin}/b/small`, { method: 'POST', body: 'x'.repeat(3000) });
      expect(over.status).toBe(413);
      expect(((await over.json()) as Json).error.message).toBe(`the body is over the 1000 bytes limit; its first 1000 bytes were recorded as capture ${over.headers.get('x-hookbin-capture-id')}`);
      const huge = await fetch(`${big.origin}/b/small`, { method: 'POST', body: Buffer.alloc(4 * 1024 * 1024) });
      expect(((await huge.json()) as Json).error.message).toMatch(/^the body is over the 3 MiB limit; its first 65536 bytes were recorded/);
    } finally {
      await Promise.all([small.close(), big.close()]);
      store.close();
    }
  });

  it('/b/ and /b name no bin: 404 saying what a bin URL is; an unknown bin is named', async () => {
    const s = server();
    for (const path of ['/b/', '/b', '/b?x=1']) {
      const res = await s.raw(path, { method: 'POST', body: 'x' });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(await res.json()).toEqual({ error: { code: 'bin_not_found', message: 'a bin URL is /b/{binId}' } });
    }
    const res = await s.raw('/b/no-such-bin/x', { method: 'POST', body: 'x' });
    expect(await res.json()).toEqual({ error: { code: 'bin_not_found', message: 'there is no bin "no-such-bin"' } });
  });

  it('a bin deleted while a body was arriving: 404, nothing stored', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const served = await serveDeps({ ...DEPS, store, maxBody: 1000 });
    try {
      store.createBin({ id: 'doomed', name: 'doomed', createdAt: Date.now(), settings: defaultSettings() });
      // The server's own 'request' listeners run in order: when this one runs, the bin handler has looked the bin up.
      const dispatched = new Promise((resolve) => served.listener.server.once('request', resolve));
      const socket = connect(served.port, '127.0.0.1', () => socket.write('POST /b/doomed HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n12345'));
      socket.on('error', () => {});
      const reply: Buffer[] = [];
      socket.on('data', (d: Buffer) => reply.push(d));
      await dispatched;
      expect(store.deleteBin('doomed')).toBe(true);
      socket.write('67890');
      await waitFor(() => Buffer.concat(reply).toString().includes('}'));
      socket.destroy();
      const text = Buffer.concat(reply).toString();
      expect(text).toMatch(/^HTTP\/1\.1 404 /);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'bin_not_found', message: 'there is no bin "doomed"' } });
    } finally {
      await served.close();
      store.close();
    }
  });

  it('a client that stops sending mid-body (half-closes) gets a 400 and nothing is stored', async () => {
    const s = server();
    const id = `half-${Date.now()}`;
    expect((await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) })).status).toBe(201);
    const socket = connect(s.port, '127.0.0.1', () => socket.end(`POST /b/${id} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly part`));
    const reply: Buffer[] = [];
    socket.on('data', (d: Buffer) => reply.push(d));
    socket.on('error', () => {});
    await new Promise((resolve) => socket.on('close', resolve));
    // Node's parser answers it: the body can never be complete.
    expect(Buffer.concat(reply).toString()).toMatch(/^HTTP\/1\.1 400 /);
    const list = (await (await s.api(`/api/bins/${id}/captures`)).json()) as { captures: unknown[] };
    expect(list.captures).toEqual([]);
  });

  it('a client that hangs up mid-body: nothing stored, and no error logged (a client leaving is not hookbin failing)', async () => {
    const s = server();
    const id = `abort-${Date.now()}`;
    expect((await s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) })).status).toBe(201);
    const logged = vi.spyOn(console, 'error');
    try {
      const socket = connect(s.port, '127.0.0.1', () => socket.write(`POST /b/${id} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`));
      socket.on('error', () => {});
      // Gone once the server has taken the first part of the body.
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      // The next request on the server is answered after the abort was handled.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await s.raw(`/b/${id}`, { method: 'POST', body: 'after' })).status).toBe(200);
      expect(logged.mock.calls.filter((c) => String(c[0]).includes('unexpected error'))).toEqual([]);
      const list = (await (await s.api(`/api/bins/${id}/captures`)).json()) as { captures: Array<{ bodySize: number }> };
      expect(list.captures.map((c) => c.bodySize)).toEqual([5]);
    } finally {
      logged.mockRestore();
    }
  });

  it('a store that fails: 500 internal, sandboxed like every bin answer', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const served = await serveDeps({ ...DEPS, store, maxBody: 1000 });
    store.createBin({ id: 'gone', name: 'gone', createdAt: Date.now(), settings: defaultSettings() });
    store.close();
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await fetch(`${served.origin}/b/gone`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(((await res.json()) as Json).error.code).toBe('internal');
      expect(quiet).toHaveBeenCalled();
    } finally {
      quiet.mockRestore();
      await served.close();
    }
  });
});
