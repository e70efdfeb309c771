/**
 * `hookbin check`, spawned the way a user runs it (`node bin/hookbin.js
 * check …`), against small receivers running in this process: exit 0 when
 * every check passes, 1 when one fails (named, with its request and reply),
 * 2 for bad usage in one sentence; `--json` prints the report.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../server/common/check.js';
import { BIN_JS, cleanupTempDirs, tempDir } from '../support/helpers.js';
import { acceptAll, ownSchemeReceiver, stripeReceiver, twilioReceiver, useApps } from '../support/check-apps.js';

beforeAll(() => {
  if (!existsSync(new URL('../../dist/server/main/cli.js', import.meta.url))) {
    throw new Error('dist/server/main/cli.js is missing: run `npm run build` before the CLI tests');
  }
});
afterAll(() => cleanupTempDirs());
const app = useApps();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hookbin check …` to completion with a clean environment (no HOOKBIN_* of ours) plus `env`. */
function hookbinCheck(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOOKBIN_')) clean[k] = v;
  const proc = spawn(process.execPath, [BIN_JS, 'check', ...args], { env: { ...clean, HOME: tempDir('hookbin-home-'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    proc.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

const STRIPE_SECRET = 'whsec_check_cli_secret';
/** The report's lines that open a check's block: `PASS  valid  …`. */
const heads = (stdout: string) => stdout.split('\n').filter((l) => /^(PASS|FAIL|SKIP|INFO)  /.test(l)).map((l) => l.split(/\s+/).slice(0, 2).join(' '));

describe('hookbin check', () => {
  it('exits 0 against an endpoint that verifies with stripe.webhooks.constructEvent, the secret given by name', async () => {
    const a = await app(stripeReceiver(STRIPE_SECRET));
    const run = await hookbinCheck(['--to', a.url, '--scheme', 'stripe', '--secret', 'STRIPE'], { HOOKBIN_SECRET_STRIPE: STRIPE_SECRET });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`hookbin check: ${a.url} as stripe (template stripe, provider timeout 10000 ms)`);
    expect(heads(run.stdout)).toEqual(['PASS valid', 'PASS wrong-signature', 'PASS missing-signature', 'PASS tampered-body', 'PASS stale-timestamp', 'PASS replay', 'PASS timeout', 'SKIP retry']);
    expect(run.stdout).toContain('      why: an endpoint that accepts a wrong signature accepts forged events');
    // Passing checks show no request.
    expect(run.stdout).not.toContain('sent:');
    expect(lines.at(-1)).toMatch(/^7 passed, 0 failed, 1 skipped, 0 info in \d+ ms$/);
  });

  it('exits 1 against an endpoint that skips verification, naming wrong-signature, missing-signature and tampered-body with what was sent and what came back', async () => {
    const a = await app(acceptAll);
    const run = await hookbinCheck(['--to', a.url, '--scheme', 'github', '--secret', 'gh-secret']);
    expect(run.code).toBe(1);
    expect(heads(run.stdout)).toEqual(['PASS valid', 'FAIL wrong-signature', 'FAIL missing-signature', 'FAIL tampered-body', 'SKIP stale-timestamp', 'PASS replay', 'PASS timeout', 'SKIP retry']);
    expect(run.stdout).toMatch(/^FAIL  wrong-signature    answered 200 OK in \d+ ms to a delivery signed with another secret: it was accepted$/m);
    // GitHub signs twice: the check takes out both signatures, and says so.
    expect(run.stdout).toMatch(/^FAIL  missing-signature  answered 200 OK in \d+ ms to a delivery without its X-Hub-Signature-256 and X-Hub-Signature headers: it was accepted$/m);
    expect(run.stdout).toMatch(/^      sent:\n        POST \/webhook HTTP\/1\.1\n        Host: 127\.0\.0\.1:\d+\n/m);
    expect(run.stdout).toMatch(/^        X-Hub-Signature-256: sha256=[0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/^      reply: 200 OK in \d+ ms\n        ok$/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^3 passed, 3 failed, 2 skipped, 0 info in \d+ ms: wrong-signature, missing-signature, tampered-body failed$/);
    // The secret itself is never printed.
    expect(run.stdout).not.toContain('gh-secret');
  });

  it('prints the report as JSON with --json', async () => {
    const a = await app(acceptAll);
    const run = await hookbinCheck(['--to', a.url, '--template', 'slack', '--secret', 'slack-secret', '--json', '--timeout', '3000']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report).toMatchObject({ to: a.url, scheme: 'slack', template: 'slack', timeoutMs: 3000, passed: false });
    expect(report.results.filter((r) => r.outcome === 'fail').map((r) => r.check)).toEqual(['wrong-signature', 'missing-signature', 'tampered-body', 'stale-timestamp']);
  });

  it("signs Twilio's URL for --public-url, and checks a scheme of --schemes", async () => {
    const token = 'twilio-check-cli-token-00000001';
    const publicUrl = 'https://abc.tunnel.example/sms';
    const t = await app(twilioReceiver(token, publicUrl), '/sms');
    const run = await hookbinCheck(['--to', t.url, '--scheme', 'twilio', '--secret', token, '--public-url', publicUrl]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`hookbin check: ${t.url} as twilio, signed for ${publicUrl} (template twilio, provider timeout 15000 ms)`);
    expect(heads(run.stdout)).toContain('SKIP stale-timestamp');

    const file = join(tempDir('hookbin-schemes-'), 'schemes.json');
    writeFileSync(file, JSON.stringify([{ id: 'acme', header: 'X-Acme-Signature', algorithm: 'sha256', encoding: 'hex', signed: '{timestamp}.{body}', timestampHeader: 'X-Acme-Timestamp', toleranceSec: 300 }]));
    const own = await app(ownSchemeReceiver('acme-secret', 'X-Acme-Signature', 'X-Acme-Timestamp', 300));
    const mine = await hookbinCheck(['--to', own.url, '--scheme', 'acme', '--secret', 'acme-secret'], { HOOKBIN_SCHEMES: file });
    expect(mine.code).toBe(0);
    expect(heads(mine.stdout)).toEqual(['PASS valid', 'PASS wrong-signature', 'PASS missing-signature', 'PASS tampered-body', 'PASS stale-timestamp', 'PASS replay', 'PASS timeout', 'SKIP retry']);
  });

  it.each([
    [[], '--to URL is required: the endpoint to check'],
    [['--to', 'localhost:3000', '--scheme', 'stripe', '--secret', 'x'], '--to must be an absolute http:// or https:// URL, not "localhost:3000"'],
    [['--to', 'http://127.0.0.1:9/', '--secret', 'x'], "--scheme is required (or a --template, whose scheme is used): the provider's signature scheme"],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'nope', '--secret', 'x'], '--scheme must be a scheme id (see hookbin check --help) or one defined in --schemes FILE, not "nope"'],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'stripe'], '--secret is required: the secret your endpoint verifies with'],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'stripe', '--secret', 'x', '--timeout', '0'], '--timeout must be a whole number of ms from 1 to 60000, not "0"'],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'stripe', '--secret', 'x', '--template', 'nope'], /^--template must be one of movemint, /],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'stripe', '--secret', 'x', '--retry-header', 'X-Fail'], `--retry-header must be 'Name: value' with an HTTP token as the name, not "X-Fail"`],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'twilio', '--secret', 'x', '--public-url', 'tunnel'], '--public-url must be an absolute http:// or https:// URL, not "tunnel"'],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'discord', '--secret', 'not-a-key'], /^cannot sign with discord: the secret is not an Ed25519 key: /],
    [['--bogus'], /^Unknown option '--bogus'; see hookbin check --help$/],
    [['--to', 'http://127.0.0.1:9/', '--scheme', 'stripe', '--secret', 'x', 'extra'], "Unexpected argument 'extra'; see hookbin check --help"],
  ])('exits 2 with one sentence for bad usage: %j', async (args, message) => {
    const run = await hookbinCheck(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const line = run.stderr.trimEnd();
    expect(line.split('\n')).toHaveLength(1);
    expect(line.slice('hookbin check: '.length)).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  });

  it('prints its help with every flag', async () => {
    const run = await hookbinCheck(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--to URL', '--scheme S', '--secret X', '--template NAME', '--timeout MS', '--public-url URL', '--schemes FILE', "--retry-header 'Name: value'", '--json', '--insecure']) expect(run.stdout).toContain(flag);
    expect(run.stdout).toContain('Exit status: 0 when every check passes, 1 when any fails, 2 for bad usage.');
    // Every flag stands apart from its description, the longest too.
    const rows = run.stdout.split('\n').filter((l) => l.startsWith('  --'));
    expect(rows).toHaveLength(11);
    expect(run.stdout).toMatch(/^  --retry-header 'Name: value' {2}a header your endpoint answers with a failure/m);
    for (const row of rows) expect(row).toMatch(/^  --[a-z-]+(?: \S+(?: \S+)?)? {2,}[a-z]/);
  });

  it("shows an endpoint's answer as text: an escape sequence in it is printed, never obeyed", async () => {
    const a = await app(() => ({ status: 200, body: '\x1b[2J\x1b]0;pwned\x07ok\r\nnext' }));
    const run = await hookbinCheck(['--to', a.url, '--scheme', 'github', '--secret', 'gh-secret']);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/[\x1b\x07\r]/);
    expect(run.stdout).toContain('        \\x1b[2J\\x1b]0;pwned\\x07ok\\x0d\n        next');
  });

  it('keeps C1 controls and bidirectional overrides of an answer out of the terminal, as text and as JSON', async () => {
    // U+009B is CSI, U+009D OSC to a terminal that takes C1 controls; U+202E reverses what follows.
    const body = 'ok \u009b2J \u009d0;pwned\u0007 \u202edesrever\u202c \u2066x\u2069';
    const a = await app(() => ({ status: 200, body }));
    const hostile = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
    const text = await hookbinCheck(['--to', a.url, '--scheme', 'github', '--secret', 'gh-secret']);
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(hostile);
    expect(text.stdout).toContain('        ok \\x9b2J \\x9d0;pwned\\x07 \\u202edesrever\\u202c \\u2066x\\u2069');
    const json = await hookbinCheck(['--to', a.url, '--scheme', 'github', '--secret', 'gh-secret', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).not.toMatch(hostile);
    expect(json.stdout).toContain('"bodyExcerpt": "ok \\u009b2J \\u009d0;pwned\\u0007 \\u202edesrever\\u202c \\u2066x\\u2069"');
    // Escaped, not dropped: the JSON still says exactly what came back.
    expect((JSON.parse(json.stdout) as CheckReport).results[0]!.reply!.bodyExcerpt).toBe(body);
  });
});
