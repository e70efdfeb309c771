/**
 * The load of `npm run bench`'s throughput part with `wrk` (one thread, C
 * keep-alive connections), the cheaper generator the performance issue's
 * figures are taken with: autocannon runs in the bench's own process and
 * signs every request, so on a 2-core machine it takes CPU from the server
 * it measures. Every request carries the same signed 1 KB webhook (signed
 * once, here) and its own `X-Event-Id` (the bench bin takes its event key
 * from that header), so the server still verifies an HMAC and names a new
 * event each time. With `collectIds`, the capture ids of 2xx answers come
 * back for the stored check.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as autocannonLoad, SECRET, tempDir, webhookBody } from './bench-lib.mjs';

/** The header the bench bin's events are keyed by. */
export const EVENT_HEADER = 'X-Event-Id';

/** True when `wrk` is on the PATH. */
export function hasWrk() {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

const lua = (out, collect, body) => `
local body = ${JSON.stringify(body)}
local n = 0
local prefix = "wrk-" .. tostring(os.time()) .. "-"
ids = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Signature"] = "${createHmac('sha256', SECRET).update(body).digest('hex')}"
end
function request()
  n = n + 1
  wrk.headers["${EVENT_HEADER}"] = prefix .. n
  return wrk.format()
end
${collect ? `function response(status, headers, body)
  if status >= 200 and status < 300 then
    local id = headers["x-hookbin-capture-id"] or headers["X-Hookbin-Capture-Id"]
    if id then ids[#ids + 1] = id end
  end
end` : ''}
function done(summary, latency, requests)
  local f = io.open("${out}", "w")
  local e = summary.errors
  f:write(string.format('{"requests":%d,"us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%f,"p99":%f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
  for _, t in ipairs(threads) do
    local got = t:get("ids")
    if got then for _, id in ipairs(got) do f:write(id, "\\n") end end
  end
  f:close()
end
`;

/**
 * Loads `url` with wrk for `duration` s over `connections` connections; the
 * same result shape as bench-lib's autocannon `load` (ms latencies).
 */
export async function loadWrk(url, { duration, connections, collectIds = false }) {
  const dir = tempDir();
  const out = join(dir, 'result.txt');
  const script = join(dir, 'load.lua');
  writeFileSync(script, lua(out, collectIds, webhookBody(0)));
  await new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '--timeout', '30s', '-s', script, url], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`wrk exited with ${code}`))));
  });
  const [head, ...ids] = readFileSync(out, 'utf8').trim().split('\n');
  const r = JSON.parse(head);
  const errors = r.connect + r.read + r.write;
  return {
    rps: r.requests / (r.us / 1e6),
    p50: r.p50 / 1000,
    p99: r.p99 / 1000,
    ok: r.requests - r.status,
    non2xx: r.status,
    errors,
    timeouts: r.timeout,
    seconds: r.us / 1e6,
    ids: collectIds ? ids : [],
  };
}

/**
 * The bench's `load`: timed loads through wrk when `choice` is wrk, or is
 * not given and wrk is installed; counted ones (`amount`) and everything with
 * `--load autocannon` through autocannon. Exits 2 for another choice.
 */
export function chooseLoad(choice, connections) {
  if (choice !== undefined && choice !== 'wrk' && choice !== 'autocannon') {
    process.stderr.write(`bench: --load takes wrk or autocannon, not "${choice}"\n`);
    process.exit(2);
  }
  const useWrk = choice === 'wrk' || (choice === undefined && hasWrk());
  const load = (url, options) =>
    useWrk && options.amount === undefined ? loadWrk(url, { connections, ...options }) : autocannonLoad(url, { connections, ...options });
  return { useWrk, load };
}
