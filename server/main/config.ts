import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TOKEN_SYNTAX } from '../common/http-syntax.js';
import { isTargetUrl } from '../outbound/exchange.js';
import { parsePublicUrl } from '../capture/public-url.js';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import { loadSchemesFile } from './schemes-file.js';

/** A configured signing secret: `--secret NAME=VALUE` or `HOOKBIN_SECRET_<NAME>`. */
export interface SecretConfig {
  name: string;
  value: string;
}

/** The settled configuration of one hookbin process. */
export interface Config {
  port: number;
  /** `--ingress-port`: a second listener serving bin URLs only (for a tunnel); null for none. */
  ingressPort?: number | null;
  host: string;
  dataDir: string;
  memory: boolean;
  /** null: reuse the token kept in the data dir, or make one. */
  token: string | null;
  secrets: SecretConfig[];
  /** `--schemes FILE`: users' own signature schemes for every bin (a bin's own of the same id wins); empty for none. */
  schemes?: CustomSchemeDef[];
  open: boolean;
  maxBody: number;
  maxCaptures: number;
  /** Bytes the database may hold before the oldest captures of any bin are pruned. */
  maxDbSize: number;
  /** `--forward`: every capture of a bin without its own `forwardTo` is forwarded here live; null for none. */
  forward: string | null;
  /** `--forward-relay`: answer providers with the app's reply to a `--forward` forward. */
  forwardRelay: boolean;
  /** `--forward-insecure`: do not verify the `--forward` app's TLS certificate. */
  forwardInsecure?: boolean;
  /** `--public-url`: where providers reach bins (a tunnel), no trailing slash; null when not given. */
  publicUrl?: string | null;
  /** `--trust-proxy`: with no public URL, a bin request's X-Forwarded-Proto/-Host name the URL it was made at. */
  trustProxy?: boolean;
}

/** What the command line asks for. */
export type Invocation = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: Config };

/** A bad flag or environment value; the message is one sentence for the user. */
export class ConfigError extends Error {}

/** The default port: "hook" is not a number, 7777 is easy to type. */
export const DEFAULT_PORT = 7777;

interface FlagSpec {
  name: string;
  env: string;
  type: 'string' | 'boolean';
  value?: string;
  default: string;
  description: string;
  multiple?: boolean;
}

/** Every flag with its env var, default and help text: the single source for parsing and `--help`. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'port', env: 'HOOKBIN_PORT', type: 'string', value: 'N', default: String(DEFAULT_PORT), description: 'port to listen on; 0 picks a free one' },
  { name: 'ingress-port', env: 'HOOKBIN_INGRESS_PORT', type: 'string', value: 'N', default: 'none', description: 'also serve bin URLs only (no inspector, no API) on this port: point a tunnel here; 0 picks a free one' },
  { name: 'host', env: 'HOOKBIN_HOST', type: 'string', value: 'H', default: '127.0.0.1', description: 'interface to bind; 0.0.0.0 exposes hookbin to your network' },
  { name: 'data-dir', env: 'HOOKBIN_DATA_DIR', type: 'string', value: 'D', default: '~/.hookbin', description: 'where hookbin.db and the token are kept' },
  { name: 'memory', env: 'HOOKBIN_MEMORY', type: 'boolean', default: 'false', description: 'keep captures in memory only; nothing is written to disk' },
  { name: 'token', env: 'HOOKBIN_TOKEN', type: 'string', value: 'T', default: 'made once, kept in the data dir', description: 'token the control API and inspector require' },
  { name: 'secret', env: 'HOOKBIN_SECRET_<NAME>', type: 'string', value: 'NAME=VALUE', default: 'none', multiple: true, description: 'a signing secret checked against every bin (repeatable)' },
  { name: 'schemes', env: 'HOOKBIN_SCHEMES', type: 'string', value: 'FILE', default: 'none', description: 'a JSON array of your own signature schemes, for every bin (see README, "Your own scheme")' },
  { name: 'max-body', env: 'HOOKBIN_MAX_BODY', type: 'string', value: 'SIZE', default: '25mb', description: 'largest body stored whole; larger ones get 413 and are kept truncated' },
  { name: 'max-captures', env: 'HOOKBIN_MAX_CAPTURES', type: 'string', value: 'N', default: '10000', description: 'captures kept per bin; the oldest are pruned' },
  { name: 'max-db-size', env: 'HOOKBIN_MAX_DB_SIZE', type: 'string', value: 'SIZE', default: '2gb', description: 'database size cap; past it the oldest captures of any bin are pruned' },
  { name: 'forward', env: 'HOOKBIN_FORWARD', type: 'string', value: 'URL', default: 'none', description: "forward every capture live to your app (bins without their own forwardTo); its reply is kept with the capture" },
  { name: 'forward-relay', env: 'HOOKBIN_FORWARD_RELAY', type: 'boolean', default: 'false', description: "answer providers with your app's reply to --forward instead of the bin's own answer" },
  { name: 'forward-insecure', env: 'HOOKBIN_FORWARD_INSECURE', type: 'boolean', default: 'false', description: "do not verify the --forward app's TLS certificate (a self-signed https://localhost)" },
  { name: 'public-url', env: 'HOOKBIN_PUBLIC_URL', type: 'string', value: 'URL', default: 'none', description: 'the URL providers reach hookbin at (your tunnel, e.g. https://abc.example): shown bin URLs use it, URL-signed schemes (Twilio) verify against it' },
  { name: 'trust-proxy', env: 'HOOKBIN_TRUST_PROXY', type: 'boolean', default: 'false', description: "without --public-url, take a bin request's public URL from the tunnel's X-Forwarded-Proto and X-Forwarded-Host" },
  { name: 'open', env: 'HOOKBIN_OPEN', type: 'boolean', default: 'false', description: 'open the inspector in a browser' },
  { name: 'help', env: '', type: 'boolean', default: 'false', description: 'show this help' },
  { name: 'version', env: '', type: 'boolean', default: 'false', description: 'print the version' },
];

/** The `--help` text, built from `FLAGS`. */
export function helpText(version: string): string {
  const rows = FLAGS.map((f) => {
    const flag = `--${f.name}${f.value ? ` ${f.value}` : ''}`;
    const extra = [f.env && `env ${f.env}`, f.type === 'string' && `default ${f.default}`].filter(Boolean).join(', ');
    return `  ${flag.padEnd(26)}${f.description}${extra ? ` (${extra})` : ''}`;
  });
  return [
    `hookbin ${version}: capture, inspect and verify webhooks locally`,
    '',
    'Usage: hookbin [options]',
    '       hookbin send --to URL [options]   send a webhook like a provider (hookbin send --help)',
    '       hookbin check --to URL [options]  test your endpoint the way its provider will (hookbin check --help)',
    "       hookbin export BIN [--format F]    write a bin's captures as NDJSON or HAR (hookbin export --help)",
    '       hookbin import BIN FILE           add the captures of an export or a HAR file to a bin (hookbin import --help)',
    '',
    'Options:',
    ...rows,
    '',
    'Every captured request is kept in SQLite; open the printed inspector URL to watch them live.',
  ].join('\n');
}

// A Map, like the decoders': the unit is typed by the user, and `constructor` is no unit.
const UNITS = new Map<string, number>(Object.entries({ '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 }));

/** Parses `25mb`, `512KiB`, `1048576` into bytes (binary units). Throws `ConfigError`. */
export function parseSize(text: string, what: string, max = 2 * 1024 ** 3): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS.get(m[2]!.toLowerCase()) : undefined;
  if (!m || unit === undefined) throw new ConfigError(`${what} must be a size such as 25mb, 512kb or 1048576, not "${text}"`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1 || bytes > max) throw new ConfigError(`${what} must be between 1 byte and ${max / 1024 ** 3}gb, not "${text}"`);
  return bytes;
}

function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return Number(text);
}

function parseBool(text: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(t)) return false;
  throw new ConfigError(`${what} must be true or false, not "${text}"`);
}

const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function parseSecret(text: string, what: string): SecretConfig {
  const eq = text.indexOf('=');
  const name = eq === -1 ? '' : text.slice(0, eq);
  const value = eq === -1 ? '' : text.slice(eq + 1);
  if (!SECRET_NAME.test(name) || value === '') {
    // Never echo the value: it is a secret.
    throw new ConfigError(`${what} must be NAME=VALUE with a name of letters, digits, _ . - and a non-empty value`);
  }
  return { name, value };
}

function expandHome(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
}

/**
 * Reads the command line and the environment (flags win over env vars) into
 * a validated `Config`. Throws `ConfigError` with one sentence on bad input.
 */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, home: string = homedir()): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.type, multiple: f.multiple ?? false }])),
    });
  } catch (err) {
    // Node's messages can run over several lines of advice; the first says what is wrong.
    const message = (err as Error).message;
    const ambiguous = /^Option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous) throw new ConfigError(`${ambiguous[1]} needs a value; to pass one starting with "-", write ${ambiguous[1]}=VALUE`);
    const first = message.split('\n')[0]!.replace(/\.( To specify.*)?$/s, '');
    throw new ConfigError(`${first}; see hookbin --help`);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };

  const pick = (flag: string, envName: string): string | undefined => {
    const fromFlag = v[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    return env[envName];
  };
  const flagBool = (flag: string, envName: string): boolean =>
    v[flag] === true || (v[flag] === undefined && env[envName] !== undefined && parseBool(env[envName]!, envName));

  const portText = pick('port', 'HOOKBIN_PORT') ?? String(DEFAULT_PORT);
  const host = (pick('host', 'HOOKBIN_HOST') ?? '127.0.0.1').trim();
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) throw new ConfigError(`--host must be a host name or IP address, not "${host}"`);
  const token = pick('token', 'HOOKBIN_TOKEN') ?? null;
  if (token !== null && !TOKEN_SYNTAX.test(token)) {
    throw new ConfigError('--token must be 1 to 512 visible ASCII characters without spaces');
  }
  const secrets = [
    ...Object.entries(env)
      .filter(([k, val]) => k.startsWith('HOOKBIN_SECRET_') && val !== undefined)
      .map(([k, val]) => parseSecret(`${k.slice('HOOKBIN_SECRET_'.length)}=${val}`, k.replace(/^(HOOKBIN_SECRET_).*/, '$1<NAME>'))),
    ...((v.secret as string[] | undefined) ?? []).map((s) => parseSecret(s, '--secret')),
  ];
  const seen = new Set<string>();
  for (const { name } of secrets) {
    if (seen.has(name)) throw new ConfigError(`the secret name "${name}" is given twice (--secret or HOOKBIN_SECRET_${name})`);
    seen.add(name);
  }
  const dataDir = resolve(expandHome(pick('data-dir', 'HOOKBIN_DATA_DIR') ?? '~/.hookbin', home));
  const maxBody = parseSize(pick('max-body', 'HOOKBIN_MAX_BODY') ?? '25mb', '--max-body');
  const maxDbSize = parseSize(pick('max-db-size', 'HOOKBIN_MAX_DB_SIZE') ?? '2gb', '--max-db-size', 1024 ** 4);
  // One capture must always fit beside the others it displaces.
  if (maxDbSize < 2 * maxBody) throw new ConfigError('--max-db-size must be at least twice --max-body');
  const port = parseInteger(portText, '--port', 0, 65535);
  const ingressText = pick('ingress-port', 'HOOKBIN_INGRESS_PORT');
  const ingressPort = ingressText === undefined || ingressText.trim() === '' ? null : parseInteger(ingressText, '--ingress-port', 0, 65535);
  if (ingressPort !== null && ingressPort !== 0 && ingressPort === port) throw new ConfigError(`--ingress-port must differ from --port (both are ${port})`);
  const forward = pick('forward', 'HOOKBIN_FORWARD')?.trim() || null;
  if (forward !== null && !isTargetUrl(forward)) throw new ConfigError(`--forward must be an absolute http:// or https:// URL, not "${forward}"`);
  const publicText = pick('public-url', 'HOOKBIN_PUBLIC_URL');
  let publicUrl: string | null = null;
  if (publicText !== undefined && publicText.trim() !== '') {
    const p = parsePublicUrl(publicText);
    if (!p.ok) throw new ConfigError(p.message);
    publicUrl = p.url;
  }

  const schemesPath = pick('schemes', 'HOOKBIN_SCHEMES');
  const schemes = schemesPath === undefined || schemesPath === '' ? [] : loadSchemesFile(resolve(expandHome(schemesPath, home)), (m) => new ConfigError(m));

  return {
    kind: 'run',
    config: {
      port,
      ingressPort,
      host,
      dataDir,
      memory: flagBool('memory', 'HOOKBIN_MEMORY'),
      token,
      secrets,
      schemes,
      open: flagBool('open', 'HOOKBIN_OPEN'),
      maxBody,
      maxCaptures: parseInteger(pick('max-captures', 'HOOKBIN_MAX_CAPTURES') ?? '10000', '--max-captures', 1, 10_000_000),
      maxDbSize,
      forward,
      forwardRelay: flagBool('forward-relay', 'HOOKBIN_FORWARD_RELAY'),
      forwardInsecure: flagBool('forward-insecure', 'HOOKBIN_FORWARD_INSECURE'),
      publicUrl,
      trustProxy: flagBool('trust-proxy', 'HOOKBIN_TRUST_PROXY'),
    },
  };
}
