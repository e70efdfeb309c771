import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

describe('smoke', () => {
  it('captures a request and serves it back', async () => {
    const server = await startServer();
    try {
      const res = await fetch(server.binUrl, { method: 'POST', body: 'hi' });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-hookbin-capture-id');
      const body = await server.api(`/api/captures/${id}/body`);
      expect(await body.text()).toBe('hi');
    } finally {
      await server.close();
    }
  });
});
