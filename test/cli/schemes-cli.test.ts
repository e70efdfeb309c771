/**
 * `--schemes FILE` (env `HOOKBIN_SCHEMES`) through the built CLI: listed in
 * --help, a bad file exits 2 with one sentence naming the file and the
 * problem, a good one judges every bin's deliveries, and `hookbin send
 * --schemes FILE --scheme acme` signs the acme way.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Capture, CapturePage } from '../../server/common/types.js';
import { tempDir } from '../support/helpers.js';
import { expectOneLineError, runCli, startCli, stop, useCliProcesses, userEnv } from '../support/cli.js';

useCliProcesses();

const ACME = { id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=', signed: '{timestamp}.{body}', timestampHeader: 'X-Acme-Timestamp', toleranceSec: 300 };

function file(content: string): string {
  const path = join(tempDir(), 'schemes.json');
  writeFileSync(path, content);
  return path;
}

describe.concurrent('--schemes FILE', () => {
  it('--help lists --schemes with HOOKBIN_SCHEMES', async () => {
    const r = await runCli(['--help']);
    expect(r.stdout.split('\n').find((l) => /^\s+--schemes\s/.test(l))).toContain('HOOKBIN_SCHEMES');
    expect((await runCli(['send', '--help'])).stdout).toMatch(/--schemes FILE/);
  });

  it.each<[string, string | null, RegExp]>([
    ['a missing file', null, /--schemes cannot read .*nope\.json \(ENOENT\)/],
    ['not JSON', '{', /is not valid JSON/],
    ['a built-in id', JSON.stringify([{ ...ACME, id: 'stripe' }]), /schemes\.json: scheme "stripe": id "stripe" is a built-in scheme/],
    ['an unknown placeholder', JSON.stringify([{ ...ACME, signed: '{ts}.{body}' }]), /schemes\.json: scheme "acme": "signed" names an unknown placeholder \{ts\}/],
    ['not an array', JSON.stringify(ACME), /schemes\.json: schemes is an array/],
  ])('%s exits 2 with one line naming the file', async (_label, content, message) => {
    const path = content === null ? join(tempDir(), 'nope.json') : file(content);
    const r = await runCli(['--memory', '--port', '0'], userEnv({ HOOKBIN_SCHEMES: path }));
    expect(r.code).toBe(2);
    expectOneLineError(r);
    expect(r.stderr).toMatch(message);
  });

});

describe('running with --schemes FILE', () => {
  it('judges every bin with it, and hookbin send signs with it', async () => {
    const path = file(JSON.stringify([ACME]));
    const { cli, banner } = await startCli(['--memory', '--port', '0', '--token', 'schemes-token', '--schemes', path, '--secret', 'acme-key=acme-cli-secret'], userEnv());
    const api = (p: string) => fetch(`${banner.origin}${p}`, { headers: { authorization: 'Bearer schemes-token' } });
    try {
      const body = '{"order":1}';
      const ts = String(Math.floor(Date.now() / 1000));
      const mac = createHmac('sha512', 'acme-cli-secret').update(`${ts}.${body}`).digest('base64');
      const res = await fetch(banner.binUrl, { method: 'POST', headers: { 'X-Acme-Timestamp': ts, 'X-Acme-Signature': `v1=${mac}` }, body });
      const first = (await (await api(`/api/captures/${res.headers.get('x-hookbin-capture-id')}`)).json()) as Capture;
      expect(first.signatures).toEqual([{ scheme: 'acme', header: 'X-Acme-Signature', status: 'valid', secret: 'acme-key', diagnosis: null, skewSeconds: expect.any(Number) }]);

      const sent = await runCli(['send', '--to', banner.binUrl, '--data', body, '--schemes', path, '--scheme', 'acme', '--secret', 'acme-cli-secret'], userEnv());
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toContain('signed acme');
      const binId = banner.binUrl.split('/b/')[1]!;
      const page = (await (await api(`/api/bins/${binId}/captures`)).json()) as CapturePage;
      expect(page.captures[0]!.verdict).toBe('valid');

      const unknown = await runCli(['send', '--to', banner.binUrl, '--data', body, '--scheme', 'acme', '--secret', 'x'], userEnv());
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/--scheme must be a scheme id .* or one defined in --schemes FILE, not "acme"/);
    } finally {
      await stop(cli);
    }
  });
});
