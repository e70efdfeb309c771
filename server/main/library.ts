/**
 * The Node API, `import { startHookbin } from 'hookbin'`: the same server the
 * CLI runs (`start`), configured through the CLI's own parsing and checks,
 * for test suites. No banner, no signal handlers, no globals; in memory by
 * default, and with a `dataDir` nothing is written outside it.
 */
import { BIN_ID_PATTERN, BIN_ID_RULE } from '../common/limits.js';
import type { CustomSchemeDef } from '../common/custom-scheme.js';
import type { Bin } from '../common/types.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createBinHandle, type BinSecret, type HookbinBin, type RespondPatch } from './library-bin.js';
import { createApiClient, createLiveWaker, HookbinError } from './library-client.js';
import { start, StartError } from './start.js';

export type { BinSecret, EventsOptions, HookbinBin, RespondPatch, WaitOptions } from './library-bin.js';
export type { CapturedRequest } from './library-client.js';
export { HookbinError };
export type * from '../common/types.js';
export type { CustomSchemeDef };

/** Options of `startHookbin`; each is checked as the CLI checks its flag. */
export interface HookbinOptions {
  /** Keep everything in memory (default: true unless `dataDir` is given); nothing is written to disk. */
  memory?: boolean;
  /** Port to listen on (default 0: a free one; read `url`). */
  port?: number;
  /** Keep the database and token in this directory (locked while running), as `--data-dir`; nothing is written outside it. */
  dataDir?: string;
  /** The control API's token (default: a fresh random one, or the one kept in `dataDir`). */
  token?: string;
  /** Signing secrets checked against every bin, as `--secret NAME=VALUE`. */
  secrets?: Array<{ name: string; value: string }>;
  /** Where providers reach hookbin (a tunnel), as `--public-url`: URL-signed schemes (Twilio, Square, HubSpot) verify against it. */
  publicUrl?: string;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
}

/** What `createBin` takes: a bin's id and name, and any of the settings `PATCH /api/bins/{id}` takes. */
export interface BinSettings {
  /** A slug `[a-z0-9_-]{1,64}`; default a random id. */
  id?: string;
  name?: string;
  respond?: RespondPatch;
  secrets?: BinSecret[];
  eventKey?: { header?: string; pointer?: string } | null;
  forwardTo?: string | null;
  forward?: { relay?: boolean; timeoutMs?: number; insecure?: boolean };
  cors?: boolean;
  schemes?: CustomSchemeDef[];
}

/** A running hookbin started by `startHookbin`. */
export interface Hookbin {
  /** `http://127.0.0.1:<port>`: the API is under `/api`, bins under `/b/<id>`. */
  readonly url: string;
  /** The control API's token (`Authorization: Bearer <token>`). */
  readonly token: string;
  /** The inspector with its token, to watch a test's webhooks in a browser. */
  readonly inspectorUrl: string;
  /** Creates a bin (`POST /api/bins`, then its settings); a settings error removes the bin again and throws. */
  createBin(settings?: BinSettings): Promise<HookbinBin>;
  /** The handle of an existing bin (no request is made; its calls answer 404 when no such bin exists). */
  bin(id: string): HookbinBin;
  /**
   * Stops: pending `waitForCapture` calls reject, requests in flight get up
   * to `graceMs` (default 2000) to finish, then the database is closed and
   * the port and data dir are free. Called again, it returns the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

const OPTION_FLAGS: Record<keyof HookbinOptions, string> = {
  memory: '--memory',
  port: '--port',
  dataDir: '--data-dir',
  token: '--token',
  secrets: '--secret',
  publicUrl: '--public-url',
  host: '--host',
};

/** A CLI message in the API's words: `--data-dir` reads `dataDir`. */
function inOptionWords(message: string): string {
  let out = message;
  for (const [option, flag] of Object.entries(OPTION_FLAGS)) out = out.replaceAll(flag, option);
  return `startHookbin: ${out}`;
}

function expectType(name: string, value: unknown, type: 'string' | 'number' | 'boolean'): void {
  if (value !== undefined && typeof value !== type) throw new TypeError(`startHookbin: ${name} must be a ${type}, not ${typeof value}`);
}

/** The options as the command line the CLI would be given: the same parsing and checks, and no environment. */
function optionsToConfig(options: HookbinOptions): Config {
  if (options === null || typeof options !== 'object') throw new TypeError('startHookbin: options must be an object');
  const unknown = Object.keys(options).filter((k) => !(k in OPTION_FLAGS));
  if (unknown.length > 0) throw new TypeError(`startHookbin: unknown option ${unknown.join(', ')}; the options are ${Object.keys(OPTION_FLAGS).join(', ')}`);
  expectType('memory', options.memory, 'boolean');
  expectType('port', options.port, 'number');
  for (const name of ['dataDir', 'token', 'publicUrl', 'host'] as const) expectType(name, options[name], 'string');
  const memory = options.memory ?? options.dataDir === undefined;
  if (memory && options.dataDir !== undefined) throw new TypeError('startHookbin: give memory: true or a dataDir, not both');
  // The CLI's default data dir is ~/.hookbin: the library writes nowhere it was not told to.
  if (!memory && options.dataDir === undefined) throw new TypeError('startHookbin: memory: false needs a dataDir');
  const secrets = options.secrets ?? [];
  if (!Array.isArray(secrets) || secrets.some((s) => s === null || typeof s !== 'object' || typeof s.name !== 'string' || typeof s.value !== 'string')) {
    throw new TypeError('startHookbin: secrets must be an array of {name, value} strings');
  }
  const argv = [
    `--port=${options.port ?? 0}`,
    `--host=${options.host ?? '127.0.0.1'}`,
    ...(memory ? ['--memory'] : [`--data-dir=${options.dataDir}`]),
    ...(options.token === undefined ? [] : [`--token=${options.token}`]),
    ...(options.publicUrl === undefined ? [] : [`--public-url=${options.publicUrl}`]),
    ...secrets.map((s) => `--secret=${s.name}=${s.value}`),
  ];
  try {
    const invocation = parseConfig(argv, {});
    if (invocation.kind !== 'run') throw new Error('unreachable: no --help or --version is given');
    return invocation.config;
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(inOptionWords(err.message));
    throw err;
  }
}

/**
 * Starts hookbin in this process, as `hookbin --memory --port 0` would, and
 * resolves once it listens. Throws with the CLI's message (in the options'
 * words) for a bad option, a port in use or a data dir another hookbin holds.
 */
export async function startHookbin(options: HookbinOptions = {}): Promise<Hookbin> {
  const config = optionsToConfig(options);
  let running;
  try {
    running = await start(config);
  } catch (err) {
    if (err instanceof StartError) throw new StartError(inOptionWords(err.message));
    throw err;
  }
  const { origin, token } = running;
  const api = createApiClient(origin, token);
  const live = createLiveWaker(origin, token);
  const handle = (id: string) => createBinHandle(id, `${origin}/b/${id}`, api, live);
  let closing: Promise<void> | undefined;
  return {
    url: origin,
    token,
    inspectorUrl: running.inspectorUrl,
    async createBin(settings = {}) {
      const { id, name, ...rest } = settings;
      const bin = await api.json<Bin>('POST', '/api/bins', { ...(id === undefined ? {} : { id }), ...(name === undefined ? {} : { name }) });
      if (Object.keys(rest).length > 0) {
        try {
          await api.json<Bin>('PATCH', `/api/bins/${bin.id}`, rest);
        } catch (err) {
          await api.json('DELETE', `/api/bins/${bin.id}`).catch(() => undefined);
          throw err;
        }
      }
      return handle(bin.id);
    },
    bin(id) {
      if (typeof id !== 'string' || !BIN_ID_PATTERN.test(id)) throw new TypeError(`hookbin.bin: ${BIN_ID_RULE}`);
      return handle(id);
    },
    close(graceMs = 2000) {
      closing ??= (async () => {
        live.close();
        await running.close(graceMs);
      })();
      return closing;
    },
  };
}
