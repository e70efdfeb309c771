/**
 * Users' own schemes through the real server: PATCH `schemes`, a secret
 * naming one, signed deliveries over HTTP judged valid and invalid with a
 * reason, stored captures re-judged when a scheme changes, the rules
 * refused with 400, `--schemes` (config `schemes`) for every bin with a
 * bin's own winning, and `POST /api/send` signing with a user scheme.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bin, Capture } from '../../server/common/types.js';
import type { CustomSchemeDef } from '../../server/common/custom-scheme.js';
import { cleanupTempDirs, expectJson as json, startServer, type TestServer } from '../support/helpers.js';
import { senderHelpers } from '../support/sender.js';

const ACME: CustomSchemeDef = {
  id: 'acme',
  header: 'X-Acme-Signature',
  algorithm: 'sha512',
  encoding: 'base64',
  prefix: 'v1=',
  signed: '{timestamp}.{method}.{url}.{body}',
  timestampHeader: 'X-Acme-Timestamp',
  toleranceSec: 300,
};
const SECRET = 'acme-secret-1';

let server: TestServer;
const { post, bin, send, settled, captures, capture } = senderHelpers(() => server);
beforeAll(async () => {
  server = await startServer({ schemes: [{ ...ACME, id: 'globex', header: 'X-Globex-Signature' }, { ...ACME, header: 'X-Global-Acme' }] });
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

const patch = (id: string, body: unknown) => server.api(`/api/bins/${id}`, { method: 'PATCH', body: JSON.stringify(body) });

/** POSTs a body to a bin signed the acme way (HMAC computed here, not by hookbin), with `tamper` applied to what is sent. */
async function deliver(binId: string, opts: { secret?: string; header?: string; ts?: number; tamper?: boolean } = {}): Promise<Capture> {
  const body = '{"order":42}';
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const url = `${server.origin}/b/${binId}/hook?x=1`;
  const mac = createHmac('sha512', opts.secret ?? SECRET).update(`${ts}.POST.${url}.${body}`).digest('base64');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Acme-Timestamp': ts, [opts.header ?? 'X-Acme-Signature']: `v1=${mac}` },
    body: opts.tamper ? body.replace('42', '43') : body,
  });
  expect(res.status).toBe(200);
  return capture(res.headers.get('x-hookbin-capture-id')!);
}

describe('a bin’s own scheme', () => {
  it('judges a delivery signed with it valid, and a wrong one invalid with a reason', async () => {
    const b = await bin();
    const updated = await json<Bin>(patch(b.id, { schemes: [ACME], secrets: [{ name: 'acme-key', value: SECRET, scheme: 'acme' }] }));
    expect(updated.schemes).toEqual([ACME]);
    expect(updated.secrets).toEqual([expect.objectContaining({ name: 'acme-key', scheme: 'acme' })]);

    const good = await deliver(b.id);
    expect(good.verdict).toBe('valid');
    expect(good.signatures).toEqual([{ scheme: 'acme', header: 'X-Acme-Signature', status: 'valid', secret: 'acme-key', diagnosis: null, skewSeconds: expect.any(Number) }]);

    const wrongSecret = await deliver(b.id, { secret: 'not-it' });
    expect(wrongSecret.verdict).toBe('invalid');
    expect(wrongSecret.signatures[0]!.diagnosis).toMatch(/^Invalid signature: no secret matches \(tried "acme-key"\)/);

    const tampered = await deliver(b.id, { tamper: true });
    expect(tampered.verdict).toBe('invalid');

    const old = await deliver(b.id, { ts: Math.floor(Date.now() / 1000) - 3600 });
    expect(old.verdict).toBe('expired');
    expect(old.signatures[0]!.diagnosis).toMatch(/signed \d+ s ago, over the 300 s tolerance/);
  });

  it('re-judges stored captures when the schemes change', async () => {
    const b = await bin({ secrets: [{ name: 'k', value: SECRET }] });
    const c = await deliver(b.id);
    expect(c.verdict).toBeNull();
    await json(patch(b.id, { schemes: [ACME] }));
    expect((await captures(b.id))[0]!.verdict).toBe('valid');
    await json(patch(b.id, { schemes: [{ ...ACME, encoding: 'hex' }] }));
    expect((await captures(b.id))[0]!.verdict).toBe('malformed');
    expect((await capture(c.id)).signatures[0]!.diagnosis).toBe('X-Acme-Signature is base64, but the scheme says hex: the base64 digest matches secret "k".');
  });

  it.each([
    [{ schemes: [{ ...ACME, id: 'github' }] }, /scheme "github": id "github" is a built-in scheme/],
    [{ schemes: [{ ...ACME, id: 'paddle' }] }, /id "paddle" is a built-in scheme/],
    [{ schemes: [{ ...ACME, signed: '{timestamp}.{payload}' }] }, /unknown placeholder \{payload\}/],
    [{ schemes: [{ ...ACME, toleranceSec: 0 }] }, /toleranceSec is a whole number of seconds, 1–86400/],
    [{ schemes: [ACME, ACME] }, /"acme" is defined twice/],
    [{ schemes: 'acme' }, /schemes is an array/],
    [{ secrets: [{ name: 'k', value: 'v', scheme: 'nobody' }] }, /secret "k": "nobody" is not a scheme id \(neither built in nor defined in this bin's schemes or --schemes\)/],
  ])('refuses %j with 400 and a sentence', async (body, message) => {
    const b = await bin();
    const res = await patch(b.id, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  });

  it('refuses to remove a scheme a secret still names', async () => {
    const b = await bin({ schemes: [{ ...ACME, id: 'initech' }], secrets: [{ name: 'k', value: SECRET, scheme: 'initech' }] });
    const res = await patch(b.id, { schemes: [] });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/secret \\"k\\": \\"initech\\" is not a scheme id/);
  });
});

describe('--schemes for every bin', () => {
  it('judges a global scheme in any bin', async () => {
    const b = await bin({ secrets: [{ name: 'g', value: SECRET, scheme: 'globex' }] });
    const c = await deliver(b.id, { header: 'X-Globex-Signature' });
    expect(c.signatures).toEqual([{ scheme: 'globex', header: 'X-Globex-Signature', status: 'valid', secret: 'g', diagnosis: null, skewSeconds: expect.any(Number) }]);
  });

  it("lets a bin's own scheme of the same id win", async () => {
    const own = await bin({ schemes: [ACME], secrets: [{ name: 'k', value: SECRET }] });
    expect((await deliver(own.id)).verdict).toBe('valid');
    expect((await deliver(own.id, { header: 'X-Global-Acme' })).verdict).toBeNull();
    const other = await bin({ secrets: [{ name: 'k', value: SECRET }] });
    expect((await deliver(other.id, { header: 'X-Global-Acme' })).verdict).toBe('valid');
  });
});

describe('the sender', () => {
  it('signs with a bin’s own scheme (sign.bin) and with a global one', async () => {
    const b = await bin({ schemes: [ACME], secrets: [{ name: 'acme-key', value: SECRET, scheme: 'acme' }, { name: 'g', value: SECRET, scheme: 'globex' }] });
    for (const sign of [{ scheme: 'acme', secret: 'acme-key', bin: b.id }, { scheme: 'globex', secret: SECRET }]) {
      const d = await settled(await send({ url: `${b.url}/hook?x=1`, body: '{"a":1}', sign }));
      expect(d.state).toBe('delivered');
      const [latest] = await captures(b.id);
      expect((await capture(latest!.id)).signatures.find((v) => v.scheme === sign.scheme)).toMatchObject({ status: 'valid' });
    }
  });

  it('refuses a scheme nobody defines', async () => {
    const res = await post(server, '/api/send', { url: 'http://127.0.0.1:9/x', sign: { scheme: 'nobody', secret: 'x' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/scheme \\"nobody\\" is neither built in nor defined/);
  });
});
