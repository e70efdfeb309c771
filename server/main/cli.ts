import { spawn } from 'node:child_process';
import { ConfigError, helpText, parseConfig, type Config } from './config.js';
import { isLoopbackName } from '../http/security.js';
import { start, StartError, type Running } from './start.js';
import { VERSION } from './version.js';
import { displayUrl } from '../outbound/exchange.js';
import { sendCommand } from './send-cli.js';
import { checkCommand } from './check-cli.js';
import { transferCommand } from './transfer-cli.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The startup banner: where the inspector is, a ready bin URL, and a curl line to try it. */
export function banner(running: Running, config: Config): string[] {
  const lines = [
    `hookbin ${VERSION} is listening on ${running.origin}`,
    '',
    `  Inspector  ${running.inspectorUrl}`,
    `  Bin URL    ${running.binUrl}`,
    // With --public-url the bin URL is the tunnel's; this one reaches the same bin from this machine.
    ...(config.publicUrl ? [`  Local URL  ${running.origin}/b/${running.binUrl.split('/b/')[1]}`] : []),
    ...(config.trustProxy && !config.publicUrl ? ['  Proxy      bin requests take their public URL from X-Forwarded-Proto/-Host (--trust-proxy)'] : []),
    // The URL to give a tunnel: that port serves bins only, never the inspector or the API.
    ...(running.ingressBinUrl !== null ? [`  Tunnel URL ${running.ingressBinUrl} (point your tunnel at port ${running.ingressPort}: bin URLs only, no inspector, no API)`] : []),
    `  Data       ${running.dbFile ?? 'in memory (--memory): nothing is kept after exit'}`,
    // Names only: a secret's value is never printed.
    ...(config.secrets.length > 0 ? [`  Secrets    ${config.secrets.map((s) => s.name).join(', ')} (checked on every bin)`] : []),
    ...(config.forward !== null
      ? [`  Forward    ${displayUrl(config.forward)}${config.forwardRelay ? ' (its replies answer the providers)' : ''}${config.forwardInsecure ? ' (certificate not verified)' : ''}`]
      : []),
    ...(running.resumed > 0 ? [`  Outbox     ${running.resumed} pending ${running.resumed === 1 ? 'delivery' : 'deliveries'} resumed`] : []),
    '',
    '  Try it:',
    `    curl -X POST ${running.binUrl} -H 'Content-Type: application/json' -d '{"hello":"world"}'`,
    '',
  ];
  if (!isLoopbackName(config.host)) {
    lines.push(
      `  Warning: bound to ${config.host}, so other machines can reach this hookbin.`,
      '  Bin URLs accept anyone; the API and inspector still require the token.',
      '',
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

function openBrowser(url: string, io: CliIO): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => io.err('hookbin: could not open a browser; open the inspector URL yourself'));
    child.unref();
  } catch {
    io.err('hookbin: could not open a browser; open the inspector URL yourself');
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** `hookbin send …`: Ctrl+C cancels the delivery (exit 130) instead of killing it mid-attempt. */
async function send(argv: string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  const interrupt = new AbortController();
  const stop = () => interrupt.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await sendCommand(argv, env, io, interrupt.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * The `hookbin` command (and `hookbin send`, see send-cli.ts; `hookbin check`, check-cli.ts; `hookbin export` and `import`, transfer-cli.ts): parse, start, print the banner, close cleanly on
 * SIGINT/SIGTERM. Resolves to the exit code: 0 after a clean stop, 1 when
 * hookbin cannot start, 2 for a bad flag or environment value.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CliIO = defaultIO): Promise<number> {
  if (argv[0] === 'send') return send(argv.slice(1), env, io);
  if (argv[0] === 'check') return checkCommand(argv.slice(1), env, io);
  if (argv[0] === 'export' || argv[0] === 'import') return transferCommand(argv[0], argv.slice(1), env, io);
  let config: Config;
  try {
    const invocation = parseConfig(argv, env);
    if (invocation.kind === 'help') {
      io.out(helpText(VERSION));
      return 0;
    }
    if (invocation.kind === 'version') {
      io.out(VERSION);
      return 0;
    }
    config = invocation.config;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`hookbin: ${err.message}`);
      return 2;
    }
    throw err;
  }

  let running: Running;
  try {
    running = await start(config);
  } catch (err) {
    if (err instanceof StartError) {
      io.err(`hookbin: ${err.message}`);
      return 1;
    }
    throw err;
  }
  // Listening for signals before the banner: a supervisor (or a test) that reads the banner
  // from a pipe may signal at once, before the line after the last write has run.
  const signalled = nextSignal();
  for (const line of banner(running, config)) io.out(line);
  if (config.open) openBrowser(running.inspectorUrl, io);

  const signal = await signalled;
  io.out(`hookbin: ${signal}, finishing in-flight requests and closing the database…`);
  // A second signal means "now": leave without waiting for slow clients.
  const force = () => process.exit(1);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await running.close();
  io.out('hookbin: stopped');
  return 0;
}
