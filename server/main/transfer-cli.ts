/**
 * `hookbin export` and `hookbin import`: a bin's captures out of a running
 * hookbin (NDJSON or HAR, to a file or stdout) and back into one, through
 * its control API. The server is `--url` (env HOOKBIN_URL, else
 * http://127.0.0.1:HOOKBIN_PORT or 7777); the token is `--token` (env
 * HOOKBIN_TOKEN), else the one kept in `--data-dir` (env HOOKBIN_DATA_DIR,
 * else ~/.hookbin), as the server itself finds it. Exit 0 done, 1 failed,
 * 2 bad usage.
 */
import { createReadStream, createWriteStream, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { BIN_ID_PATTERN, BIN_ID_RULE, TRANSFER_FORMATS, type TransferFormat } from '../common/limits.js';
import { TOKEN_SYNTAX } from '../common/http-syntax.js';
import { DEFAULT_PORT } from './config.js';

/** Where the commands write; tests spawn the real CLI. */
export interface TransferIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where `hookbin export` without `--out` writes the file's bytes. */
  stdout?: NodeJS.WritableStream;
}

/** A bad flag or value; the message is one sentence for the user. */
class UsageError extends Error {}
/** A failure talking to hookbin; the message is one sentence for the user. */
class Failure extends Error {}

type Command = 'export' | 'import';

const CONNECTION_FLAGS = [
  ['--url URL', 'the running hookbin (env HOOKBIN_URL; default http://127.0.0.1:7777, or HOOKBIN_PORT)'],
  ['--token T', 'its token (env HOOKBIN_TOKEN; default the one kept in the data dir)'],
  ['--data-dir D', 'where that hookbin keeps its token (env HOOKBIN_DATA_DIR; default ~/.hookbin)'],
] as const;

/** The `--help` text of `hookbin export` or `hookbin import`. */
export function transferHelpText(command: Command): string {
  const rows =
    command === 'export'
      ? [
          ['--format F', `ndjson (lossless, hookbin's own; the default) or har (HAR 1.2, for other tools)`],
          ['--out FILE', 'write to FILE instead of stdout'],
        ]
      : [['--format F', 'ndjson or har; by default told from the file itself']];
  const lines = [...rows, ...CONNECTION_FLAGS, ['--help', 'show this help']].map(([f, d]) => `  ${f!.padEnd(16)}${d}`);
  const usage =
    command === 'export'
      ? ['Usage: hookbin export BIN [--format ndjson|har] [--out FILE]', '', "Writes a bin's captures, oldest first, from a running hookbin."]
      : ['Usage: hookbin import BIN FILE [--format ndjson|har]', '', 'Adds the captures of an NDJSON export or a HAR file to a bin of a running hookbin:', "all of them or, when a line is bad, none (the error names the line). Signatures are judged with the bin's secrets."];
  return [...usage, '', 'Options:', ...lines, '', 'Exit status: 0 done, 1 failed, 2 bad usage.'].join('\n');
}

interface Parsed {
  help: boolean;
  binId: string;
  file: string | null;
  format: TransferFormat | undefined;
  out: string | null;
  url: string;
  token: string;
}

function parse(command: Command, argv: string[], env: NodeJS.ProcessEnv): Parsed | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean' },
        ...(command === 'export' ? { out: { type: 'string' } } : {}),
      },
    });
  } catch (err) {
    const first = (err as Error).message.split('\n')[0]!.replace(/\.( To specify.*)?$/s, '');
    throw new UsageError(`${first}; see hookbin ${command} --help`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return 'help';
  const want = command === 'export' ? 1 : 2;
  const [binId, file] = parsed.positionals;
  if (parsed.positionals.length !== want) {
    throw new UsageError(command === 'export' ? 'give one bin id: hookbin export BIN [--format ndjson|har] [--out FILE]' : 'give a bin id and a file: hookbin import BIN FILE');
  }
  if (!BIN_ID_PATTERN.test(binId!)) throw new UsageError(`"${binId}" is not a bin id (${BIN_ID_RULE})`);
  const format = v.format as string | undefined;
  if (format !== undefined && !(TRANSFER_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${TRANSFER_FORMATS.join(', ')}, not "${format}"`);
  const url = ((v.url as string | undefined) ?? (env.HOOKBIN_URL || `http://127.0.0.1:${env.HOOKBIN_PORT || DEFAULT_PORT}`)).replace(/\/+$/, '');
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--url must be hookbin's http:// address, e.g. http://127.0.0.1:7777, not "${url}"`);
  }
  return { help: false, binId: binId!, file: file ?? null, format: format as TransferFormat | undefined, out: (v.out as string | undefined) ?? null, url, token: findToken(v, env) };
}

/** `--token`, HOOKBIN_TOKEN, else the token file of the data dir, as `hookbin` keeps it. */
function findToken(v: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): string {
  const given = (v.token as string | undefined) ?? (env.HOOKBIN_TOKEN || undefined);
  if (given !== undefined) {
    if (!TOKEN_SYNTAX.test(given)) throw new UsageError('--token (or HOOKBIN_TOKEN) must be 1 to 512 visible ASCII characters without spaces');
    return given;
  }
  const dirText = (v['data-dir'] as string | undefined) ?? (env.HOOKBIN_DATA_DIR || '~/.hookbin');
  const dir = resolve(dirText === '~' || dirText.startsWith('~/') ? join(homedir(), dirText.slice(1)) : dirText);
  const file = join(dir, 'token');
  let text: string;
  try {
    // A token is at most 512 characters: a larger file is not hookbin's, and is not read whole.
    if (statSync(file).size > 4096) throw new Error('too large');
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new UsageError(`no token: pass --token (or HOOKBIN_TOKEN), or --data-dir of the hookbin that keeps it (${file} cannot be read)`);
  }
  // Checked here, or a stray file's bytes would reach the request's Authorization header and fail as a network error.
  if (!TOKEN_SYNTAX.test(text)) throw new UsageError(`${file} does not hold a hookbin token; pass --token, or --data-dir of the hookbin that keeps it`);
  return text;
}

/** Calls hookbin; a refused connection or an error answer becomes one sentence. */
async function call(p: Parsed, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(p.url + path, { ...init, headers: { authorization: `Bearer ${p.token}`, ...(init.headers as Record<string, string> | undefined) } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new Failure(`cannot reach hookbin at ${p.url} (${code}); is it running? (--url)`);
  }
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    message = ((await res.json()) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not hookbin's JSON error: the status says it
  }
  if (res.status === 401) throw new Failure(`hookbin at ${p.url} refused the token (${message}); pass --token, or --data-dir of that hookbin`);
  throw new Failure(message);
}

async function runExport(p: Parsed, io: TransferIO): Promise<void> {
  const res = await call(p, `/api/bins/${p.binId}/export?format=${p.format ?? 'ndjson'}`);
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  if (p.out === null) {
    await pipeline(body, (io.stdout ?? process.stdout) as Writable, { end: false });
    return;
  }
  // Written beside the target and renamed once whole: a broken export leaves no half file under its name.
  const part = `${p.out}.part`;
  try {
    await pipeline(body, createWriteStream(part));
    renameSync(part, p.out);
  } catch (err) {
    rmSync(part, { force: true });
    throw new Failure(`the export to ${p.out} failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  io.err(`hookbin export: wrote ${statSync(p.out).size} bytes to ${p.out}`);
}

async function runImport(p: Parsed, io: TransferIO): Promise<void> {
  let size: number;
  try {
    size = statSync(p.file!).size;
  } catch (err) {
    throw new UsageError(`cannot read ${p.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const query = p.format ? `?format=${p.format}` : '';
  const res = await call(p, `/api/bins/${p.binId}/import${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(p.file!)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const r = (await res.json()) as { format: string; imported: number; pruned: number };
  const pruned = r.pruned > 0 ? `; retention pruned the ${r.pruned} oldest` : '';
  io.out(`imported ${r.imported} ${r.imported === 1 ? 'capture' : 'captures'} (${r.format}) into bin ${p.binId}${pruned}`);
}

/** `hookbin export …` or `hookbin import …` from parse to exit code: 0 done, 1 failed, 2 bad usage. */
export async function transferCommand(command: Command, argv: string[], env: NodeJS.ProcessEnv, io: TransferIO): Promise<number> {
  try {
    const p = parse(command, argv, env);
    if (p === 'help') {
      io.out(transferHelpText(command));
      return 0;
    }
    await (command === 'export' ? runExport(p, io) : runImport(p, io));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof Failure) {
      io.err(`hookbin ${command}: ${err.message}`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}
