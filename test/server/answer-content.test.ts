/**
 * What a bin's answers carry, over real HTTP: a body's Content-Type is
 * inferred (JSON or UTF-8 text) unless the user gives one, `headers` add to
 * hookbin's instead of replacing them, and every kind of answer of a bin
 * (default, fixed, failFirst, sequence, random, Retry-After, rules, 413)
 * keeps the headers the user set; a header set explicitly wins.
 */
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startServer, tempDir, useServer } from '../support/helpers.js';

/** The migration that drops the stored default, by its number: the database is set back to just before it. */
const ANSWER_TYPE_MIGRATION = Number(
  readdirSync(new URL('../../server/store/migrations/', import.meta.url))
    .find((f) => f.endsWith('_answer_content_type.sql'))!
    .slice(0, 3),
);

const server = useServer({ maxBody: 1024 });
afterAll(cleanupTempDirs);

let n = 0;
/** A new bin answering with `respond` (PATCHed as the README shows); its URL. */
async function bin(respond: Record<string, unknown>): Promise<string> {
  const id = `ct-${++n}`;
  await server().api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
  const res = await server().api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ respond }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return `${server().origin}/b/${id}`;
}

/** Delivers attempt after attempt of one event (same webhook-id); status, Content-Type, a header and the body of each. */
async function deliver(url: string, key = 'evt_1', header = 'x-trace', body = '{"id":1}') {
  const res = await fetch(url, { method: 'POST', headers: { 'webhook-id': key, 'content-type': 'application/json' }, body });
  return { status: res.status, type: res.headers.get('content-type'), header: res.headers.get(header), retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

describe('answer content types', () => {
  it('the README example answers its text body as text, not JSON', async () => {
    const url = await bin({ status: 500, body: 'down for maintenance' });
    expect(await deliver(url)).toMatchObject({ status: 500, type: 'text/plain; charset=utf-8', body: 'down for maintenance' });
  });

  it('the default answers {"ok":true} as JSON; a JSON body set later is JSON too', async () => {
    expect(await deliver(await bin({}))).toMatchObject({ status: 200, type: 'application/json', body: '{"ok":true}' });
    expect(await deliver(await bin({ body: '[1, 2]' }))).toMatchObject({ type: 'application/json', body: '[1, 2]' });
  });

  it('one header added keeps the inferred Content-Type', async () => {
    const url = await bin({ headers: { 'access-control-allow-origin': '*' } });
    expect(await deliver(url, 'e', 'access-control-allow-origin')).toMatchObject({ status: 200, type: 'application/json', header: '*', body: '{"ok":true}' });
  });

  it('a Content-Type the user sets types the bin’s body; hookbin’s on-purpose JSON stays application/json, the other headers kept', async () => {
    const url = await bin({ headers: { 'Content-Type': 'text/xml', 'x-trace': 'kept' }, body: '<ok/>', failFirst: { count: 1, status: 500 } });
    const failed = await deliver(url, 'e', 'x-trace');
    expect(failed).toMatchObject({ status: 500, type: 'application/json', header: 'kept' });
    expect(JSON.parse(failed.body)).toMatchObject({ ok: false });
    expect(await deliver(url, 'e', 'x-trace')).toMatchObject({ status: 200, type: 'text/xml', header: 'kept', body: '<ok/>' });
  });

  it('failFirst, sequence and random answers keep the bin’s headers, with Retry-After where set', async () => {
    const headers = { 'x-trace': 'kept' };
    const ff = await bin({ headers, failFirst: { count: 1, status: 503 }, retryAfter: 7 });
    expect(await deliver(ff)).toMatchObject({ status: 503, type: 'application/json', header: 'kept', retryAfter: '7' });
    expect(await deliver(ff)).toMatchObject({ status: 200, type: 'application/json', header: 'kept', retryAfter: null });

    const seq = await bin({ headers, body: 'fine', sequence: [429, 200] });
    expect(await deliver(seq)).toMatchObject({ status: 429, type: 'application/json', header: 'kept' });
    expect(await deliver(seq)).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8', header: 'kept', body: 'fine' });

    const rnd = await bin({ headers, random: { rate: 1, status: 502 } });
    expect(await deliver(rnd)).toMatchObject({ status: 502, type: 'application/json', header: 'kept' });
  });

  it('a rule’s headers add to the bin’s (the rule’s win by name), its body typed as any other', async () => {
    const url = await bin({
      headers: { 'x-trace': 'bin', 'x-bin': 'yes' },
      rules: [{ match: { path: '/text' }, respond: { status: 202, body: 'accepted', headers: { 'X-Trace': 'rule' } } }],
    });
    const res = await fetch(`${url}/text`, { method: 'POST', body: 'x' });
    expect([res.status, res.headers.get('content-type'), res.headers.get('x-trace'), res.headers.get('x-bin'), await res.text()]).toEqual([
      202,
      'text/plain; charset=utf-8',
      'rule',
      'yes',
      'accepted',
    ]);
  });

  it('a 413 keeps the bin’s headers but types its own JSON error', async () => {
    const url = await bin({ headers: { 'x-trace': 'kept', 'content-type': 'text/xml' } });
    const big = await deliver(url, 'big', 'x-trace', 'x'.repeat(4096));
    expect(big).toMatchObject({ status: 413, type: 'application/json', header: 'kept' });
  });

  it('the capture records the inferred Content-Type as sent', async () => {
    const url = await bin({ body: 'plain words' });
    const res = await fetch(url, { method: 'POST', body: 'x' });
    const id = res.headers.get('x-hookbin-capture-id')!;
    const cap = (await (await server().api(`/api/captures/${id}`)).json()) as { response: { headers: [string, string][] } };
    expect(cap.response.headers).toContainEqual(['content-type', 'text/plain; charset=utf-8']);
  });
});

describe('bins stored with the old default header', () => {
  it('lose the Content-Type hookbin used to store for them, and keep one the user chose', async () => {
    const dataDir = tempDir();
    const first = await startServer({ dataDir });
    for (const id of ['old-default', 'old-chosen']) await first.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
    const file = first.dbFile!;
    await first.close();
    // As an earlier hookbin left them: the default header stored, a text body set later.
    const db = new Database(file);
    const old = (type: string) => JSON.stringify({ respond: { status: 500, headers: { 'content-type': type }, body: 'down for maintenance' }, secrets: [], eventKey: null });
    db.prepare('UPDATE bins SET settings = ? WHERE id = ?').run(old('application/json'), 'old-default');
    db.prepare('UPDATE bins SET settings = ? WHERE id = ?').run(old('text/html'), 'old-chosen');
    // Without what the migrations after it made (search, 010): the database of a hookbin from before 009.
    db.exec("DROP TRIGGER captures_text_delete; DROP TABLE capture_text; DROP TABLE capture_text_gone; DELETE FROM meta WHERE key = 'search.indexedTo'");
    db.pragma(`user_version = ${ANSWER_TYPE_MIGRATION - 1}`);
    db.close();

    const second = await startServer({ dataDir });
    try {
      const a = await fetch(`${second.origin}/b/old-default`, { method: 'POST', body: 'x' });
      expect([a.status, a.headers.get('content-type')]).toEqual([500, 'text/plain; charset=utf-8']);
      const b = await fetch(`${second.origin}/b/old-chosen`, { method: 'POST', body: 'x' });
      expect(b.headers.get('content-type')).toBe('text/html');
    } finally {
      await second.close();
    }
  });
});
