/**
 * `hookbin send`: the sender from the command line, without a running
 * server. The same engine as `POST /api/send` over an in-memory outbox; each
 * attempt is printed as it finishes. Exit 0 once delivered, 1 when every
 * attempt failed, 2 for bad usage, 130 when interrupted.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HEADER_VALUE, HTTP_TOKEN as HEADER_NAME, isSendableMethod } from '../common/http-syntax.js';
import { displayUrl, isTargetUrl } from '../outbound/exchange.js';
import { PRESETS, presetById } from '../retries/presets.js';
import { createSender, MAX_ATTEMPTS, MAX_TIMEOUT_MS, MAX_WAIT_MS, resolveRetry, resolveSecret, scaledWait, withContentType, type RetryInput } from '../outbound/sender.js';
import { openStore, type AttemptRecord, type DeliveryRecord, type SignSpec } from '../store/index.js';
import { renderTemplate, TEMPLATE_IDS } from '../outbound/templates.js';
import type { HeaderPair } from '../common/types.js';
import { SCHEME_LIST, isSchemeId } from '../verify/index.js';
import { loadSchemesFile } from './schemes-file.js';
import { STATUS_CODES } from 'node:http';

/** Where the command writes; tests pass their own. */
export interface SendIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Reads a file given as `--data @file` (`-` for stdin); defaults to the real file system. */
  readFile?: (path: string) => Buffer;
}

/** A bad flag or value; the message is one sentence for the user. */
export class SendUsageError extends Error {}

interface SendFlag {
  name: string;
  type: 'string' | 'boolean';
  value?: string;
  default?: string;
  multiple?: boolean;
  description: string;
}

/** Every flag of `hookbin send` with its help text: the single source for parsing and `--help`. */
export const SEND_FLAGS: readonly SendFlag[] = [
  { name: 'to', type: 'string', value: 'URL', description: 'where to send it: an http:// or https:// URL (required)' },
  { name: 'template', type: 'string', value: 'NAME', description: `a ready-made event with fresh ids: ${TEMPLATE_IDS.join(', ')}` },
  { name: 'data', type: 'string', value: 'TEXT|@FILE', description: "the body: text, @file for a file's exact bytes, @- for stdin (replaces the template's)" },
  { name: 'method', type: 'string', value: 'M', default: 'POST', description: 'the HTTP method' },
  { name: 'header', type: 'string', value: "'Name: value'", multiple: true, description: "a header (repeatable; replaces the template's headers)" },
  { name: 'scheme', type: 'string', value: 'S', default: "the template's", description: `sign with this scheme: ${SCHEME_LIST}, or one of --schemes` },
  { name: 'schemes', type: 'string', value: 'FILE', description: 'a JSON array of your own signature schemes, which --scheme may name (env HOOKBIN_SCHEMES)' },
  { name: 'secret', type: 'string', value: 'X', description: 'the signing secret, or the NAME of a HOOKBIN_SECRET_<NAME> variable holding it' },
  { name: 'retry', type: 'string', value: 'PRESET', description: `retry like a provider: ${PRESETS.map((p) => p.id).join(', ')}` },
  { name: 'schedule', type: 'string', value: 'MS,MS,…', description: 'or your own waits before each attempt, ms (e.g. 0,1000,5000)' },
  { name: 'time-scale', type: 'string', value: 'N', default: '1', description: 'divide every wait by N (60: 30 s become 0.5 s)' },
  { name: 'timeout', type: 'string', value: 'MS', default: "the preset's, else 10000", description: 'how long one attempt may take' },
  { name: 'insecure', type: 'boolean', description: "https only: don't verify the target's certificate (a self-signed local app)" },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

/** The `hookbin send --help` text, built from `SEND_FLAGS`. */
export function sendHelpText(): string {
  const rows = SEND_FLAGS.map((f) => {
    const flag = `--${f.name}${f.value ? ` ${f.value}` : ''}`;
    return `  ${flag.padEnd(26)}${f.description}${f.default ? ` (default ${f.default})` : ''}`;
  });
  return [
    'Usage: hookbin send --to URL [options]',
    '',
    'Sends one webhook the way a provider would: signed, retried on its schedule,',
    'each attempt printed. No hookbin server needs to run.',
    '',
    'Options:',
    ...rows,
    '',
    'Exit status: 0 once a 2xx arrives, 1 when every attempt failed, 2 for bad usage.',
    '',
    'Example:',
    '  hookbin send --to http://localhost:3000/webhook --template makeplans --secret mysecret --retry makeplans --time-scale 60',
  ].join('\n');
}

/** What `hookbin send` was asked to do, validated. */
export interface SendOptions {
  url: string;
  method: string;
  headers: HeaderPair[];
  body: Buffer;
  sign: SignSpec | null;
  retry: RetryInput;
  /** Do not verify an https target's certificate. */
  insecure: boolean;
  /** What is being sent, in words, for the first line. */
  label: string;
}


function number(text: string, what: string, min: number, max: number, integer: boolean): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new SendUsageError(`${what} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, not "${text}"`);
  }
  return n;
}

/**
 * Reads `hookbin send`'s arguments (and `HOOKBIN_SECRET_<NAME>` for a secret
 * given by name). Returns 'help' for `--help`. Throws `SendUsageError` with
 * one sentence on bad input; never echoes a secret.
 */
export function parseSendArgs(argv: string[], env: NodeJS.ProcessEnv, io: Pick<SendIO, 'readFile'> = {}): SendOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(SEND_FLAGS.map((f) => [f.name, { type: f.type, multiple: f.multiple ?? false }])),
    });
  } catch (err) {
    const first = (err as Error).message.split('\n')[0]!.replace(/\.( To specify.*)?$/s, '');
    throw new SendUsageError(`${first}; see hookbin send --help`);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return 'help';
  const str = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

  const url = str('to');
  if (url === undefined) throw new SendUsageError('--to URL is required: where to send the webhook');
  if (!isTargetUrl(url)) throw new SendUsageError(`--to must be an absolute http:// or https:// URL, not "${url}"`);

  const templateId = str('template');
  const template = templateId === undefined ? undefined : renderTemplate(templateId);
  if (templateId !== undefined && !template) throw new SendUsageError(`--template must be one of ${TEMPLATE_IDS.join(', ')}, not "${templateId}"`);

  const method = str('method') ?? template?.method ?? 'POST';
  if (!isSendableMethod(method)) throw new SendUsageError(`--method must be an HTTP method such as POST, not "${method}"`);

  let headers: HeaderPair[] | undefined;
  const headerArgs = (v.header as string[] | undefined) ?? [];
  if (headerArgs.length > 0) {
    headers = headerArgs.map((h) => {
      const colon = h.indexOf(':');
      const name = colon === -1 ? '' : h.slice(0, colon).trim();
      const value = colon === -1 ? '' : h.slice(colon + 1).trim();
      if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) throw new SendUsageError(`--header must be 'Name: value' with an HTTP token as name and no line breaks, not "${h}"`);
      return [name, value] as HeaderPair;
    });
  }

  let body: Buffer | undefined;
  const data = str('data');
  if (data !== undefined) {
    if (data.startsWith('@')) {
      const path = data.slice(1);
      try {
        body = (io.readFile ?? ((p: string) => readFileSync(p === '-' ? 0 : p)))(path);
      } catch (err) {
        throw new SendUsageError(`--data cannot read ${path === '-' ? 'stdin' : path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    } else {
      body = Buffer.from(data, 'utf8');
    }
  }
  body ??= Buffer.from(template?.body ?? '', 'utf8');
  headers = withContentType(headers ?? template?.headers ?? [], body);

  const schemeText = str('scheme');
  const secretText = str('secret');
  const schemesPath = str('schemes') ?? (env.HOOKBIN_SCHEMES || undefined);
  const ownSchemes = schemesPath === undefined ? [] : loadSchemesFile(schemesPath, (m) => new SendUsageError(m), io.readFile);
  const custom = schemeText === undefined ? undefined : ownSchemes.find((d) => d.id === schemeText);
  if (schemeText !== undefined && !isSchemeId(schemeText) && !custom) {
    throw new SendUsageError(`--scheme must be a scheme id (see hookbin send --help) or one defined in --schemes FILE, not "${schemeText}"`);
  }
  const scheme: string | undefined = schemeText ?? template?.scheme;
  let sign: SendOptions['sign'] = null;
  if (schemeText !== undefined && secretText === undefined) throw new SendUsageError('--scheme needs --secret: the secret to sign with');
  if (secretText !== undefined) {
    if (scheme === undefined) throw new SendUsageError('--secret needs --scheme (or a --template, whose scheme is used)');
    if (secretText === '') throw new SendUsageError('--secret must not be empty');
    const named = Object.entries(env)
      .filter(([k, val]) => k.startsWith('HOOKBIN_SECRET_') && val !== undefined && val !== '')
      .map(([k, val]) => ({ name: k.slice('HOOKBIN_SECRET_'.length), value: val! }));
    sign = resolveSecret(scheme, secretText, named, custom);
  }

  const retry: RetryInput = {};
  const preset = str('retry');
  const schedule = str('schedule');
  if (preset !== undefined && schedule !== undefined) throw new SendUsageError('give --retry or --schedule, not both');
  if (preset !== undefined) {
    if (!presetById(preset)) throw new SendUsageError(`--retry must be one of ${PRESETS.map((p) => p.id).join(', ')}, not "${preset}"`);
    retry.preset = preset;
  }
  if (schedule !== undefined) {
    const parts = schedule.split(',');
    if (parts.length > MAX_ATTEMPTS) throw new SendUsageError(`--schedule has at most ${MAX_ATTEMPTS} attempts`);
    retry.schedule = parts.map((p) => number(p, '--schedule entries', 0, MAX_WAIT_MS, true));
  }
  const scale = str('time-scale');
  if (scale !== undefined) retry.timeScale = number(scale, '--time-scale', 0.01, 1_000_000, false);
  const timeout = str('timeout');
  if (timeout !== undefined) retry.timeoutMs = number(timeout, '--timeout', 1, MAX_TIMEOUT_MS, true);

  const label = template ? `${template.provider} ${template.event}` : `${body.length} bytes`;
  return { url, method, headers, body, sign, retry, insecure: v.insecure === true, label };
}

function describeWait(ms: number, scaled: number, scale: number): string {
  const human = (n: number) => (n >= 3_600_000 ? `${+(n / 3_600_000).toFixed(2)} h` : n >= 60_000 ? `${+(n / 60_000).toFixed(2)} min` : n >= 1000 ? `${+(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);
  return scale === 1 ? human(ms) : `${human(scaled)} (${human(ms)} at ${scale}×)`;
}

function describeAttempt(a: AttemptRecord): string {
  if (a.error !== null && a.status === null) return `${a.error} (${a.errorMessage ?? 'no reply'})`;
  const reason = a.status === null ? '' : ` ${STATUS_CODES[a.status] ?? ''}`.trimEnd();
  return `${a.status}${reason}${a.error ? `, then ${a.error} (${a.errorMessage})` : ''}`;
}

function replyLine(a: AttemptRecord): string | null {
  if (!a.response || a.response.body.length === 0) return null;
  const text = a.response.body.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ').trim();
  return text === '' ? null : `             ← ${text.slice(0, 200)}${a.response.body.length > 200 ? '…' : ''}`;
}

/**
 * Sends as `options` says and prints each attempt. Resolves to the exit
 * code: 0 delivered, 1 every attempt failed, 130 interrupted (`signal`).
 */
export async function runSend(options: SendOptions, io: SendIO, signal?: AbortSignal): Promise<number> {
  const store = openStore({ file: null, maxCapturesPerBin: 1 });
  let retry;
  try {
    retry = resolveRetry(options.retry, { headers: options.headers, body: options.body });
  } catch (err) {
    store.close();
    io.err(`hookbin send: ${(err as Error).message}`);
    return 2;
  }
  // The latest attempt, for the closing sentence (kept as it is reported rather than read back).
  let last: AttemptRecord | undefined;
  const sender = createSender({
    store,
    onUpdate: (d: DeliveryRecord, a: AttemptRecord | null) => {
      if (!a) return;
      last = a;
      io.out(`  attempt ${a.n}/${d.retry.schedule.length}  ${describeAttempt(a)}  ${a.durationMs} ms`);
      const reply = replyLine(a);
      if (reply) io.out(reply);
      if (d.state === 'pending' && d.nextAt !== null) {
        io.out(`             next attempt in ${describeWait(d.retry.schedule[a.n] ?? 0, scaledWait(d.retry, a.n), d.retry.timeScale)}`);
      }
    },
  });
  try {
    const signed = options.sign ? `, signed ${options.sign.scheme}${options.sign.secretName ? ` with ${options.sign.secretName}` : ''}` : ', unsigned';
    const plan = retry.schedule.length > 1 ? `, up to ${retry.schedule.length} attempts${retry.preset ? ` (${retry.preset})` : ''}${retry.timeScale !== 1 ? ` at ${retry.timeScale}×` : ''}` : '';
    io.out(`hookbin send: ${options.method} ${displayUrl(options.url)} (${options.label}${signed}${plan})`);
    let delivery: DeliveryRecord;
    try {
      delivery = sender.enqueue({
        kind: 'send',
        sourceCaptureId: null,
        method: options.method,
        url: options.url,
        headers: options.headers,
        body: options.body,
        sign: options.sign ? [options.sign] : [],
        retry,
        insecure: options.insecure,
      });
    } catch (err) {
      io.err(`hookbin send: ${(err as Error).message}`);
      return 2;
    }
    const interrupted = new Promise<'interrupted'>((resolve) => {
      if (signal?.aborted) resolve('interrupted');
      signal?.addEventListener('abort', () => resolve('interrupted'), { once: true });
    });
    const outcome = await Promise.race([sender.settled(delivery.id), interrupted]);
    if (outcome === 'interrupted') {
      sender.cancel(delivery.id);
      io.err('hookbin send: interrupted; no further attempts are made');
      return 130;
    }
    const final = outcome!;
    if (final.state === 'delivered') {
      io.out(`delivered on attempt ${final.attemptCount} of ${final.retry.schedule.length}`);
      return 0;
    }
    const n = final.attemptCount;
    io.err(`hookbin send: ${n === 1 ? 'the only attempt' : `all ${n} attempts`} to ${displayUrl(options.url)} failed; the last one: ${last ? describeAttempt(last) : 'no reply'}`);
    return 1;
  } finally {
    await sender.close();
    store.close();
  }
}

/** `hookbin send …` from parse to exit code: 0 delivered, 1 failed, 2 bad usage, 130 interrupted. */
export async function sendCommand(argv: string[], env: NodeJS.ProcessEnv, io: SendIO, signal?: AbortSignal): Promise<number> {
  let options;
  try {
    options = parseSendArgs(argv, env, io);
  } catch (err) {
    if (err instanceof SendUsageError) {
      io.err(`hookbin send: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    io.out(sendHelpText());
    return 0;
  }
  return runSend(options, io, signal);
}
