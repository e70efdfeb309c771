/**
 * Failing answers and transport faults: the pure decision (`decideAnswer`)
 * and what a real HTTP client sees from the real server.
 */
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { replyHeaders } from '../../server/capture/faults.js';
import { decideAnswer, type AnswerContext } from '../../server/capture/answer.js';
import { matchGlob } from '../../server/capture/glob.js';
import { defaultRespond } from '../../server/capture/settings.js';
import type { Bin, Capture, CaptureResponse, RespondSettings } from '../../server/common/types.js';
import { cleanupTempDirs, startServer, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

const settings = (over: Partial<RespondSettings> = {}): RespondSettings => ({ ...defaultRespond(), ...over });
const ctx = (attempt: number, over: Partial<AnswerContext> = {}): AnswerContext => ({
  method: 'POST',
  path: '/hooks/stripe',
  headers: [['Content-Type', 'application/json']],
  event: { key: 'evt_1', type: 'invoice.paid', attempt },
  ...over,
});
const statuses = (s: RespondSettings, attempts: number[], over: Partial<AnswerContext> = {}) =>
  attempts.map((a) => {
    const r = decideAnswer(s, ctx(a, over));
    return r.fault ?? r.status;
  });

describe('decideAnswer', () => {
  it('answers the bin default when nothing else is set', () => {
    expect(decideAnswer(settings(), ctx(1))).toEqual({
      status: 200,
      headers: [['content-type', 'application/json']],
      body: '{"ok":true}',
      delayMs: 0,
      fault: null,
      reason: 'default',
    });
  });

  it('failFirst fails the first attempts of each event, then answers normally', () => {
    const s = settings({ failFirst: { count: 2, status: 500 } });
    expect(statuses(s, [1, 2, 3, 4])).toEqual([500, 500, 200, 200]);
    const first = decideAnswer(s, ctx(1));
    expect(first.reason).toBe('failFirst 1/2');
    expect(JSON.parse(first.body)).toEqual({ ok: false, hookbin: 'answered 500 on purpose (failFirst 1/2)' });
    expect(statuses(settings({ failFirst: { count: 1, status: 'reset' } }), [1, 2])).toEqual(['reset', 200]);
  });

  it('sequence answers attempt n with the n-th outcome and repeats the last', () => {
    const s = settings({ sequence: [500, 503, 'hang', 200] });
    expect(statuses(s, [1, 2, 3, 4, 5, 9])).toEqual([500, 503, 'hang', 200, 200, 200]);
    // A 2xx in a sequence answers with the bin's own headers and body.
    expect(decideAnswer(settings({ sequence: [201], body: 'made' }), ctx(1))).toMatchObject({ status: 201, body: 'made' });
  });

  it('random with a seed is reproducible and depends only on event key and attempt', () => {
    const s = settings({ random: { rate: 0.5, status: 503, seed: 42 } });
    const keys = Array.from({ length: 200 }, (_, i) => `evt_${i}`);
    const run = () => keys.map((key) => decideAnswer(s, ctx(1, { event: { key, type: null, attempt: 1 } })).status);
    const a = run();
    expect(run()).toEqual(a);
    const failed = a.filter((x) => x === 503).length;
    // About half, and not all or none: the seed really draws.
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    const other = keys.map((key) => decideAnswer(settings({ random: { rate: 0.5, status: 503, seed: 43 } }), ctx(1, { event: { key, type: null, attempt: 1 } })).status);
    expect(other).not.toEqual(a);
    expect(decideAnswer(settings({ random: { rate: 1, status: 500, seed: null } }), ctx(1, { random: () => 0.99 })).status).toBe(500);
    expect(decideAnswer(settings({ random: { rate: 0.5, status: 500, seed: null } }), ctx(1, { random: () => 0.5 })).status).toBe(200);
  });

  it('rules take precedence over failFirst, sequence, random and the default, first match wins', () => {
    const s = settings({
      failFirst: { count: 5, status: 500 },
      rules: [
        { match: { method: 'get' }, respond: { status: 204 } },
        { match: { path: '/hooks/*', eventType: 'invoice.*' }, respond: { status: 202, body: 'ruled' } },
        { match: { header: { name: 'x-mode', value: 'slow-*' } }, respond: { delayMs: 1500 } },
        { match: { header: { name: 'X-Crash' } }, respond: { fault: 'reset' } },
      ],
    });
    expect(decideAnswer(s, ctx(1, { method: 'GET' }))).toMatchObject({ status: 204, body: '', reason: 'rule 1' });
    expect(decideAnswer(s, ctx(1))).toMatchObject({ status: 202, body: 'ruled', reason: 'rule 2' });
    // Rule 2 needs both its path and its event type.
    expect(decideAnswer(s, ctx(1, { event: { key: 'e', type: 'customer.created', attempt: 1 } })).reason).toBe('failFirst 1/5');
    expect(decideAnswer(s, ctx(1, { path: '/hooks/a/b' })).reason).toBe('failFirst 1/5');
    const slow = decideAnswer(s, ctx(1, { path: '/x', headers: [['X-Mode', 'slow-please']] }));
    expect(slow).toMatchObject({ status: 200, delayMs: 1500, reason: 'rule 3' });
    expect(decideAnswer(s, ctx(1, { path: '/x', headers: [['x-crash', '']] }))).toMatchObject({ status: null, fault: 'reset', reason: 'rule 4' });
  });

  it('adds Retry-After to 429 and 503 answers when set, never twice', () => {
    const s = settings({ sequence: [429, 503, 500], retryAfter: 30 });
    const [a, b, c] = [1, 2, 3].map((n) => decideAnswer(s, ctx(n)));
    expect(a!.headers).toContainEqual(['retry-after', '30']);
    expect(b!.headers).toContainEqual(['retry-after', '30']);
    expect(c!.headers.some(([n]) => n === 'retry-after')).toBe(false);
    const own = decideAnswer(settings({ status: 503, headers: { 'Retry-After': '5' }, retryAfter: 30 }), ctx(1));
    expect(own.headers.filter(([n]) => n.toLowerCase() === 'retry-after')).toEqual([['Retry-After', '5']]);
  });

  it('a bin fault applies to every request; a delay rides along', () => {
    expect(decideAnswer(settings({ fault: 'hang', delayMs: 100 }), ctx(1))).toEqual({
      status: null,
      headers: [],
      body: '',
      delayMs: 100,
      fault: 'hang',
      reason: 'default',
    } satisfies CaptureResponse);
  });

  it('globs: * stays within a segment, ** crosses them, ? is one character, the rest is literal', () => {
    expect(matchGlob('/hooks/*', '/hooks/a')).toBe(true);
    expect(matchGlob('/hooks/*', '/hooks/a/b')).toBe(false);
    expect(matchGlob('/hooks/**', '/hooks/a/b')).toBe(true);
    expect(matchGlob('v?', 'v1')).toBe(true);
    expect(matchGlob('a.b', 'axb')).toBe(false);
    expect(matchGlob('(x)+[y]', '(x)+[y]')).toBe(true);
  });
});

/** A bin on a real server; the default is changed with `respond`. */
async function binWith(server: TestServer, id: string, respond: Record<string, unknown>): Promise<string> {
  await server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) });
  const res = await server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify({ respond }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return `${server.origin}/b/${id}`;
}

/** Delivers an event the way a provider does: a delivery id header and a JSON body. */
async function deliver(url: string, key: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'webhook-id': key, 'content-type': 'application/json' }, body: `{"id":"${key}"}`, ...init });
}

/** A raw request that reports how it ended: a status, a socket error, or a client timeout. */
function outcome(url: string, timeoutMs: number): Promise<{ status?: number; error?: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - started }));
    });
    req.setTimeout(timeoutMs, () => {
      resolve({ error: 'timeout', ms: Date.now() - started });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, ms: Date.now() - started }));
    req.end('{"id":"evt_fault"}');
  });
}

describe('decideAnswer, each outcome exactly', () => {
  const decide = (over: Partial<RespondSettings>, attempt = 1, ctxOver: Partial<AnswerContext> = {}) => decideAnswer(settings(over), ctx(attempt, ctxOver));

  it('an empty sequence is no sequence: the bin answers as it is set', () => {
    expect(decide({ sequence: [] })).toEqual({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}', delayMs: 0, fault: null, reason: 'default' });
  });

  it('a fault in a sequence is that fault, with the bin\'s delay', () => {
    expect(decide({ sequence: ['reset', 200], delayMs: 40 })).toEqual({ status: null, headers: [], body: '', delayMs: 40, fault: 'reset', reason: 'sequence 1' });
    expect(decide({ sequence: ['hang'] }, 3)).toMatchObject({ fault: 'hang', reason: 'sequence 3' });
  });

  it('a failing outcome says in JSON it was on purpose; a 2xx, or the bin\'s own status, is the bin\'s reply', () => {
    expect(decide({ failFirst: { count: 1, status: 300 } })).toEqual({
      status: 300,
      headers: [['content-type', 'application/json']],
      body: '{"ok":false,"hookbin":"answered 300 on purpose (failFirst 1/1)"}',
      delayMs: 0,
      fault: null,
      reason: 'failFirst 1/1',
    });
    const text: [string, string] = ['content-type', 'text/plain; charset=utf-8'];
    expect(decide({ failFirst: { count: 1, status: 299 }, headers: { 'x-bin': '1' }, body: 'bin body' })).toMatchObject({ status: 299, headers: [['x-bin', '1'], text], body: 'bin body' });
    expect(decide({ status: 500, headers: { 'x-bin': '1' }, body: 'bin body', failFirst: { count: 1, status: 500 } })).toMatchObject({ status: 500, headers: [['x-bin', '1'], text], body: 'bin body' });
  });

  it('random says whether it was seeded', () => {
    expect(decide({ random: { rate: 1, status: 503, seed: null } }).reason).toBe('random');
    expect(decide({ random: { rate: 1, status: 503, seed: 7 } }).reason).toBe('random (pattern 7)');
    expect(decide({ random: { rate: 0, status: 503, seed: null } }).reason).toBe('default');
  });

  it('Retry-After goes with 429 and 503 only', () => {
    for (const status of [429, 503]) expect(decide({ status, retryAfter: 30 }).headers, String(status)).toContainEqual(['retry-after', '30']);
    for (const status of [500, 502, 200]) expect(decide({ status, retryAfter: 30 }).headers.map(([n]) => n), String(status)).not.toContain('retry-after');
    expect(decide({ status: 503, retryAfter: null }).headers.map(([n]) => n)).not.toContain('retry-after');
    expect(decide({ status: 429, retryAfter: 30, headers: { 'Retry-After': '5' } }).headers).toEqual([['Retry-After', '5'], ['content-type', 'application/json']]);
  });

  it('a rule without a status or fault keeps the bin\'s fault; one with a status answers it instead; one with a fault has it', () => {
    const rule = (respond: RespondSettings['rules'][number]['respond']) => ({ match: { path: '/hooks/*' }, respond });
    expect(decide({ fault: 'hang', rules: [rule({ delayMs: 5 })] })).toMatchObject({ status: null, fault: 'hang', delayMs: 5, reason: 'rule 1' });
    expect(decide({ fault: 'hang', rules: [rule({ status: 202 })] })).toMatchObject({ status: 202, fault: null, reason: 'rule 1' });
    expect(decide({ fault: null, rules: [rule({ fault: 'reset' })] })).toMatchObject({ status: null, fault: 'reset' });
    expect(decide({ fault: 'hang', rules: [rule({ status: 202, fault: 'reset' })] })).toMatchObject({ fault: 'reset' });
    expect(decide({ fault: null, rules: [rule({})] })).toMatchObject({ status: 200, fault: null, body: '{"ok":true}' });
  });

  it('types each body by itself: the bin’s, a rule’s own, hookbin’s on-purpose JSON', () => {
    const type = (r: CaptureResponse) => r.headers.find(([n]) => n === 'content-type')?.[1];
    const s = settings({
      body: 'plain',
      failFirst: { count: 1, status: 500 },
      rules: [
        { match: { path: '/json' }, respond: { body: '{"a":1}' } },
        { match: { path: '/same' }, respond: { status: 201 } },
        { match: { path: '/empty' }, respond: { body: '' } },
      ],
    });
    expect(type(decideAnswer(s, ctx(2)))).toBe('text/plain; charset=utf-8');
    expect(type(decideAnswer(s, ctx(1)))).toBe('application/json');
    expect(type(decideAnswer(s, ctx(1, { path: '/json' })))).toBe('application/json');
    expect(type(decideAnswer(s, ctx(1, { path: '/same' })))).toBe('text/plain; charset=utf-8');
    expect(type(decideAnswer(s, ctx(1, { path: '/empty' })))).toBeUndefined();
    // A 204 sends no body, so no type.
    expect(type(decideAnswer(settings({ status: 204 }), ctx(1)))).toBeUndefined();
    // A Content-Type the user gives types the bin's body, never hookbin's own JSON.
    const typed = settings({ headers: { 'Content-Type': 'text/xml', 'x-trace': 't' }, body: '<ok/>', failFirst: { count: 1, status: 500 } });
    expect(decideAnswer(typed, ctx(1)).headers).toEqual([['x-trace', 't'], ['content-type', 'application/json']]);
    expect(decideAnswer(typed, ctx(2)).headers).toEqual([['Content-Type', 'text/xml'], ['x-trace', 't']]);
    // New settings, new type: nothing is kept from the object before.
    expect(type(decideAnswer({ ...s, body: '[]' }, ctx(2)))).toBe('application/json');
  });

  it('an eventType rule does not match a request without an event type', () => {
    const rules = [{ match: { eventType: '**' }, respond: { status: 418 } }];
    expect(decide({ rules }).status).toBe(418);
    expect(decide({ rules }, 1, { event: { key: 'k', type: null, attempt: 1 } }).status).toBe(200);
  });
});

describe('replyHeaders', () => {
  it('are what a Headers object makes of the configured pairs: lower-case, joined, trimmed, with the capture id', () => {
    const out = replyHeaders([['X-A', ' 1 '], ['x-a', '2'], ['Content-Type', 'text/x']], 'cap1', true);
    const expected = new Headers([['X-A', ' 1 '], ['x-a', '2'], ['Content-Type', 'text/x'], ['X-Hookbin-Capture-Id', 'cap1']]);
    expect(Object.entries(out).sort()).toEqual([...expected]);
  });

  it('give a body without a Content-Type text/plain, and never send Set-Cookie or Clear-Site-Data (they act on hookbin’s origin)', () => {
    expect(replyHeaders([], 'c', true)['content-type']).toBe('text/plain; charset=UTF-8');
    expect(replyHeaders([], 'c', false)['content-type']).toBeUndefined();
    const cookies = replyHeaders([['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['Clear-Site-Data', '"storage"'], ['X-Ok', '1']], 'c', false);
    expect(cookies).toEqual({ 'x-ok': '1', 'x-hookbin-capture-id': 'c' });
  });
});

describe('failing answers through the real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('failFirst {count: 2, status: 500} with two events interleaved gives 500, 500, 200 for each', async () => {
    const url = await binWith(server, 'ff', { failFirst: { count: 2, status: 500 } });
    const seen: Record<string, number[]> = { a: [], b: [] };
    for (const key of ['a', 'b', 'a', 'b', 'a', 'b']) seen[key]!.push((await deliver(url, `evt_${key}`)).status);
    expect(seen).toEqual({ a: [500, 500, 200], b: [500, 500, 200] });
  });

  it('concurrent deliveries of one event are numbered 1..n, never twice the same', async () => {
    const url = await binWith(server, 'race', { failFirst: { count: 3, status: 500 } });
    const results = await Promise.all(Array.from({ length: 6 }, () => deliver(url, 'evt_race')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 500, 500, 500]);
    const list = (await (await server.api('/api/bins/race/captures')).json()) as { captures: Capture[] };
    expect(list.captures.map((c) => c.event.attempt).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('sequence answers each event attempt in turn, and the capture records it', async () => {
    const url = await binWith(server, 'seq', { sequence: [503, 429, 200], retryAfter: 7 });
    const res = [await deliver(url, 'e1'), await deliver(url, 'e1'), await deliver(url, 'e1'), await deliver(url, 'e1')];
    expect(res.map((r) => r.status)).toEqual([503, 429, 200, 200]);
    expect(res[0]!.headers.get('retry-after')).toBe('7');
    const cap = (await (await server.api(`/api/captures/${res[1]!.headers.get('x-hookbin-capture-id')}`)).json()) as Capture;
    expect(cap.response).toMatchObject({ status: 429, fault: null, reason: 'sequence 2' });
    expect(cap.event).toEqual({ key: 'e1', type: null, attempt: 2 });
  });

  it('reset is a socket error for a real client, and is recorded', async () => {
    const url = await binWith(server, 'reset', { fault: 'reset' });
    const r = await outcome(url, 5000);
    expect(r.status).toBeUndefined();
    expect(r.error).toMatch(/ECONNRESET|socket hang up/);
    const list = (await (await server.api('/api/bins/reset/captures')).json()) as { captures: Capture[] };
    expect(list.captures).toHaveLength(1);
    expect(list.captures[0]!.status).toBeNull();
    const cap = (await (await server.api(`/api/captures/${list.captures[0]!.id}`)).json()) as Capture;
    expect(cap.response).toMatchObject({ status: null, fault: 'reset' });
    // The server lives on.
    expect((await fetch(`${server.origin}/api/health`)).status).toBe(200);
  });

  it('hang never answers: the client times out; the capture is stored meanwhile', async () => {
    const url = await binWith(server, 'hang', { fault: 'hang' });
    const r = await outcome(url, 700);
    expect(r.error).toBe('timeout');
    expect(r.ms).toBeGreaterThanOrEqual(650);
    const list = (await (await server.api('/api/bins/hang/captures')).json()) as { captures: Capture[] };
    expect(list.captures).toHaveLength(1);
  });

  it('honours a delay and records it; the capture is visible before the answer', async () => {
    const url = await binWith(server, 'slow', { delayMs: 600 });
    const pending = outcome(url, 5000);
    await new Promise((r) => setTimeout(r, 200));
    const during = (await (await server.api('/api/bins/slow/captures')).json()) as { captures: Capture[] };
    expect(during.captures).toHaveLength(1);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(580);
  });

  it('refuses bad respond settings with 400 and keeps the old ones', async () => {
    await binWith(server, 'strict', { failFirst: { count: 1, status: 500 } });
    for (const respond of [
      { delayMs: 600_001 },
      { fault: 'explode' },
      { failFirst: { count: 0 } },
      { sequence: [] },
      { sequence: [199] },
      { random: { rate: 1.5 } },
      { rules: [{ match: { method: 'P O S T' }, respond: {} }] },
      { rules: [{ match: {}, respond: { status: 700 } }] },
      { retryAfter: -1 },
    ]) {
      const res = await server.api('/api/bins/strict', { method: 'PATCH', body: JSON.stringify({ respond }) });
      expect(res.status, JSON.stringify(respond)).toBe(400);
    }
    const bin = (await (await server.api('/api/bins/strict')).json()) as Bin;
    expect(bin.respond.failFirst).toEqual({ count: 1, status: 500 });
  });
});

describe('shutdown', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('lets hung requests go and sends delayed answers at once, so close() is prompt', async () => {
    server = await startServer();
    const hang = await binWith(server, 'h', { fault: 'hang' });
    const slow = await binWith(server, 's', { delayMs: 600_000 });
    const hung = outcome(hang, 30_000);
    const delayed = outcome(slow, 30_000);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await server.close();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await delayed).status).toBe(200);
    expect((await hung).error).toMatch(/ECONNRESET|socket hang up/);
  });
});
