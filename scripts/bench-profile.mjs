/**
 * `npm run bench -- --profile`: the durable limit's and hookbin's throughput
 * runs under `node --cpu-prof`, and what is printed from their .cpuprofile
 * files: self time by function and by file, inclusive time of hookbin's own
 * functions, and each server's main-thread time by part of the capture path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_ID, cpuSplitOf, liveClient, log, makeBin, ROOT, tempDir, temps } from './bench-lib.mjs';

/** The summary of `prof` (a parsed .cpuprofile); paths are shown relative to `root`. */
export function summarizeProfile(prof, root) {
  const out = [];
  const byNode = new Map(prof.nodes.map((n) => [n.id, n]));
  const whereOf = (id) => byNode.get(id).callFrame.url.replace(/^file:\/\//, '').replace(root, '').replace(/.*node_modules\//, '~/');
  const keyOf = (id) => {
    const { functionName, lineNumber } = byNode.get(id).callFrame;
    return `${functionName || '(anonymous)'}  ${whereOf(id)}:${lineNumber + 1}`;
  };
  const self = new Map();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byFile = new Map();
  for (const [id, us] of self) {
    const fnKey = keyOf(id);
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + us);
    const fileKey = whereOf(id) || byNode.get(id).callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  // Inclusive time: a function's own time plus everything it called (counted once per stack).
  const children = new Map(prof.nodes.map((n) => [n.id, n.children ?? []]));
  const inclusive = new Map();
  const walk = (id, onStack) => {
    let total = self.get(id) ?? 0;
    const key = keyOf(id);
    const fresh = !onStack.has(key);
    if (fresh) onStack.add(key);
    for (const c of children.get(id)) total += walk(c, onStack);
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + total);
    }
    return total;
  };
  walk(prof.nodes[0].id, new Set());
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  out.push(`\nself time by function (top 40 of ${(total / 1e6).toFixed(1)} s):\n${top(byFn, 40)}`);
  out.push(`\nself time by file (top 25):\n${top(byFile, 25)}`);
  const ours = new Map([...inclusive].filter(([k]) => !k.startsWith('(')));
  out.push(`\ninclusive time (top 40):\n${top(ours, 40)}`);
  return out.join('\n');
}

/**
 * Where the server's CPU goes, by part of the capture path: each sample is
 * given to the part of the innermost frame on its stack that names one (so
 * an HMAC inside verification is verification, a socket write after the
 * answer is "write the answer"). `PARTS` lists the parts in the order a
 * webhook meets them; what matches none is "other". Shares of the busy
 * (non-idle) samples.
 */
const PARTS = [
  ['read the request (Node: parse, body)', (f) => /_http_incoming|_http_common|parserOn|^collect|^BodySink|^onData|^readBody|^HookbinIncomingMessage|get upgrade/.test(f.fn) || /_http_incoming|_http_common/.test(f.url)],
  ['Hono and the Fetch objects', (f) => /#dispatch|^dispatch$|^compose|^fetch$|newRequest|Request\$1|Response\$1|responseVia|createResponseInstance|#newResponse|^Context$|^match$|urlLengthLimit|buildUrl|getPath/.test(f.fn) || /hono|node-server/.test(f.url)],
  ['verify signatures', (f) => /^judgeRequest$|^verifySignatures$|^judge$|^checkParsed$|^hmac|^Hmac$/.test(f.fn)],
  ['provider detection', (f) => /^detectProvider$|^detect$|^detectHeader$/.test(f.fn)],
  ['event identity', (f) => /^eventIdentity$/.test(f.fn)],
  ['decide the answer', (f) => /^decideAnswer$|^answer$|^securedAnswer$|^withBinAnswerHeaders$/.test(f.fn)],
  ['store: group commit', (f) => /^flush$|^writeOne$|^writeBatch$|^sqliteTransaction$|^pruneBin$|^pruneToSize$|^usedBytes$/.test(f.fn) || /better-sqlite3/.test(f.url)],
  ['store: WAL sync', (f) => /fdatasync|walsync/i.test(f.fn) || /walsync/.test(f.url)],
  ['search indexer', (f) => /^indexBatch$|^indexUntil$|^searchText|^indexText/.test(f.fn)],
  ['live feed', (f) => /^onCapture$|^publish$|^deliver$|^frame$|^send$/.test(f.fn) || /node_modules\/ws\//.test(f.url)],
  ['write the answer (Node)', (f) => /^carryOut$|^replyHeaders$|^writev|^writeUtf8String|^writeBuffer/.test(f.fn) || /_http_outgoing|_http_server|node:net$|stream_base_commons|streams\/writable/.test(f.url)],
  ['capture handler (rest)', (f) => /^capture(\$\d)?$/.test(f.fn)],
  ['garbage collection', (f) => f.fn === '(garbage collector)'],
];

/**
 * µs of main-thread time a request by part (busy samples only), from a
 * profile of a run that answered `requests` requests: a Map in `PARTS` order,
 * "other" last.
 */
export function partsOf(prof, requests) {
  const byNode = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map();
  const classify = (id) => {
    if (partOf.has(id)) return partOf.get(id);
    const { functionName: fn, url } = byNode.get(id).callFrame;
    let part = PARTS.find(([, test]) => test({ fn, url }))?.[0];
    if (part === undefined) part = parent.has(id) ? classify(parent.get(id)) : 'other';
    partOf.set(id, part);
    return part;
  };
  const us = new Map([...PARTS.map(([p]) => [p, 0]), ['other', 0]]);
  prof.samples.forEach((id, i) => {
    if (byNode.get(id).callFrame.functionName === '(idle)') return;
    const part = classify(id);
    us.set(part, us.get(part) + (prof.timeDeltas[i] ?? 0) / requests);
  });
  return us;
}

/**
 * The table behind "where every microsecond goes": µs of main-thread time a
 * request by part for each profiled server (`columns`: name → partsOf map),
 * and what hookbin spends over the first column (the durable limit).
 */
export function partsTable(columns) {
  const names = [...columns.keys()];
  const maps = [...columns.values()];
  const cell = (v) => v.toFixed(1).padStart(9);
  const rows = [...maps[0].keys()].map((part) => `${maps.map((m) => cell(m.get(part))).join('')}${cell(maps.at(-1).get(part) - maps[0].get(part))}  ${part}`);
  const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  const head = `${names.map((n) => n.slice(0, 8).padStart(9)).join('')}${'gap'.padStart(9)}  µs of main-thread time a request (profiler included)`;
  return `\nwhere the time goes, by part of the capture path:\n${head}\n${rows.join('\n')}\n${maps.map((m) => cell(total(m))).join('')}${cell(total(maps.at(-1)) - total(maps[0]))}  in all`;
}

/** One server's throughput load under the profiler: its parts, the parsed profile and its path. */
async function profiled(name, start, opts) {
  const dir = tempDir();
  const server = await start(['--cpu-prof', '--cpu-prof-dir', dir]);
  if (server.makeBin) await makeBin(server.origin);
  const live = server.makeBin ? await liveClient(server.origin, BIN_ID) : null;
  const url = `${server.origin}/b/${BIN_ID}`;
  const cpu0 = cpuSplitOf(server.pid);
  const warm = await opts.load(url, opts.warmup);
  const r = await opts.load(url, opts.duration);
  const cpu1 = cpuSplitOf(server.pid);
  const requests = warm.ok + warm.non2xx + r.ok + r.non2xx;
  // All threads of the process (the WAL sync on libuv's pool, a checkpointer), the profiler's own work included.
  const cpu = (cpu1.total - cpu0.total) / requests;
  log(`profile: ${name} ${opts.fmt(r.rps, 'rps')}, p99 ${opts.fmt(r.p99, 'ms')}, process CPU ${cpu.toFixed(0)} µs a request (${((cpu1.system - cpu0.system) / requests).toFixed(0)} system), all slower under the profiler`);
  live?.close();
  await server.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written for ${name}`);
  temps.splice(temps.indexOf(dir), 1);
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  return { parts: partsOf(prof, requests), prof, path: join(dir, file) };
}

/**
 * Profiles the durable limit, then hookbin, under the same load, and prints
 * hookbin's profile summary and both servers' parts side by side.
 * `opts`: `durable(nodeArgs)` and `hookbin(nodeArgs)` start each (hookbin's
 * with `makeBin: true`), `load(url, seconds)`, `warmup`, `duration`, `fmt`.
 */
export async function profileBoth(opts) {
  const limit = await profiled('durable limit', opts.durable, opts);
  const hb = await profiled('hookbin', opts.hookbin, opts);
  log(summarizeProfile(hb.prof, ROOT));
  log(partsTable(new Map([['limit', limit.parts], ['hookbin', hb.parts]])));
  log(`\nprofiles kept at ${hb.path} and ${limit.path} (open in Chrome DevTools)`);
}
