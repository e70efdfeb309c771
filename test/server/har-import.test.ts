/**
 * A HAR saved by a browser's devtools imports as the requests it recorded:
 * a form given as `postData.params` alone (HAR 1.2 makes `text` and `params`
 * alternatives) becomes the body a browser sends, URL-encoded or multipart
 * with the request's own boundary; devtools' `_` fields are ignored.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../../server/common/types.js';
import { expectError, expectJson, useServer, type TestServer } from '../support/helpers.js';

const server = useServer();

async function bodies(s: TestServer, binId: string): Promise<string[]> {
  const { captures } = await expectJson<{ captures: CaptureSummary[] }>(s.api(`/api/bins/${binId}/captures`));
  return Promise.all(captures.reverse().map(async (c) => (await s.api(`/api/captures/${c.id}/body`)).text()));
}

/** An entry as Chrome writes one, its form given by params only. */
function chromeEntry(contentType: string, params: unknown[]) {
  return {
    _initiator: { type: 'script' },
    _priority: 'High',
    _resourceType: 'fetch',
    cache: {},
    connection: '443',
    request: {
      method: 'POST',
      url: 'https://shop.example/checkout/submit?step=2',
      httpVersion: 'http/2.0',
      headers: [{ name: ':method', value: 'POST' }, { name: 'content-type', value: contentType }],
      queryString: [{ name: 'step', value: '2' }],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
      postData: { mimeType: contentType, params },
    },
    response: { status: 200, statusText: '', httpVersion: 'http/2.0', headers: [], cookies: [], content: { size: 2, mimeType: 'application/json', text: 'e30=', encoding: 'base64' }, redirectURL: '', headersSize: -1, bodySize: -1, _transferSize: 120, _error: null },
    serverIPAddress: '203.0.113.5',
    startedDateTime: '2026-03-04T05:06:07.089Z',
    time: 42.1,
    timings: { blocked: 1, dns: -1, ssl: -1, connect: -1, send: 0.1, wait: 40, receive: 1, _blocked_queueing: 0.5 },
  };
}

describe('HAR import of a browser devtools export', () => {
  it('rebuilds a form given as params: URL-encoded, or multipart with the boundary of its Content-Type', async () => {
    const s = server();
    await expectJson(s.api('/api/bins', { method: 'POST', body: JSON.stringify({ id: 'chrome' }) }), 201);
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [],
        entries: [
          chromeEntry('application/x-www-form-urlencoded', [{ name: 'a b', value: '1&2' }, { name: 'city', value: 'Zürich' }, { name: 'empty' }]),
          chromeEntry('multipart/form-data; boundary=----WebKitFormBoundaryX', [{ name: 'note', value: 'hi' }, { name: 'file', fileName: 'a.txt', contentType: 'text/plain', value: 'file text' }]),
        ],
      },
    };
    expect(await expectJson(s.api('/api/bins/chrome/import', { method: 'POST', body: JSON.stringify(har) }))).toMatchObject({ format: 'har', imported: 2 });
    expect(await bodies(s, 'chrome')).toEqual([
      'a+b=1%262&city=Z%C3%BCrich&empty=',
      '------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n' +
        '------WebKitFormBoundaryX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile text\r\n' +
        '------WebKitFormBoundaryX--\r\n',
    ]);
    const { captures } = await expectJson<{ captures: CaptureSummary[] }>(s.api('/api/bins/chrome/captures'));
    expect(captures[1]).toMatchObject({ path: '/checkout/submit', query: 'step=2', status: 200 });

    const noBoundary = { log: { entries: [chromeEntry('multipart/form-data', [{ name: 'x', value: 'y' }])] } };
    expect(await expectError(await s.api('/api/bins/chrome/import', { method: 'POST', body: JSON.stringify(noBoundary) }), 400, 'invalid_import')).toMatch(/^entry 1: request\.postData gives params without text/);
  });
});
