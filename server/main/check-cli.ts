/**
 * `hookbin check`: plays a provider against the user's own endpoint and
 * prints, check by check, what a correct receiver does (the engine is
 * outbound/check.ts; `POST /api/check` is the same over the API). No
 * hookbin server needs to run. Exit 0 when every check passes, 1 when any
 * fails, 2 for bad usage.
 */
import { parseArgs } from 'node:util';
import type { CheckReport, CheckResult } from '../common/check.js';
import { isTargetUrl } from '../outbound/exchange.js';
import { describeReply, MAX_CHECK_TIMEOUT_MS, runChecks, type CheckInput } from '../outbound/check.js';
import { defaultTemplateOf, parseHeaderLine } from '../outbound/check-deliveries.js';
import { resolveSecret, SendInputError } from '../outbound/sender.js';
import { renderTemplate, TEMPLATE_IDS } from '../outbound/templates.js';
import { SCHEME_LIST, isSchemeId } from '../verify/index.js';
import { loadSchemesFile } from './schemes-file.js';

/** Where the command writes; tests pass their own. */
export interface CheckIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Reads `--schemes FILE`; defaults to the real file system. */
  readFile?: (path: string) => Buffer;
}

/** A bad flag or value; the message is one sentence for the user. */
export class CheckUsageError extends Error {}

interface CheckFlag {
  name: string;
  type: 'string' | 'boolean';
  value?: string;
  default?: string;
  description: string;
}

/** Every flag of `hookbin check` with its help text: the single source for parsing and `--help`. */
export const CHECK_FLAGS: readonly CheckFlag[] = [
  { name: 'to', type: 'string', value: 'URL', description: 'the endpoint to check: an http:// or https:// URL (required)' },
  { name: 'scheme', type: 'string', value: 'S', default: "the template's", description: `the provider's signature scheme: ${SCHEME_LIST}, or one of --schemes` },
  { name: 'secret', type: 'string', value: 'X', description: 'the secret your endpoint verifies with, or the NAME of a HOOKBIN_SECRET_<NAME> variable holding it (required)' },
  { name: 'template', type: 'string', value: 'NAME', default: "the scheme's own", description: `the event sent: ${TEMPLATE_IDS.join(', ')}` },
  { name: 'timeout', type: 'string', value: 'MS', default: "the provider's, else 10000", description: `how long the provider waits for an answer (at most ${MAX_CHECK_TIMEOUT_MS})` },
  { name: 'public-url', type: 'string', value: 'URL', default: '--to', description: 'the URL the provider is configured with (your tunnel\'s): URL-signed schemes (twilio, square, hubspot, {url}) sign it' },
  { name: 'schemes', type: 'string', value: 'FILE', description: 'a JSON array of your own signature schemes, which --scheme may name (env HOOKBIN_SCHEMES)' },
  { name: 'retry-header', type: 'string', value: "'Name: value'", default: 'none: retry skipped', description: 'a header your endpoint answers with a failure: the retry check sends it, then redelivers on the provider\'s schedule' },
  { name: 'json', type: 'boolean', description: 'print the report as JSON' },
  { name: 'insecure', type: 'boolean', description: "https only: don't verify the endpoint's certificate (a self-signed local app)" },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

/** The `hookbin check --help` text, built from `CHECK_FLAGS`. */
export function checkHelpText(): string {
  const flags = CHECK_FLAGS.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ''}`);
  // Two spaces after the longest flag, so no description runs into its flag.
  const width = Math.max(...flags.map((f) => f.length)) + 2;
  const rows = CHECK_FLAGS.map((f, i) => `  ${flags[i]!.padEnd(width)}${f.description}${f.default ? ` (default ${f.default})` : ''}`);
  return [
    'Usage: hookbin check --to URL --scheme S --secret X [options]',
    '',
    'Tests your webhook endpoint the way its provider will: a correctly signed',
    'delivery it must accept, forgeries it must refuse (another secret, no',
    'signature, a changed body, a stale timestamp), a replay it must accept',
    "again, and its answer time against the provider's timeout.",
    '',
    'Options:',
    ...rows,
    '',
    'Exit status: 0 when every check passes, 1 when any fails, 2 for bad usage.',
    '',
    'Example:',
    '  hookbin check --to http://localhost:3000/webhooks/stripe --scheme stripe --secret whsec_…',
  ].join('\n');
}

/** What `hookbin check` was asked to do, validated. */
export interface CheckOptions {
  input: CheckInput;
  json: boolean;
}

function timeoutOf(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_CHECK_TIMEOUT_MS) {
    throw new CheckUsageError(`--timeout must be a whole number of ms from 1 to ${MAX_CHECK_TIMEOUT_MS}, not "${text}"`);
  }
  return n;
}

/**
 * Reads `hookbin check`'s arguments (and `HOOKBIN_SECRET_<NAME>` for a
 * secret given by name, `HOOKBIN_SCHEMES` for `--schemes`). Returns 'help'
 * for `--help`. Throws `CheckUsageError` with one sentence on bad input;
 * never echoes a secret.
 */
export function parseCheckArgs(argv: string[], env: NodeJS.ProcessEnv, io: Pick<CheckIO, 'readFile'> = {}): CheckOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, options: Object.fromEntries(CHECK_FLAGS.map((f) => [f.name, { type: f.type }])) });
  } catch (err) {
    // Node's message is several sentences ("Unexpected argument 'x'. This command does not take…"): the first says it.
    const first = (err as Error).message.split('\n')[0]!.split(/\.\s/)[0]!.replace(/\.$/, '');
    throw new CheckUsageError(`${first}; see hookbin check --help`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return 'help';
  const str = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

  const to = str('to');
  if (to === undefined) throw new CheckUsageError('--to URL is required: the endpoint to check');
  if (!isTargetUrl(to)) throw new CheckUsageError(`--to must be an absolute http:// or https:// URL, not "${to}"`);

  const templateId = str('template');
  const template = templateId === undefined ? undefined : renderTemplate(templateId);
  if (templateId !== undefined && !template) throw new CheckUsageError(`--template must be one of ${TEMPLATE_IDS.join(', ')}, not "${templateId}"`);

  const schemesPath = str('schemes') ?? (env.HOOKBIN_SCHEMES || undefined);
  const ownSchemes = schemesPath === undefined ? [] : loadSchemesFile(schemesPath, (m) => new CheckUsageError(m), io.readFile);
  const scheme = str('scheme') ?? template?.scheme;
  if (scheme === undefined) throw new CheckUsageError("--scheme is required (or a --template, whose scheme is used): the provider's signature scheme");
  const custom = ownSchemes.find((d) => d.id === scheme);
  if (!isSchemeId(scheme) && !custom) throw new CheckUsageError(`--scheme must be a scheme id (see hookbin check --help) or one defined in --schemes FILE, not "${scheme}"`);

  const secretText = str('secret');
  if (secretText === undefined) throw new CheckUsageError('--secret is required: the secret your endpoint verifies with');
  if (secretText === '') throw new CheckUsageError('--secret must not be empty');
  const named = Object.entries(env)
    .filter(([k, val]) => k.startsWith('HOOKBIN_SECRET_') && val !== undefined && val !== '')
    .map(([k, val]) => ({ name: k.slice('HOOKBIN_SECRET_'.length), value: val! }));
  const sign = resolveSecret(scheme, secretText, named);

  const publicUrl = str('public-url');
  if (publicUrl !== undefined && !isTargetUrl(publicUrl)) throw new CheckUsageError(`--public-url must be an absolute http:// or https:// URL, not "${publicUrl}"`);
  const retryText = str('retry-header');
  const retryHeader = retryText === undefined ? null : parseHeaderLine(retryText);
  if (typeof retryHeader === 'string') throw new CheckUsageError(`--retry-header ${retryHeader}, not "${retryText}"`);
  const timeout = str('timeout');

  return {
    input: {
      to,
      scheme,
      custom,
      secret: sign.secret,
      secretName: sign.secretName,
      template: templateId ?? (custom ? undefined : defaultTemplateOf(scheme)),
      timeoutMs: timeout === undefined ? undefined : timeoutOf(timeout),
      publicUrl: publicUrl ?? null,
      retryHeader,
      insecure: v.insecure === true,
    },
    json: v.json === true,
  };
}

const LABEL: Record<CheckResult['outcome'], string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', info: 'INFO' };
/** How much of a sent body and of a reply's excerpt the text report shows. */
const SHOWN_BODY_CHARS = 300;
const SHOWN_REPLY_CHARS = 500;

/** Bidirectional embeddings, overrides and isolates: they reorder what a terminal shows after them. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text an endpoint sent, safe for a terminal: control characters (an escape
 * sequence) shown as `\xNN` and bidirectional overrides as `\uNNNN`, never obeyed.
 */
export function printable(text: string): string {
  return text
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * The report as JSON, safe for a terminal too: JSON.stringify leaves C1
 * controls (U+0080–U+009F, which some terminals obey as escape sequences),
 * DEL and bidirectional overrides raw; they are written as `\uNNNN`, which
 * parses back to the same text.
 */
export function reportJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2).replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A failed check's request and reply, as text, indented under it. */
function exchangeLines(r: CheckResult): string[] {
  const lines: string[] = [];
  if (r.sent) {
    const u = new URL(r.sent.url);
    lines.push('      sent:', `        ${r.sent.method} ${u.pathname}${u.search} HTTP/1.1`);
    for (const [n, v] of r.sent.headers) lines.push(`        ${n}: ${printable(v)}`);
    if (r.sent.body !== '') lines.push('', ...printable(clip(r.sent.body, SHOWN_BODY_CHARS)).split('\n').map((l) => `        ${l}`));
  }
  if (r.reply) {
    lines.push(`      reply: ${printable(describeReply(r.reply))}`);
    const body = r.reply.bodyExcerpt.trim();
    if (body !== '') lines.push(...printable(clip(body, SHOWN_REPLY_CHARS)).split('\n').map((l) => `        ${l}`));
  }
  return lines;
}

/** The text report: a heading, one block per check (a failure's request and reply under it), the counts. */
export function formatReport(report: CheckReport): string[] {
  const signed = report.signedUrl === undefined ? '' : `, signed for ${report.signedUrl}`;
  const lines = [`hookbin check: ${report.to} as ${report.scheme}${signed} (template ${report.template}, provider timeout ${report.timeoutMs} ms)`, ''];
  for (const r of report.results) {
    lines.push(`${LABEL[r.outcome]}  ${r.check.padEnd(18)} ${printable(r.summary)}`, `      why: ${r.why}`);
    if (r.outcome === 'fail') lines.push(...exchangeLines(r));
  }
  const count = (o: CheckResult['outcome']) => report.results.filter((r) => r.outcome === o).length;
  const failed = report.results.filter((r) => r.outcome === 'fail').map((r) => r.check);
  lines.push(
    '',
    `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped, ${count('info')} info in ${report.durationMs} ms${failed.length ? `: ${failed.join(', ')} failed` : ''}`,
  );
  return lines;
}

/** Runs the checks and prints the report. Resolves to the exit code: 0 all pass, 1 any fails, 2 when the secret cannot sign. */
export async function runCheck(options: CheckOptions, io: CheckIO): Promise<number> {
  let report: CheckReport;
  try {
    report = await runChecks(options.input);
  } catch (err) {
    if (err instanceof SendInputError) {
      io.err(`hookbin check: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (options.json) io.out(reportJson(report));
  else for (const line of formatReport(report)) io.out(line);
  return report.passed ? 0 : 1;
}

/** `hookbin check …` from parse to exit code: 0 every check passed, 1 one failed, 2 bad usage. */
export async function checkCommand(argv: string[], env: NodeJS.ProcessEnv, io: CheckIO): Promise<number> {
  let options;
  try {
    options = parseCheckArgs(argv, env, io);
  } catch (err) {
    if (err instanceof CheckUsageError) {
      io.err(`hookbin check: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    io.out(checkHelpText());
    return 0;
  }
  return runCheck(options, io);
}
