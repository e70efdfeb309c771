/**
 * `npm run bench`: the built hookbin's figures, each next to its target, with
 * references measured in the same run on the same machine.
 *
 *   npm run bench [-- --duration 10 --connections 32 --warmup 3 --only throughput,startup,list,search,rss,body,detail,js --servers … --profile --bin other/bin/hookbin.js]
 *
 * - throughput: bare `node:http` (scripts/bench-bare.mjs), the durable stack
 *   limit (scripts/bench-durable.mjs), mockttp (scripts/bench-mockttp.mjs),
 *   hookbin and hookbin --memory, each its own process on loopback, loaded in
 *   turn by wrk (scripts/bench-wrk.mjs; autocannon with --load autocannon)
 *   with a 1 KB JSON webhook signed `X-Signature: hex HMAC-SHA256(body)` (a
 *   new event each request), one inspector WebSocket client subscribed, a
 *   latency probe beside the load (bench-lib's probeLatency), and every
 *   capture id answered 2xx looked up afterwards.
 * - startup: spawn `bin/hookbin.js --port 0` to its banner.
 * - list, search: on a bin of 1,000,000 captures (scripts/bench-seed.mjs).
 * - rss: RSS after 100,000 captures. body: peak RSS growth capturing one
 *   50 MiB body. detail: peak RSS growth of `GET /api/captures/{id}` for a
 *   25 MiB capture, the worse of control bytes and a JSON document.
 * - js: the inspector's JavaScript, gzipped.
 *
 * `--profile` runs the durable limit's and hookbin's throughput loads under
 * `node --cpu-prof` and prints where the time went, side by side
 * (scripts/bench-profile.mjs).
 *
 * Speed is measured here and only here; the test suite never times anything.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { seed, seededCustomer } from './bench-seed.mjs';
import { profileBoth } from './bench-profile.mjs';
import { chooseLoad } from './bench-wrk.mjs';
import * as lib from './bench-lib.mjs';
import { api, jsonOfSize, BIN_ID, children, cleanup, cpuOf, cpuSplitOf, liveClient, log, makeBin, probeLatency, memoryOf, MiB, resetPeak, ROOT, SECRET, spawnUntil, startBare, startReference, DURABLE, MOCKTTP, storedIds, tempDir, temps, TOKEN } from './bench-lib.mjs';

let BIN = lib.BIN;

function parseOrExit(config) {
  try {
    return parseArgs(config);
  } catch (err) {
    process.stderr.write(`bench: ${err.message} (see --help)\n`);
    process.exit(2);
  }
}
const { values: args } = parseOrExit({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    only: { type: 'string' },
    servers: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'list-captures': { type: 'string', default: '1000000' },
    'rss-captures': { type: 'string', default: '100000' },
    json: { type: 'string' },
    load: { type: 'string' },
    // Another build's CLI (e.g. an older commit's), to measure before/after on one machine.
    bin: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench [-- options]
  --duration S        seconds of load per server (default 10)
  --connections N     keep-alive connections (default 32)
  --warmup S          warm-up seconds before each measured load (default 3)
  --only LIST         parts to run, comma-separated: throughput,startup,list,search,rss,body,detail,js
  --servers LIST      throughput only for these servers: bare,durable,mockttp,hookbin,memory (no ratios unless all)
  --list-captures N   captures seeded for the list and search figures (default 1000000)
  --rss-captures N    captures sent before measuring RSS (default 100000)
  --json FILE         also write the figures as JSON
  --load wrk|autocannon  what loads the timed runs (default wrk when installed, else autocannon)
  --profile           only hookbin's throughput load, under node --cpu-prof
  --bin PATH          another build's bin/hookbin.js, to compare commits
`);
  process.exit(0);
}
/** A whole number option, at least `min`; exits 2 with a message otherwise. */
function count(name, min) {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`bench: --${name} must be a whole number ≥ ${min}, not "${args[name]}"\n`);
    process.exit(2);
  }
  return value;
}
const DURATION = count('duration', 1);
const CONNECTIONS = count('connections', 1);
const WARMUP = count('warmup', 0);
const LIST_CAPTURES = count('list-captures', 1);
const RSS_CAPTURES = count('rss-captures', 1);
const PARTS = ['throughput', 'startup', 'list', 'search', 'rss', 'body', 'detail', 'js'];
for (const part of args.only?.split(',') ?? []) {
  if (!PARTS.includes(part)) {
    process.stderr.write(`bench: --only takes ${PARTS.join(', ')}; not "${part}"\n`);
    process.exit(2);
  }
}
if (args.bin) BIN = args.bin;

/** hookbin (the one `--bin` names) on loopback, as bench-lib starts it. */
const startHookbin = (options = {}) => lib.startHookbin({ bin: BIN, ...options });
/** Signed webhooks at `url`, over `--connections` unless told. */
const { useWrk: USE_WRK, load } = chooseLoad(args.load, CONNECTIONS);
const ONLY = args.only ? new Set(args.only.split(',')) : null;
const ALL_SERVERS = ['bare', 'durable', 'mockttp', 'hookbin', 'memory'];
const SERVERS = new Set(args.servers ? args.servers.split(',') : ALL_SERVERS);
for (const name of SERVERS) {
  if (ALL_SERVERS.includes(name)) continue;
  process.stderr.write(`bench: --servers takes ${ALL_SERVERS.join(',')}, not "${name}"\n`);
  process.exit(2);
}
const wants = (part) => (args.profile ? false : !ONLY || ONLY.has(part));

// ---------------------------------------------------------------- parts

const figures = [];
/** Records a figure for the summary: `better` is 'higher' or 'lower', `target` a number (or null: context only). */
function figure(name, value, unit, target, better, note = '') {
  const pass = target === null || Number.isNaN(value) ? null : better === 'higher' ? value >= target : value <= target;
  figures.push({ name, value, unit, target, better, pass, note });
}

function fmt(value, unit) {
  if (Number.isNaN(value)) return 'n/a';
  if (unit === 'MB') return `${(value / 1e6).toFixed(1)} MB`;
  if (unit === 'KB') return `${(value / 1e3).toFixed(1)} KB`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
  if (unit === 'x') return `${value.toFixed(2)}×`;
  if (unit === 'µs') return `${value.toFixed(0)} µs`;
  if (unit === 'rps') return `${Math.round(value).toLocaleString('en-US')} req/s`;
  return `${value}${unit ? ` ${unit}` : ''}`;
}

/** A reference server under the same load: rate, latency, peak RSS and CPU a request. */
async function reference(name, started) {
  await load(`${started.origin}/b/${BIN_ID}`, { duration: WARMUP });
  const cpu0 = cpuOf(started.pid);
  const r = await load(`${started.origin}/b/${BIN_ID}`, { duration: DURATION });
  r.cpuPerRequest = (cpuOf(started.pid) - cpu0) / (r.ok + r.non2xx);
  r.peak = memoryOf(started.pid).peak;
  await started.stop();
  // A reference the load generator cannot read (a reply it cannot parse) would make every ratio meaningless.
  if (r.ok === 0) throw new Error(`${name} answered no request with a 2xx the load generator could read (${r.non2xx} non-2xx, ${r.errors} errors)`);
  log(`  ${name.padEnd(15)} ${fmt(r.rps, 'rps')}  p50 ${fmt(r.p50, 'ms')}  p99 ${fmt(r.p99, 'ms')}  peak RSS ${fmt(r.peak, 'MB')}  CPU ${r.cpuPerRequest.toFixed(0)} µs/request`);
  return r;
}

/** hookbin under load with a live client subscribed; `memory` runs it with --memory. Checks every answered 2xx was stored. */
async function hookbinUnderLoad(memory) {
  const hb = await startHookbin(memory ? { extra: ['--memory'] } : {});
  await makeBin(hb.origin);
  const live = await liveClient(hb.origin, BIN_ID);
  const warm = await load(`${hb.origin}/b/${BIN_ID}`, { duration: WARMUP, collectIds: true });
  const split0 = cpuSplitOf(hb.pid);
  const loading = load(`${hb.origin}/b/${BIN_ID}`, { duration: DURATION, collectIds: true });
  const probing = probeLatency(`${hb.origin}/b/${BIN_ID}`, live, loading);
  const h = await loading;
  const split1 = cpuSplitOf(hb.pid);
  const latencies = await probing;
  h.live = { p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)], n: latencies.length };
  h.cpuPerRequest = (split1.total - split0.total) / (h.ok + h.non2xx);
  h.systemPerRequest = (split1.system - split0.system) / (h.ok + h.non2xx);
  h.peak = memoryOf(hb.pid).peak;
  const name = memory ? 'hookbin --memory' : 'hookbin';
  log(`  ${name.padEnd(15)} ${fmt(h.rps, 'rps')}  p50 ${fmt(h.p50, 'ms')}  p99 ${fmt(h.p99, 'ms')}  peak RSS ${fmt(h.peak, 'MB')}  CPU ${h.cpuPerRequest.toFixed(0)} µs/request (${h.systemPerRequest.toFixed(0)} system)`);
  log(`    capture to inspector: p50 ${fmt(h.live.p50, 'ms')}, p99 ${fmt(h.live.p99, 'ms')} (${h.live.n} probes answered during the load)`);
  if (h.non2xx + h.errors + h.timeouts > 0) log(`  ${name}: ${h.non2xx} non-2xx, ${h.errors} errors, ${h.timeouts} timeouts`);

  // Every answered 2xx must be stored: look each id up among the bin's captures.
  await new Promise((r) => setTimeout(r, 500));
  const stored = await storedIds(hb.origin, BIN_ID);
  const answered = [...warm.ids, ...h.ids];
  h.answered = answered.length;
  h.missing = answered.filter((id) => !stored.has(id)).length;
  const extra = stored.size - (answered.length - h.missing);
  log(`    stored check: ${answered.length.toLocaleString('en-US')} answered 2xx, ${stored.size.toLocaleString('en-US')} stored, ${h.missing} missing; ${extra} stored but not answered (in flight when the load stopped); live client told about ${live.created.toLocaleString('en-US')}`);
  live.close();
  await hb.stop();
  return h;
}

/**
 * Capture throughput against four references in one run: bare node:http (no
 * work), the durable stack limit (node:http + better-sqlite3 with group commit
 * and a WAL fdatasync before each answer: what keeping every webhook costs on
 * this stack), hookbin --memory, and mockttp (the Node peer).
 */
async function throughput() {
  log(`throughput: ${USE_WRK ? 'wrk, 1 thread' : 'autocannon'}, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s each, 1 KB signed JSON webhook`);
  const run = (name, start) => (SERVERS.has(name) ? start() : Promise.resolve(null));
  const b = await run('bare', async () => reference('bare node:http', await startBare()));
  const d = await run('durable', async () => reference('durable limit', await startReference(DURABLE, [tempDir()])));
  const m = await run('mockttp', async () => reference('mockttp', await startReference(MOCKTTP)));
  const h = await run('hookbin', () => hookbinUnderLoad(false));
  const hm = await run('memory', () => hookbinUnderLoad(true));
  // Only a full run (every server) gives the figures: a partial one is for looking at a change.
  if (!b || !d || !m || !h || !hm) return null;

  figure('capture throughput, hookbin ÷ durable stack limit', h.rps / d.rps, 'x', 0.7, 'higher', `${fmt(h.rps, 'rps')} vs ${fmt(d.rps, 'rps')}`);
  figure('capture throughput, hookbin ÷ mockttp', h.rps / m.rps, 'x', 3, 'higher', `${fmt(m.rps, 'rps')}`);
  figure('capture throughput, hookbin ÷ bare', h.rps / b.rps, 'x', null, 'higher', `${fmt(b.rps, 'rps')}; --memory ${fmt(hm.rps, 'rps')}`);
  figure('p99 latency, hookbin ÷ durable stack limit', h.p99 / d.p99, 'x', null, 'lower', `${fmt(h.p99, 'ms')} vs ${fmt(d.p99, 'ms')} (bare ${fmt(b.p99, 'ms')})`);
  figure('p50 latency, hookbin ÷ bare', h.p50 / b.p50, 'x', null, 'lower', `${fmt(h.p50, 'ms')} vs ${fmt(b.p50, 'ms')}`);
  figure('peak RSS under load, hookbin', h.peak, 'MB', null, 'lower', `bare ${fmt(b.peak, 'MB')}, mockttp ${fmt(m.peak, 'MB')}`);
  figure('server CPU per request, hookbin', h.cpuPerRequest, 'µs', null, 'lower', `bare ${b.cpuPerRequest.toFixed(0)} µs, durable limit ${d.cpuPerRequest.toFixed(0)} µs, mockttp ${m.cpuPerRequest.toFixed(0)} µs`);
  figure('capture-to-inspector latency p99, under load (answer → summary on the live socket)', h.live.p99, 'ms', 50, 'lower', `p50 ${fmt(h.live.p50, 'ms')}, ${h.live.n} probes; --memory p99 ${fmt(hm.live.p99, 'ms')}`);
  figure('answered 2xx but not stored', h.missing + hm.missing, '', 0, 'lower', `of ${(h.answered + hm.answered).toLocaleString('en-US')}`);
  return { bare: b, durable: d, mockttp: m, hookbin: h, memory: hm, missing: h.missing };
}

async function startup() {
  const runs = [];
  const dir = tempDir();
  for (let i = 0; i < 7; i++) {
    const hb = await startHookbin({ dataDir: i === 0 ? tempDir() : dir });
    runs.push(hb.ms);
    await hb.stop();
  }
  // Node's own floor on this machine: spawn to a first line of output.
  const floor = [];
  for (let i = 0; i < 5; i++) floor.push((await spawnUntil(['-e', 'console.log("up"); setTimeout(() => {}, 100000)'], /up/)).ms);
  await Promise.all([...children].map((c) => c.kill('SIGTERM')));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  log(`startup: fresh data dir ${fmt(runs[0], 'ms')}; existing ${runs.slice(1).map((r) => r.toFixed(0)).join(', ')} ms; node -e floor ${fmt(median(floor), 'ms')}`);
  figure('startup to listening (median of 6)', median(runs.slice(1)), 'ms', 250, 'lower', `fresh dir ${fmt(runs[0], 'ms')}; bare node ${fmt(median(floor), 'ms')}`);
}

let bigDir = null;
/** A data dir whose bin `big` holds LIST_CAPTURES captures, indexed for search; seeded once for list and search. */
async function bigBin() {
  if (bigDir) return bigDir;
  const dir = tempDir();
  const hb = await startHookbin({ dataDir: dir });
  await makeBin(hb.origin, 'big');
  await hb.stop();
  // Bodies of 256 bytes: a list never reads a body (they live in their own table), and
  // 1 KB ones would only make the seeding slower.
  const seconds = await seed(join(dir, 'hookbin.db'), 'big', LIST_CAPTURES, { bodyBytes: 256 });
  log(`seeded ${LIST_CAPTURES.toLocaleString('en-US')} captures (indexed for search) in ${seconds.toFixed(1)} s`);
  bigDir = dir;
  return dir;
}

async function listBig() {
  const dir = await bigBin();
  const hb = await startHookbin({ dataDir: dir });
  const time = async (path) => {
    const t0 = performance.now();
    const page = await api(hb.origin, path);
    return { ms: performance.now() - t0, page };
  };
  const first = await time('/api/bins/big/captures?limit=100');
  if (first.page.captures.length !== 100) throw new Error('the seeded bin listed fewer than 100 captures');
  const warm = [];
  for (let i = 0; i < 50; i++) warm.push((await time('/api/bins/big/captures?limit=100')).ms);
  // Summaries carry no seq; the cursor is one, and seqs of the seeded bin run 1…N.
  const middle = Math.floor(first.page.next / 2);
  const deep = [];
  for (let i = 0; i < 50; i++) deep.push((await time(`/api/bins/big/captures?limit=100&before=${middle}`)).ms);
  const filtered = [];
  for (let i = 0; i < 10; i++) filtered.push((await time('/api/bins/big/captures?limit=100&verdict=valid')).ms);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  log(`list: first ${fmt(first.ms, 'ms')}; median ${fmt(median(warm), 'ms')} (newest), ${fmt(median(deep), 'ms')} (from the middle), ${fmt(median(filtered), 'ms')} (verdict=valid); startup with it ${fmt(hb.ms, 'ms')}`);
  await hb.stop();
  figure(`list 100 of a ${(LIST_CAPTURES / 1e6).toLocaleString('en-US')}M-capture bin (median, over HTTP)`, median(warm), 'ms', 10, 'lower', `first ${fmt(first.ms, 'ms')}, mid-bin ${fmt(median(deep), 'ms')}`);
}

async function searchBig() {
  const dir = await bigBin();
  const hb = await startHookbin({ dataDir: dir });
  const n = LIST_CAPTURES;
  const queries = [
    { what: 'a value deep in one body', q: seededCustomer(Math.floor(n / 2)), expect: 1 },
    { what: 'a word every body holds', q: 'payment.succeeded', expect: Math.min(100, n) },
    { what: 'a word no body holds', q: 'no-such-word', expect: 0 },
    { what: 'two words, one capture', q: `evt_${Math.floor(n / 3)} payment`, expect: 1 },
    { what: 'a page from the middle', q: 'payment.succeeded', extra: `&before=${Math.floor(n / 2)}`, expect: Math.min(100, Math.floor(n / 2) - 1) },
    { what: 'a value and a verdict', q: seededCustomer(7), extra: '&verdict=valid', expect: 1 },
  ];
  const all = [];
  const lines = [];
  for (const query of queries) {
    const path = `/api/bins/big/captures?limit=100&q=${encodeURIComponent(query.q)}${query.extra ?? ''}`;
    const times = [];
    // The first of each is timed too: a search reads the index cold as often as warm.
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now();
      const page = await api(hb.origin, path);
      times.push(performance.now() - t0);
      if (page.captures.length !== query.expect) throw new Error(`search "${query.q}" found ${page.captures.length}, not ${query.expect}`);
    }
    all.push(...times);
    const sorted = [...times].sort((a, b) => a - b);
    lines.push(`  ${query.what} (q=${query.q}${query.extra ?? ''}): median ${fmt(sorted[5], 'ms')}, worst ${fmt(sorted.at(-1), 'ms')}, first ${fmt(times[0], 'ms')}`);
  }
  await hb.stop();
  const sorted = [...all].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  log(`search: ${queries.length} queries × 11 on the ${n.toLocaleString('en-US')}-capture bin, p50 ${fmt(pct(50), 'ms')}, p95 ${fmt(pct(95), 'ms')}\n${lines.join('\n')}`);
  figure(`search 100 of a ${(n / 1e6).toLocaleString('en-US')}M-capture bin (p50, over HTTP)`, pct(50), 'ms', 100, 'lower', `p95 ${fmt(pct(95), 'ms')}`);
}

async function rssAfter() {
  const hb = await startHookbin();
  await makeBin(hb.origin);
  const live = await liveClient(hb.origin, BIN_ID);
  const r = await load(`${hb.origin}/b/${BIN_ID}`, { amount: RSS_CAPTURES });
  await new Promise((res) => setTimeout(res, 1000));
  const mem = memoryOf(hb.pid);
  const bin = await api(hb.origin, `/api/bins/${BIN_ID}`);
  log(`rss: after ${bin.captureCount.toLocaleString('en-US')} captures (${r.ok.toLocaleString('en-US')} answered 2xx): RSS ${fmt(mem.rss, 'MB')}, peak ${fmt(mem.peak, 'MB')}`);
  live.close();
  await hb.stop();
  figure(`RSS after ${RSS_CAPTURES.toLocaleString('en-US')} captures`, mem.rss, 'MB', 150e6, 'lower', `peak ${fmt(mem.peak, 'MB')}`);
}

async function bigBody() {
  const size = 50 * MiB;
  const hb = await startHookbin({ extra: ['--max-body', '64mb'] });
  await makeBin(hb.origin);
  // A small capture first, so the figure is the body's, not the first request's.
  await load(`${hb.origin}/b/${BIN_ID}`, { amount: 200, connections: 4 });
  await new Promise((res) => setTimeout(res, 500));
  const body = randomBytes(size);
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  const before = memoryOf(hb.pid).rss;
  const reset = resetPeak(hb.pid);
  let polled = before;
  const poll = setInterval(() => (polled = Math.max(polled, memoryOf(hb.pid).rss)), 2);
  const answer = await new Promise((resolve, reject) => {
    const req = request(`${hb.origin}/b/${BIN_ID}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': size, 'x-signature': signature },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, id: res.headers['x-hookbin-capture-id'] }));
    });
    req.on('error', reject);
    // Written in 64 KiB pieces, as a network would deliver it.
    let at = 0;
    const next = () => {
      while (at < size) {
        const piece = body.subarray(at, Math.min(size, at + 64 * 1024));
        at += piece.length;
        if (!req.write(piece)) return req.once('drain', next);
      }
      req.end();
    };
    next();
  });
  await new Promise((res) => setTimeout(res, 50));
  clearInterval(poll);
  const peak = reset ? Math.max(memoryOf(hb.pid).peak, polled) : polled;
  const growth = peak - before;
  const stored = await fetch(`${hb.origin}/api/captures/${answer.id}/body`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const same = createHash('sha256').update(Buffer.from(await stored.arrayBuffer())).digest('hex') === createHash('sha256').update(body).digest('hex');
  const capture = await api(hb.origin, `/api/captures/${answer.id}`);
  log(`body: 50 MiB answered ${answer.status}, stored ${same ? 'byte-exact' : 'DIFFERENT'}, signature ${capture.signatures[0]?.status}; RSS ${fmt(before, 'MB')} → peak ${fmt(peak, 'MB')} (${reset ? 'VmHWM reset' : 'polled'})`);
  await hb.stop();
  if (answer.status !== 200 || !same) throw new Error('the 50 MiB body was not captured whole');
  figure('peak RSS growth for a 50 MiB body, ÷ body', growth / size, 'x', 3, 'lower', `+${fmt(growth, 'MB')}`);
}

async function bigDetail() {
  const size = 25 * MiB;
  const hb = await startHookbin();
  await makeBin(hb.origin);
  const wrong = createHmac('sha256', 'not-the-secret').update('x').digest('hex');
  const post = async (body, contentType) => {
    const res = await fetch(`${hb.origin}/b/${BIN_ID}`, { method: 'POST', headers: { 'content-type': contentType, 'x-signature': wrong }, body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the 25 MiB capture was answered ${res.status}`);
    return res.headers.get('x-hookbin-capture-id');
  };
  const bodies = [
    { what: 'control bytes', id: await post(Buffer.alloc(size, 1), 'text/plain') },
    { what: 'JSON', id: await post(jsonOfSize(size), 'application/json') },
  ];
  // A small capture looked at first, so the figure is the big one's, not the first request's.
  const small = await post(Buffer.from('{"warm":true}'), 'application/json');
  for (let i = 0; i < 5; i++) await api(hb.origin, `/api/captures/${small}`);
  await new Promise((res) => setTimeout(res, 500));
  let worst = { growth: -Infinity };
  for (const b of bodies) {
    const before = memoryOf(hb.pid).rss;
    const reset = resetPeak(hb.pid);
    let polled = before;
    const poll = setInterval(() => (polled = Math.max(polled, memoryOf(hb.pid).rss)), 2);
    const res = await fetch(`${hb.origin}/api/captures/${b.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const json = Buffer.from(await res.arrayBuffer());
    clearInterval(poll);
    if (res.status !== 200) throw new Error(`GET /api/captures/${b.id} → ${res.status}`);
    const peak = reset ? Math.max(memoryOf(hb.pid).peak, polled) : polled;
    const growth = peak - before;
    log(`detail: 25 MiB ${b.what}: JSON ${fmt(json.length, 'MB')}; RSS ${fmt(before, 'MB')} → peak ${fmt(peak, 'MB')} (+${fmt(growth, 'MB')}, ${reset ? 'VmHWM reset' : 'polled'})`);
    if (growth > worst.growth) worst = { ...b, growth, json: json.length };
    // Let the answer's garbage go before the next one is measured.
    await new Promise((res) => setTimeout(res, 1000));
  }
  await hb.stop();
  figure('peak RSS growth of GET /api/captures/{id} for a 25 MiB capture, ÷ body', worst.growth / size, 'x', 2, 'lower', `+${fmt(worst.growth, 'MB')}, ${worst.what}, JSON ${fmt(worst.json, 'MB')}`);
}

function inspectorJs() {
  const dir = join(ROOT, 'dist', 'web', 'assets');
  let total = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) total += gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
  log(`js: inspector JavaScript ${fmt(total, 'KB')} gzip`);
  // 60 KB until export and import, search and the comparison of two captures (5.2 KB between them).
  figure('inspector JS, gzip', total, 'KB', 64e3, 'lower');
}

/** The durable limit's and hookbin's throughput runs under the profiler, side by side (bench-profile.mjs). */
function profile() {
  return profileBoth({
    durable: (nodeArgs) => spawnUntil([...nodeArgs, DURABLE, tempDir()], /listening (\d+)/).then((s) => ({ ...s, origin: `http://127.0.0.1:${s.match[1]}` })),
    hookbin: async (nodeArgs) => ({ ...(await startHookbin({ nodeArgs })), makeBin: true }),
    load: (url, duration) => load(url, { duration }),
    warmup: WARMUP,
    duration: DURATION,
    fmt,
  });
}

// ---------------------------------------------------------------- main

function buildIfNeeded() {
  if (spawnSync(process.execPath, ['scripts/build-stamp.mjs', 'check'], { cwd: ROOT }).status === 0) return;
  log('building (dist/ is not current)…');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('npm run build failed');
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

function load1() {
  return os.loadavg()[0].toFixed(2);
}

async function main() {
  buildIfNeeded();
  log(`hookbin bench — ${machine()}`);
  if (args.bin) log(`hookbin under test: ${BIN}`);
  log(`load average at start: ${load1()}`);
  if (args.profile) return profile();
  if (wants('throughput')) await throughput();
  if (wants('startup')) await startup();
  if (wants('list')) await listBig();
  if (wants('search')) await searchBig();
  if (wants('rss')) await rssAfter();
  if (wants('body')) await bigBody();
  if (wants('detail')) await bigDetail();
  if (wants('js')) inspectorJs();
  log(`load average at end: ${load1()}`);

  log('\n| figure | measured | target | |');
  log('|---|---|---|---|');
  for (const f of figures) {
    const target = f.target === null ? '—' : `${f.better === 'higher' ? '≥' : '≤'} ${fmt(f.target, f.unit)}`;
    const verdict = f.pass === null ? '' : f.pass ? 'PASS' : 'MISS';
    log(`| ${f.name} | ${fmt(f.value, f.unit)}${f.note ? ` (${f.note})` : ''} | ${target} | ${verdict} |`);
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine: machine(), figures }, null, 2));
  const missed = figures.filter((f) => f.pass === false);
  if (missed.length) log(`\n${missed.length} target(s) missed: ${missed.map((f) => f.name).join('; ')}`);
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (err) => {
    console.error(err);
    cleanup();
    process.exit(1);
  },
);
