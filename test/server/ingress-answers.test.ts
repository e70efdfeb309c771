/**
 * The answers the capture path gives of its own accord, each checked for its
 * status and words: a body over the limit, a URL that names no bin, a bin
 * deleted while a body was still arriving, a client that leaves mid-body, and
 * a store that fails. Real server and raw sockets, or `app.request()` where
 * the store must fail.
 */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { hostPolicy } from '../../server/http/security.js';
import { openStore } from '../../server/store/index.js';
import { defaultSettings } from '../../server/capture/settings.js';
import { useServer } from '../support/helpers.js';

const server = useServer({ maxBody: 1024 * 1024 });

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
    try {
      const app = createApp({ store, token: 't0k3n-app', hosts: hostPolicy('127.0.0.1'), maxBody: 1000, webRoot: null, version: '0.0.0-test' });
      store.createBin({ id: 'small', name: 'small', createdAt: Date.now(), settings: defaultSettings() });
      const small = await app.request('/b/small', { method: 'POST', body: 'x'.repeat(3000) });
      expect(small.status).toBe(413);
      expect(((await small.json()) as Json).error.message).toBe(`the body is over the 1000 bytes limit; its first 1000 bytes were recorded as capture ${small.headers.get('x-hookbin-capture-id')}`);
      const big = createApp({ store, token: 't0k3n-app', hosts: hostPolicy('127.0.0.1'), maxBody: 3 * 1024 * 1024, webRoot: null, version: '0.0.0-test' });
      const huge = await big.request('/b/small', { method: 'POST', body: Buffer.alloc(4 * 1024 * 1024) });
      expect(((await huge.json()) as Json).error.message).toMatch(/^the body is over the 3 MiB limit; its first 65536 bytes were recorded/);
    } finally {
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
    try {
      const app = createApp({ store, token: 't0k3n-app', hosts: hostPolicy('127.0.0.1'), maxBody: 1000, webRoot: null, version: '0.0.0-test' });
      store.createBin({ id: 'doomed', name: 'doomed', createdAt: Date.now(), settings: defaultSettings() });
      let reading!: () => void;
      const started = new Promise<void>((resolve) => (reading = resolve));
      let send!: (controller: ReadableStreamDefaultController<Uint8Array>) => void;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('12345'));
          send = (c) => {
            c.enqueue(new TextEncoder().encode('67890'));
            c.close();
          };
        },
        pull(controller) {
          // The capture path is reading the body: the bin has been looked up.
          reading();
          if (!store.getBin('doomed')) send(controller);
        },
      });
      const answer = app.request('/b/doomed', { method: 'POST', body, duplex: 'half' } as RequestInit);
      await started;
      expect(store.deleteBin('doomed')).toBe(true);
      const res = await answer;
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'bin_not_found', message: 'there is no bin "doomed"' } });
    } finally {
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

  it('a body stream that fails for another reason is hookbin\'s error (500), not a client leaving', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const app = createApp({ store, token: 't0k3n-app', hosts: hostPolicy('127.0.0.1'), maxBody: 1000, webRoot: null, version: '0.0.0-test' });
      store.createBin({ id: 'b1', name: 'b1', createdAt: Date.now(), settings: defaultSettings() });
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.error(new Error('disk on fire'));
        },
      });
      const res = await app.request('/b/b1', { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(500);
      expect(quiet).toHaveBeenCalled();
    } finally {
      quiet.mockRestore();
      store.close();
    }
  });

  it('a store that fails: 500 internal, sandboxed like every bin answer', async () => {
    const store = openStore({ file: null, maxCapturesPerBin: 10 });
    const app = createApp({ store, token: 't0k3n-app', hosts: hostPolicy('127.0.0.1'), maxBody: 1000, webRoot: null, version: '0.0.0-test' });
    store.createBin({ id: 'gone', name: 'gone', createdAt: Date.now(), settings: defaultSettings() });
    store.close();
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await app.request('/b/gone', { method: 'POST', body: 'x' });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(((await res.json()) as Json).error.code).toBe('internal');
    } finally {
      quiet.mockRestore();
    }
  });
});

