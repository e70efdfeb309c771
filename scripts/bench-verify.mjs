/**
 * The per-request work of the capture path that reads a whole request:
 * signatures judged (`judgeRequest`), the provider named (`detectProvider`)
 * and the event named (`eventIdentity`), timed alone in one process over the
 * bench's own request: its 1 KB signed JSON webhook, its bin's secret
 * (scoped to `x-signature`) and event key (`X-Event-Id`), a new event id
 * each request. Run `npm run build` first, then `node scripts/bench-verify.mjs
 * [iterations] [rounds]`; prints µs of CPU a request for each part and all
 * three as the capture path calls them (the headers indexed once), the best of the rounds (the machine is shared: the best round is
 * the one least disturbed).
 */
import { createHmac } from 'node:crypto';
import { judgeRequest } from '../dist/server/capture/verdicts.js';
import { detectProvider } from '../dist/server/capture/provider.js';
import { eventIdentity } from '../dist/server/capture/event-identity.js';
import { indexHeaders } from '../dist/server/common/header-index.js';
import { SECRET, webhookBody } from './bench-lib.mjs';

const iterations = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);

const body = Buffer.from(webhookBody(0), 'utf8');
const signature = createHmac('sha256', SECRET).update(body).digest('hex');
const secrets = [{ name: 'bench', value: SECRET, scheme: 'x-signature' }];
const eventKey = { keyHeader: 'x-event-id', keyPointer: null };
const line = { method: 'POST', url: 'http://127.0.0.1:8080/b/bench' };

/**
 * Header lists as a sender would send them: wrk's five (what `npm run bench`
 * sends), and about a dozen as a provider's client sends them (a User-Agent
 * no provider is known by, so every User-Agent pattern is tried).
 */
const SETS = {
  'wrk (5 headers)': (id) => [
    ['Host', '127.0.0.1:8080'],
    ['Content-Length', String(body.length)],
    ['Content-Type', 'application/json'],
    ['X-Signature', signature],
    ['X-Event-Id', id],
  ],
  'client (12 headers)': (id) => [
    ['Host', 'hooks.example.test'],
    ['User-Agent', 'acme-webhooks/2.3 (+https://acme.example/webhooks)'],
    ['Accept', '*/*'],
    ['Accept-Encoding', 'gzip, deflate, br'],
    ['Content-Type', 'application/json'],
    ['Content-Length', String(body.length)],
    ['X-Signature', signature],
    ['X-Event-Id', id],
    ['X-Forwarded-For', '203.0.113.7'],
    ['X-Forwarded-Proto', 'https'],
    ['X-Request-Start', 't=1700000000123'],
    ['Connection', 'keep-alive'],
  ],
};

const PARTS = {
  verify: (h) => judgeRequest(h, body, 1_700_000_000_000, secrets, line, []),
  provider: (h) => detectProvider(h),
  identity: (h) => eventIdentity(h, body, eventKey),
};

function check(headers) {
  const { signatures } = PARTS.verify(headers);
  const identity = PARTS.identity(headers);
  if (signatures.length !== 1 || signatures[0].status !== 'valid') throw new Error(`the bench request does not verify: ${JSON.stringify(signatures)}`);
  if (identity.keySource !== 'custom-header:x-event-id' || identity.type !== 'payment.succeeded') throw new Error(`unexpected identity: ${JSON.stringify(identity)}`);
}

/** µs of CPU (this process's, user and system) a call of `fn` over `lists` (cycled), `iterations` calls: CPU, not wall time, so other processes' load counts less. */
function time(fn, lists) {
  let sink = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) sink += fn(lists[i % lists.length]) ? 1 : 0;
  const used = process.cpuUsage(start);
  if (sink < 0) console.log(sink);
  return (used.user + used.system) / iterations;
}

for (const [label, make] of Object.entries(SETS)) {
  // Fresh header lists with a new event id each, built ahead so the loop times only the parts.
  const lists = Array.from({ length: 4096 }, (_, i) => make(`evt-${i}`));
  check(lists[0]);
  // As the capture path does it: the headers indexed once for the three.
  const all = (h) => {
    const index = indexHeaders(h);
    return (
      judgeRequest(h, body, 1_700_000_000_000, secrets, line, [], index), detectProvider(h, index), eventIdentity(h, body, eventKey, index)
    );
  };
  const best = { verify: Infinity, provider: Infinity, identity: Infinity, all: Infinity };
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(PARTS)) best[name] = Math.min(best[name], time(fn, lists));
    best.all = Math.min(best.all, time(all, lists));
  }
  const fmt = (us) => us.toFixed(2).padStart(6);
  console.log(`${label.padEnd(20)} verify ${fmt(best.verify)} µs  provider ${fmt(best.provider)} µs  identity ${fmt(best.identity)} µs  all three ${fmt(best.all)} µs`);
}
