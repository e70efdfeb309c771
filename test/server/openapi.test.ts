/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 document that describes every
 * control-API route of the app (methods and paths as `app.routes` lists
 * them), and nothing the app does not route; behind the token like the rest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/http/app.js';
import { hostPolicy } from '../../server/http/security.js';
import { openStore } from '../../server/store/index.js';

const TOKEN = 't0k3n-openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown>; parameters?: { name: string; in: string }[] } & Record<string, unknown>>>;
} & Record<string, unknown>;

describe('the OpenAPI description', () => {
  const store = openStore({ file: null, maxCapturesPerBin: 100 });
  const app = createApp({ store, token: TOKEN, hosts: hostPolicy('127.0.0.1'), maxBody: 1024, webRoot: null, version: '9.8.7-test' });
  afterAll(() => store.close());
  const get = (path: string, token: string | null = TOKEN) =>
    app.request(`http://127.0.0.1${path}`, { headers: { host: '127.0.0.1', ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });

  /** The control API's routes as the app has them: `GET /api/bins/{binId}`, middleware and catch-alls left out. */
  const appRoutes = () =>
    new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL' && !r.path.includes('*'))
        .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
    );
  const described = (doc: Doc) => new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((k) => METHODS.includes(k)).map((m) => `${m.toUpperCase()} ${path}`)));

  it('is OpenAPI 3.1 with the version of hookbin that serves it, behind the token', async () => {
    expect((await get('/api/openapi.json', null)).status).toBe(401);
    expect((await get('/api/openapi.json', 'wrong')).status).toBe(401);
    const res = await get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.8.7-test');
  });

  it('describes every route of the control API, and no route the app does not have', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as Doc;
    const routes = appRoutes();
    // The enumeration itself works: these are routes of the app.
    for (const r of ['GET /api/bins/{binId}', 'POST /api/send', 'GET /api/openapi.json', 'DELETE /api/outbox/{id}']) expect(routes).toContain(r);
    const inDoc = described(doc);
    expect([...routes].filter((r) => !inDoc.has(r)), 'routes of the app the document does not describe').toEqual([]);
    expect([...inDoc].filter((r) => !routes.has(r)), 'paths in the document the app does not route').toEqual([]);
  });

  it('gives every operation a summary and responses, declares every path parameter, and resolves every $ref', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as Doc;
    for (const [path, item] of Object.entries(doc.paths)) {
      const shared = (item.parameters as unknown as { name: string; in: string }[] | undefined) ?? [];
      for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
        const op = item[method]!;
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        const declared = [...shared, ...(op.parameters ?? [])].filter((p) => p.in === 'path').map((p) => p.name);
        const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        expect(declared.sort(), `${method} ${path}`).toEqual(inPath.sort());
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      const target = r.slice('"$ref":"#/'.length, -1).split('/');
      let at: unknown = doc;
      for (const part of target) at = (at as Record<string, unknown> | undefined)?.[part];
      expect(at, r).toBeDefined();
    }
  });

  it('describes request bodies from the schemas the routes check', async () => {
    const doc = (await (await get('/api/openapi.json')).json()) as Doc;
    const schemaOf = (path: string, method: string) =>
      (doc.paths[path]![method]!.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }).content['application/json']!.schema;
    expect(Object.keys(schemaOf('/api/bins', 'post').properties).sort()).toEqual(['id', 'name']);
    expect(Object.keys(schemaOf('/api/bins/{binId}', 'patch').properties)).toEqual(expect.arrayContaining(['respond', 'secrets', 'eventKey', 'forwardTo', 'cors', 'schemes']));
    expect(schemaOf('/api/send', 'post').required).toEqual(['url']);
    expect(Object.keys(schemaOf('/api/captures/{id}/resend', 'post').properties)).toEqual(expect.arrayContaining(['url', 'resign', 'retry']));
  });
});
