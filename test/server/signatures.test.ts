/**
 * Signature verification through the real server: every shared vector sent
 * over HTTP to a bin holding the case's secret with the clock injected, secret
 * changes re-judging stored captures, global secrets, validation, and no
 * secret value in any API response, WebSocket message or log line.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bin, Capture, CapturePage, MaskedSecret } from '../../server/common/types.js';
import { schemeById } from '../../server/verify/index.js';
import { github } from '../../server/verify/schemes/github.js';
import { SIGNATURE_CASES, UNTIMED_NOW, caseRequest, isExpectedVerdict, withDigestByteFlipped } from '../support/fixtures/signatures.js';
import { BIN_JS, cleanupTempDirs, connectLive, startServer, tempDir, waitFor, type TestServer } from '../support/helpers.js';

afterAll(cleanupTempDirs);

/** A server whose clock the test sets, in unix seconds. */
async function clockedServer(overrides: Parameters<typeof startServer>[0] = {}) {
  let seconds = UNTIMED_NOW;
  const server = await startServer(overrides, () => seconds * 1000);
  return { server, setClock: (s: number) => (seconds = s) };
}

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

function patchBin(server: TestServer, binId: string, body: unknown): Promise<Response> {
  return server.api(`/api/bins/${binId}`, { method: 'PATCH', body: JSON.stringify(body) });
}

async function makeBin(server: TestServer, id: string, secrets: unknown[] = []): Promise<Bin> {
  await json(server.api('/api/bins', { method: 'POST', body: JSON.stringify({ id }) }));
  return json<Bin>(patchBin(server, id, { secrets }));
}

/** POSTs exact bytes with the given headers to a bin; resolves to the capture id. */
async function deliver(server: TestServer, binId: string, headers: [string, string][], body: Buffer): Promise<string> {
  const res = await fetch(`${server.origin}/b/${binId}`, { method: 'POST', headers, body: new Uint8Array(body) });
  expect(res.status).toBe(200);
  return res.headers.get('x-hookbin-capture-id')!;
}

const getCapture = (server: TestServer, id: string) => json<Capture>(server.api(`/api/captures/${id}`));
const listVerdicts = async (server: TestServer, binId: string, query = '') =>
  (await json<CapturePage>(server.api(`/api/bins/${binId}/captures?limit=100${query}`))).captures.map((c) => [c.id, c.verdict]);

function githubHeaders(secret: string, body: Buffer): [string, string][] {
  return [['Content-Type', 'application/json'], ...github.sign({ body, secret, now: UNTIMED_NOW })];
}

describe('every shared vector, through the real server', () => {
  let server: TestServer;
  let setClock: (s: number) => void;
  beforeAll(async () => {
    ({ server, setClock } = await clockedServer());
  });
  afterAll(() => server.close());

  for (const [i, c] of SIGNATURE_CASES.entries()) {
    it(`${c.name}: ${c.expect}`, async () => {
      const req = caseRequest(c);
      setClock(req.now);
      const binId = `vector-${i}`;
      await makeBin(server, binId, [{ name: 'case', value: c.secret }]);
      const id = await deliver(server, binId, req.headers, req.body);

      const capture = await getCapture(server, id);
      expect(Buffer.from(capture.bodyBase64, 'base64').equals(req.body)).toBe(true);
      const verdict = capture.signatures.find((s) => s.scheme === c.scheme);
      expect(verdict, `a ${c.scheme} verdict`).toBeDefined();
      expect(isExpectedVerdict(c, verdict!.status), `${c.name} got ${verdict!.status}`).toBe(true);
      if (c.expect === 'valid') {
        expect(verdict).toMatchObject({ status: 'valid', secret: 'case', diagnosis: null });
      } else {
        expect(verdict!.diagnosis, 'an invalid vector is explained').toMatch(/\.$/);
      }
      // The list carries the same verdict in one word.
      const [summary] = (await json<CapturePage>(server.api(`/api/bins/${binId}/captures`))).captures;
      expect(summary!.verdict).toBe(verdict!.status === 'valid' ? 'valid' : summary!.verdict);
      expect(summary!.verdict === 'valid').toBe(c.expect === 'valid');
    });
  }

  for (const [i, c] of SIGNATURE_CASES.entries()) {
    if (c.expect !== 'valid') continue;
    it(`${c.name} with the last byte of its digest changed: invalid`, async () => {
      const req = caseRequest(c);
      setClock(req.now);
      const binId = `digest-${i}`;
      await makeBin(server, binId, [{ name: 'case', value: c.secret }]);
      const id = await deliver(server, binId, withDigestByteFlipped(schemeById(c.scheme)!, req.headers, -1), req.body);
      const verdict = (await getCapture(server, id)).signatures.find((s) => s.scheme === c.scheme);
      expect(verdict).toMatchObject({ status: 'invalid', secret: null });
    });
  }

  it('an unsigned request has no signatures and a null verdict', async () => {
    const id = await deliver(server, 'vector-0', [['Content-Type', 'text/plain']], Buffer.from('hi'));
    expect((await getCapture(server, id)).signatures).toEqual([]);
    expect((await listVerdicts(server, 'vector-0')).find(([cid]) => cid === id)?.[1]).toBeNull();
  });
});

describe('secrets and stored verdicts', () => {
  let server: TestServer;
  afterEach(() => server.close());

  it('a secret added, changed or removed after capture re-judges stored captures, and tells live clients', async () => {
    ({ server } = await clockedServer());
    await makeBin(server, 'gh');
    const body = Buffer.from(JSON.stringify({ action: 'opened', number: 1, title: 'Grüße 🙂' }));
    const id = await deliver(server, 'gh', githubHeaders('right-secret-123', body), body);
    expect(await listVerdicts(server, 'gh')).toEqual([[id, 'no-secret']]);
    const before = await getCapture(server, id);
    expect(before.signatures[0]).toMatchObject({ scheme: 'github', header: 'X-Hub-Signature-256', status: 'no-secret' });
    expect(before.signatures[0]!.diagnosis).toMatch(/add a secret/i);

    const live = await connectLive(server);
    live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['gh'] }));
    await waitFor(() => live.of('subscribed').length === 1, 2000, 'subscribed');

    const patched = await json<Bin>(patchBin(server, 'gh', { secrets: [{ name: 'gh-app', value: 'right-secret-123', scheme: 'github' }] }));
    expect(patched.secrets).toEqual([{ name: 'gh-app', value: '…-123', scheme: 'github' }]);
    // The PATCH answers after the re-judging: the very next read sees it.
    expect(await listVerdicts(server, 'gh')).toEqual([[id, 'valid']]);
    expect((await getCapture(server, id)).signatures[0]).toMatchObject({ status: 'valid', secret: 'gh-app', diagnosis: null });
    await waitFor(() => live.of('captures.reverified').length === 1, 2000, 'captures.reverified');
    expect(live.of('captures.reverified')[0]).toEqual({ type: 'captures.reverified', binId: 'gh' });

    await json(patchBin(server, 'gh', { secrets: [{ name: 'gh-app', value: 'wrong-secret-456' }] }));
    expect(await listVerdicts(server, 'gh')).toEqual([[id, 'invalid']]);
    expect((await getCapture(server, id)).signatures[0]!.diagnosis).toMatch(/\.$/);

    await json(patchBin(server, 'gh', { secrets: [] }));
    expect(await listVerdicts(server, 'gh')).toEqual([[id, 'no-secret']]);
    live.ws.close();
  });

  it('filters a list by verdict', async () => {
    ({ server } = await clockedServer());
    await makeBin(server, 'mix', [{ name: 'k', value: 'key-one-abc' }]);
    const body = Buffer.from('{"id":"evt_1"}');
    const good = await deliver(server, 'mix', githubHeaders('key-one-abc', body), body);
    const bad = await deliver(server, 'mix', githubHeaders('key-two-xyz', body), body);
    const broken = await deliver(server, 'mix', [['X-Hub-Signature-256', 'nonsense']], body);
    const plain = await deliver(server, 'mix', [], body);
    const ids = async (q: string) => (await listVerdicts(server, 'mix', q)).map(([cid]) => cid);
    expect(await ids('&verdict=valid')).toEqual([good]);
    expect(await ids('&verdict=invalid')).toEqual([bad]);
    expect(await ids('&verdict=malformed')).toEqual([broken]);
    expect(await ids('&verdict=unsigned')).toEqual([plain]);
    expect(await ids('')).toEqual([plain, broken, bad, good]);
    const res = await server.api('/api/bins/mix/captures?verdict=maybe');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/verdict is one of valid/);
  });

  it('a global secret judges every bin, and a restart with other global secrets re-judges what is stored', async () => {
    const dataDir = tempDir();
    ({ server } = await clockedServer({ dataDir, secrets: [{ name: 'global-gh', value: 'global-key-987' }] }));
    const info = await json<{ globalSecrets: MaskedSecret[] }>(server.api('/api/info'));
    expect(info.globalSecrets).toEqual([{ name: 'global-gh', value: '…-987', scheme: null }]);
    const body = Buffer.from('{"zen":"Keep it logically awesome."}');
    const id = await deliver(server, server.defaultBinId, githubHeaders('global-key-987', body), body);
    expect((await getCapture(server, id)).signatures[0]).toMatchObject({ status: 'valid', secret: 'global-gh' });
    // A bin's own secret comes first and names the match when both fit.
    await json(patchBin(server, server.defaultBinId, { secrets: [{ name: 'own', value: 'global-key-987' }] }));
    expect((await getCapture(server, id)).signatures[0]).toMatchObject({ status: 'valid', secret: 'own' });
    await json(patchBin(server, server.defaultBinId, { secrets: [] }));
    await server.close();

    ({ server } = await clockedServer({ dataDir, secrets: [{ name: 'global-gh', value: 'rotated-key-000' }] }));
    expect(await server.reverified).toBe(1);
    expect(await listVerdicts(server, server.defaultBinId)).toEqual([[id, 'invalid']]);
    await server.close();

    // Same secrets again: nothing to re-judge.
    ({ server } = await clockedServer({ dataDir, secrets: [{ name: 'global-gh', value: 'rotated-key-000' }] }));
    expect(await server.reverified).toBe(0);
  });

  it('explains a stale timestamp and a truncated body in one sentence', async () => {
    const stripe = SIGNATURE_CASES.find((c) => c.name === 'pub-stripe-expired')!;
    const req = caseRequest(stripe);
    let setClock: (s: number) => void;
    ({ server, setClock } = await clockedServer({ maxBody: 512 }));
    setClock(req.now);
    await makeBin(server, 'st', [{ name: 'stripe-endpoint', value: stripe.secret }]);
    const id = await deliver(server, 'st', req.headers, req.body);
    const [v] = (await getCapture(server, id)).signatures;
    expect(v).toMatchObject({ status: 'expired', secret: 'stripe-endpoint' });
    expect(v!.diagnosis).toMatch(/4000 s ago, over the 300 s tolerance/);

    const big = Buffer.alloc(600, 'a');
    const res = await fetch(`${server.origin}/b/st`, { method: 'POST', headers: githubHeaders('stripe-endpoint-x', big), body: big });
    expect(res.status).toBe(413);
    const truncated = await getCapture(server, res.headers.get('x-hookbin-capture-id')!);
    expect(truncated.signatures[0]!.diagnosis).toMatch(/Only the first 512 of 600 bytes were kept/);
  });

  it('validates secrets: bad scheme, empty value, duplicate names, a new name without value; keeps a value when omitted', async () => {
    ({ server } = await clockedServer());
    await makeBin(server, 'v', [{ name: 'a', value: 'value-of-a-1' }]);
    const cases: [unknown, RegExp][] = [
      [[{ name: 'a', value: 'x', scheme: 'paypal' }], /not a scheme id/],
      [[{ name: 'a', value: '' }], /must not be empty/],
      [[{ name: 'a', value: 'x' }, { name: 'a', value: 'y' }], /unique/],
      [[{ name: 'b' }], /secret "b" has no value/],
      [[{ name: 'has space', value: 'x' }], /secret name/],
      [[{ name: 'a', value: 'x', extra: 1 }], /extra|unrecognized/i],
      ['not-a-list', /array/i],
    ];
    for (const [secrets, message] of cases) {
      const res = await patchBin(server, 'v', { secrets });
      expect(res.status, JSON.stringify(secrets)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    // Nothing stored was lost by the refused patches.
    expect((await json<Bin>(server.api('/api/bins/v'))).secrets).toEqual([{ name: 'a', value: '…-a-1', scheme: null }]);
    // Omitting the value keeps it: re-scope without ever having seen it.
    await json(patchBin(server, 'v', { secrets: [{ name: 'a', scheme: 'github' }] }));
    const body = Buffer.from('{}');
    const id = await deliver(server, 'v', githubHeaders('value-of-a-1', body), body);
    expect((await getCapture(server, id)).signatures[0]).toMatchObject({ status: 'valid', secret: 'a' });
  });
});

describe('secret values never leave the server', () => {
  const BIN_SECRET = 'Bin-Secret-Zq81wPfeRt-!';
  const GLOBAL_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const ENV_SECRET = 'Env-Secret-Yx45Lm-0042';

  /** The value and long pieces of it: any one found in an output is a leak. */
  function needles(): string[] {
    return [BIN_SECRET, GLOBAL_SECRET, ENV_SECRET].flatMap((s) => [s, s.slice(0, 10), s.slice(-10), s.slice(6, 16)]);
  }

  it('not in API responses nor WebSocket messages', async () => {
    const { server } = await clockedServer({ secrets: [{ name: 'global', value: GLOBAL_SECRET }] });
    try {
      const outputs: string[] = [];
      const api = async (path: string, init?: RequestInit) => {
        const text = await (await server.api(path, init)).text();
        outputs.push(text);
        return text;
      };
      const live = await connectLive(server);
      live.ws.send(JSON.stringify({ type: 'subscribe', bins: ['*'] }));
      await waitFor(() => live.of('subscribed').length === 1, 2000, 'subscribed');

      await api('/api/bins', { method: 'POST', body: '{"id":"leak"}' });
      await api('/api/bins/leak', { method: 'PATCH', body: JSON.stringify({ secrets: [{ name: 'mine', value: BIN_SECRET }] }) });
      // A refused patch must not echo the value either.
      await api('/api/bins/leak', { method: 'PATCH', body: JSON.stringify({ secrets: [{ name: 'bad name', value: BIN_SECRET }] }) });
      await api('/api/bins/leak', { method: 'PATCH', body: JSON.stringify({ secrets: [{ name: 'x', value: BIN_SECRET, scheme: 'nope' }] }) });
      const body = Buffer.from('{"a":1}');
      const signed = [
        ['X-Hub-Signature-256', `sha256=${createHmac('sha256', BIN_SECRET).update('{"a": 1}').digest('hex')}`],
      ] as [string, string][];
      const ids = [
        await deliver(server, 'leak', githubHeaders(BIN_SECRET, body), body),
        await deliver(server, 'leak', signed, body),
        await deliver(server, 'leak', githubHeaders(`${BIN_SECRET}\n`, body), body),
      ];
      for (const id of ids) await api(`/api/captures/${id}`);
      await api('/api/bins');
      await api('/api/bins/leak');
      await api('/api/info');
      await api('/api/bins/leak/captures');
      await waitFor(() => live.of('captures.reverified').length >= 1 && live.of('capture.created').length >= 3, 2000, 'events');
      outputs.push(...live.messages.map((m) => JSON.stringify(m)));
      live.ws.close();

      const all = outputs.join('\n');
      // The check can fail: the values were really in play.
      expect(all).toContain('"mine"');
      expect(all).toContain('"global"');
      for (const n of needles()) expect(all, `leaks ${n}`).not.toContain(n);
    } finally {
      await server.close();
    }
  });

  it('not in the CLI banner, a refused flag, nor logs', async () => {
    const run = (args: string[], env: NodeJS.ProcessEnv, untilBanner: boolean) =>
      new Promise<string>((resolve) => {
        const proc = spawn(process.execPath, [BIN_JS, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        const onData = (d: Buffer) => {
          out += String(d);
          if (untilBanner && out.includes('Ctrl+C')) proc.kill('SIGTERM');
        };
        proc.stdout.on('data', onData);
        proc.stderr.on('data', onData);
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.on('close', () => {
          clearTimeout(timer);
          resolve(out);
        });
      });
    const env = { PATH: process.env.PATH, HOME: tempDir(), HOOKBIN_SECRET_envkey: ENV_SECRET };
    const started = await run(['--port', '0', '--memory', '--secret', `cli=${GLOBAL_SECRET}`], env, true);
    expect(started).toContain('Secrets    envkey, cli');
    const refused = await run(['--port', '0', '--memory', '--secret', `bad name=${BIN_SECRET}`], env, false);
    expect(refused).toMatch(/--secret must be NAME=VALUE/);
    const twice = await run(['--port', '0', '--memory', '--secret', `envkey=${BIN_SECRET}`], env, false);
    expect(twice).toMatch(/"envkey" is given twice/);
    for (const n of needles()) expect(started + refused + twice, `leaks ${n}`).not.toContain(n);
  });
});
