/**
 * The parts of `npm run bench` that are not figures: temp dirs and child
 * processes (killed on exit), reading a process's memory and CPU from /proc,
 * starting hookbin and the bare node:http reference, the API calls, and the
 * autocannon load of signed webhooks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import WebSocket from 'ws';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The built CLI, unless a run names another (`--bin`). */
export const BIN = join(ROOT, 'bin', 'hookbin.js');
export const BARE = join(ROOT, 'scripts', 'bench-bare.mjs');
/** The durable stack limit: node:http + better-sqlite3, group commit, answered after the WAL's fdatasync. */
export const DURABLE = join(ROOT, 'scripts', 'bench-durable.mjs');
/** The Node peer: mockttp as an in-memory request sink. */
export const MOCKTTP = join(ROOT, 'scripts', 'bench-mockttp.mjs');
export const TOKEN = 'bench-token-0123456789abcdef';
export const SECRET = 'bench-secret-0123456789';
export const BIN_ID = 'bench';
export const MiB = 1024 * 1024;

export const temps = [];
export function tempDir() {
  const dir = mkdtempSync(join(os.tmpdir(), 'hookbin-bench-'));
  temps.push(dir);
  return dir;
}
export const children = new Set();
export function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

export function log(line = '') {
  process.stdout.write(`${line}\n`);
}

// ---------------------------------------------------------------- processes

/** VmRSS and VmHWM (peak RSS) of a process, in bytes, from /proc. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU time (user + system) a process has used so far, in µs, from /proc. */
export function cpuOf(pid) {
  return cpuSplitOf(pid).total;
}

/** User and system CPU time of a process so far, in µs. */
export function cpuSplitOf(pid) {
  // Fields after the parenthesized command name; utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = (Number(fields[11]) / CLOCK_TICKS) * 1e6;
  const system = (Number(fields[12]) / CLOCK_TICKS) * 1e6;
  return { user, system, total: user + system };
}
export const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Resets a process's VmHWM to its current RSS (Linux `clear_refs` 5); false when not allowed. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Spawns a server and resolves when its stdout matches `ready`, with the match and the ms it took. */
export function spawnUntil(argv, ready, options = {}) {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let done = false;
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m && !done) {
        done = true;
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        resolve({
          child,
          pid: child.pid,
          match: m,
          ms,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr.on('data', (d) => (err += d));
    exited.then(({ code, signal }) => {
      if (!done) reject(new Error(`${argv.join(' ')} exited (${code ?? signal}) before it was ready:\n${out}${err}`));
    });
  });
}

/** Starts the built hookbin CLI on loopback with a temp (or given) data dir. */
export async function startHookbin({ bin = BIN, dataDir = tempDir(), extra = [], nodeArgs = [] } = {}) {
  const started = await spawnUntil(
    [...nodeArgs, bin, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--token', TOKEN, '--max-captures', '10000000', ...extra],
    /is listening on (http:\/\/\S+)/,
  );
  return { ...started, origin: started.match[1], dataDir };
}

export async function startBare() {
  return startReference(BARE);
}

/** One of the reference servers (`scripts/bench-*.mjs`), each printing `listening <port>`. */
export async function startReference(script, args = []) {
  const started = await spawnUntil([script, ...args], /listening (\d+)/);
  return { ...started, origin: `http://127.0.0.1:${started.match[1]}` };
}

// ---------------------------------------------------------------- API

export async function api(origin, path, init = {}) {
  const res = await fetch(origin + path, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Makes the benchmark bin, with the secret its webhooks are signed with. */
export async function makeBin(origin, id = BIN_ID) {
  await api(origin, '/api/bins', { method: 'POST', body: JSON.stringify({ id, name: id }) });
  await api(origin, `/api/bins/${id}`, {
    method: 'PATCH',
    // Events keyed by a header: the wrk load sends one signed body, a new X-Event-Id each time.
    body: JSON.stringify({ secrets: [{ name: 'bench', value: SECRET, scheme: 'x-signature' }], eventKey: { header: 'x-event-id' } }),
  });
}

/** Every capture id stored in a bin, paging through the API. */
export async function storedIds(origin, binId) {
  const ids = new Set();
  let before = '';
  for (;;) {
    const page = await api(origin, `/api/bins/${binId}/captures?limit=1000${before}`);
    for (const c of page.captures) ids.add(c.id);
    if (page.next === null) return ids;
    before = `&before=${page.next}`;
  }
}

/** An inspector-like live client subscribed to one bin; counts the captures it is told about. */
export async function liveClient(origin, binId) {
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/ws?token=${TOKEN}`);
  // `seen`: when each probe's summary arrived (performance.now(), by event key); see `probeLatency`.
  const client = { created: 0, seen: new Map(), close: () => ws.close() };
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      // Counted, not parsed (the bench's own CPU is shared with the server under load); only probes are parsed.
      if (data.includes('"capture.created"')) {
        client.created++;
        if (data.includes(`"${PROBE_PREFIX}`)) client.seen.set(JSON.parse(data).capture.event.key, performance.now());
      } else if (data.includes('"subscribed"')) resolve();
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', bins: [binId] })));
  });
  return client;
}

/** A JSON document of exactly `size` bytes: an array of small records, padded with spaces. */
export function jsonOfSize(size) {
  const item = JSON.stringify({ id: 'evt_0123456789', type: 'invoice.paid', amount: 4200, tags: ['a', 'b'], note: 'x'.repeat(40) });
  const count = Math.floor((size - 2) / (item.length + 1));
  const text = `[${Array.from({ length: count }, () => item).join(',')}]`;
  return Buffer.from(text + ' '.repeat(size - Buffer.byteLength(text)));
}

/** Event keys of the latency probes start so. */
const PROBE_PREFIX = 'probe-';

/**
 * Capture-to-inspector latency while a load runs: every `everyMs` one more
 * signed webhook (event key `probe-…`) on a connection of its own, timed from
 * its answer arriving here to its summary arriving on `live` (the inspector's
 * socket). Runs until `until` settles; resolves to the latencies in ms,
 * sorted (a summary that came before its answer counts 0; one that never
 * came, Infinity).
 */
export async function probeLatency(url, live, until, everyMs = 20) {
  const answered = new Map();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  void until.finally(() => (running = false));
  for (let i = 0; running; i++) {
    const key = `${PROBE_PREFIX}${runTag}-${i}`;
    const body = webhookBody(i);
    await new Promise((resolve) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-event-id': key, 'x-signature': createHmac('sha256', SECRET).update(body).digest('hex') } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode >= 200 && res.statusCode < 300) answered.set(key, performance.now());
          resolve();
        });
      });
      req.on('error', resolve);
      req.end(body);
    });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  agent.destroy();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return [...answered].map(([key, at]) => Math.max(0, (live.seen.get(key) ?? Infinity) - at)).sort((a, b) => a - b);
}

// ---------------------------------------------------------------- load

export const BODY_SIZE = 1024;
export const runTag = randomBytes(4).toString('hex');

/** A 1 KB JSON webhook with event id number `n` (fixed width, so every body is exactly 1 KB). */
export function webhookBody(n) {
  const head = `{"id":"evt_${runTag}_${String(n).padStart(10, '0')}","type":"payment.succeeded","created":1700000000,"data":{"object":{"id":"pay_${String(n).padStart(10, '0')}","amount":4200,"currency":"eur","customer":"cus_NffrFeUfNV2Hib","description":"`;
  const tail = '"}}}';
  return head + 'x'.repeat(BODY_SIZE - head.length - tail.length) + tail;
}

/**
 * Loads `url` with autocannon: `connections` keep-alive connections sending
 * signed webhooks for `duration` s (or `amount` requests). Latencies come
 * from autocannon's per-response events (its own histogram keeps whole ms).
 * With `collectIds`, the capture ids of 2xx answers are kept for the check.
 */
export async function load(url, { duration, amount, connections, collectIds = false }) {
  let n = 0;
  const ids = [];
  const latencies = [];
  const path = new URL(url).pathname;
  const instance = autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest(req) {
          const body = webhookBody(n);
          return {
            ...req,
            method: 'POST',
            path,
            body,
            // The bench bin keys its events by this header (as the wrk load does, whose body is one).
            headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', SECRET).update(body).digest('hex'), 'x-event-id': `ac-${runTag}-${n++}` },
          };
        },
        onResponse(status, _body, _context, headers) {
          if (collectIds && status >= 200 && status < 300) ids.push(headers['x-hookbin-capture-id'] ?? headers['X-Hookbin-Capture-Id']);
        },
      },
    ],
  });
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const answered = result['2xx'] + result.non2xx;
  return {
    rps: answered / (amount ? result.duration : duration),
    p50: pct(50),
    p99: pct(99),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    ids,
  };
}
