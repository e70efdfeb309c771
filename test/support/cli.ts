/**
 * Running the built CLI as a user would, for the CLI suites: spawning
 * `node bin/hookbin.js` with a user's environment, reading its banner,
 * stopping it, and killing whatever a test left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { BIN_JS, cleanupTempDirs, tempDir } from '../support/helpers.js';

/** No spawned hookbin lives longer than this, whatever happens to the test. */
export const PROCESS_TIMEOUT_MS = 20_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Cli {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
}

export interface Banner {
  inspectorUrl: string;
  binUrl: string;
  curlLine: string;
  origin: string;
  port: number;
  token: string;
  text: string;
}

export const live = new Set<ChildProcess>();
export const listeners: Server[] = [];

/** Registers the suite's hooks: the CLI must be built; every hookbin a test spawned is killed and every port it held closed after it. */
export function useCliProcesses(): void {
  beforeAll(() => {
    if (!existsSync(new URL('../../dist/server/main/cli.js', import.meta.url))) {
      throw new Error('dist/server/main/cli.js is missing: run `npm run build` before the CLI tests');
    }
  });

  afterEach(async () => {
    for (const proc of live) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    live.clear();
    await Promise.all(listeners.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  afterAll(cleanupTempDirs);
}

/** The environment a user would have, without any HOOKBIN_* of ours, HOME in a temp dir. */
export function userEnv(extra: Record<string, string> = {}, home = tempDir('hookbin-home-')): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOOKBIN_')) env[k] = v;
  return { ...env, HOME: home, ...extra };
}

/**
 * Spawns `node bin/hookbin.js …` (or another copy's `binJs`). A tracked process is killed in afterEach if
 * the test left it running; every process is killed after PROCESS_TIMEOUT_MS.
 */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = userEnv(), track = true, binJs = BIN_JS): Cli {
  const proc = spawn(process.execPath, [binJs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (track) live.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const killer = setTimeout(() => proc.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
  const exited = new Promise<Exit>((resolve) => {
    proc.on('close', (code, signal) => {
      clearTimeout(killer);
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/**
 * Runs the CLI to completion. Untracked, so tests using it can run
 * concurrently: it never outlives its test (awaited, and the timeout kills it).
 */
export async function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<Exit & { stdout: string; stderr: string }> {
  const cli = spawnCli(args, env, false);
  const exit = await cli.exited;
  return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Resolves once `predicate(stdout)` holds; rejects if the process exits first or the wait is too long. */
export async function waitForStdout(cli: Cli, predicate: (out: string) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let exited: Exit | null = null;
  void cli.exited.then((e) => (exited = e));
  while (!predicate(cli.stdout())) {
    if (exited) throw new Error(`hookbin exited (${JSON.stringify(exited)}) before ${what}.\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}.\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits for the banner (the line with `Bin URL`) and reads its URLs. */
export async function waitForBanner(cli: Cli): Promise<Banner> {
  await waitForStdout(cli, (out) => /Bin URL\s+\S+\s*\n/.test(out) && /curl /.test(out), 'the banner');
  const text = cli.stdout();
  const inspectorUrl = /Inspector\s+(\S+)/.exec(text)?.[1];
  const binUrl = /Bin URL\s+(\S+)/.exec(text)?.[1];
  const curlLine = text.split('\n').find((l) => l.includes('curl '))?.trim();
  if (!inspectorUrl || !binUrl || !curlLine) throw new Error(`cannot read the banner:\n${text}`);
  const url = new URL(inspectorUrl);
  return { inspectorUrl, binUrl, curlLine, origin: url.origin, port: Number(url.port), token: url.searchParams.get('token') ?? '', text };
}

export async function startCli(args: string[], env?: NodeJS.ProcessEnv): Promise<{ cli: Cli; banner: Banner }> {
  const cli = spawnCli(args, env);
  return { cli, banner: await waitForBanner(cli) };
}

/** Sends a signal and waits for a clean stop. */
export async function stop(cli: Cli, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  cli.proc.kill(signal);
  return cli.exited;
}

export function expectOneLineError(result: { stdout: string; stderr: string }): void {
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  expect(lines, `stderr was:\n${result.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^hookbin: \S/);
  expect(result.stdout).toBe('');
}
