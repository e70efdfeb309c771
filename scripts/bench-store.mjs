/**
 * The capture writer alone (store/capture-writer.ts) in one process: the
 * bench's 1 KB webhook stored into one bin through `addCapture`, a batch of
 * captures a turn as the group commit sees them under load, on a real
 * SQLite file (WAL synced) or in memory. With the bin at its retention limit
 * (`--max-captures`, 10,000 by default as in hookbin) every capture prunes
 * one: the cost a long-running bin pays, which `npm run bench` does not see
 * (it keeps every capture). Run `npm run build` first, then
 * `node scripts/bench-store.mjs [--captures N] [--batch B] [--max-captures M] [--memory] [--rounds R]`;
 * prints µs of CPU a capture (all threads: the WAL sync and the checkpointer
 * count), the best of the rounds (the machine is shared: the best round is
 * the one least disturbed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../dist/server/store/index.js';
import { webhookBody } from './bench-lib.mjs';

let args;
try {
  ({ values: args } = parseArgs({
  options: {
    captures: { type: 'string', default: '40000' },
    batch: { type: 'string', default: '30' },
    'max-captures': { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    memory: { type: 'boolean', default: false },
  },
  }));
} catch (err) {
  process.stderr.write(`bench-store: ${err.message}\n`);
  process.exit(2);
}
const N = Number(args.captures);
const B = Number(args.batch);
const MAX = Number(args['max-captures']);
const ROUNDS = Number(args.rounds);
for (const [name, v] of [['--captures', N], ['--batch', B], ['--max-captures', MAX], ['--rounds', ROUNDS]]) {
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`bench-store: ${name} takes a whole number above 0\n`);
    process.exit(2);
  }
}

const body = Buffer.from(webhookBody(0), 'utf8');
const headers = [
  ['Host', '127.0.0.1:8080'],
  ['Content-Type', 'application/json'],
  ['Content-Length', String(body.length)],
  ['X-Signature', 'a'.repeat(64)],
  ['X-Event-Id', 'evt'],
];
const answer = () => ({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}', delayMs: 0, fault: null, reason: 'the bin’s answer' });

/** µs of CPU a capture over `N` captures (after a warm-up that fills the bin to its limit). */
async function round() {
  const dir = mkdtempSync(join(tmpdir(), 'hookbin-bench-store-'));
  const store = openStore({ file: args.memory ? null : join(dir, 'hookbin.db'), maxCapturesPerBin: MAX, maxDbBytes: null });
  try {
    store.createBin({ id: 'bench', name: 'bench', createdAt: Date.now(), settings: {} });
    let n = 0;
    const capture = () => {
      n++;
      return {
        id: `c${n.toString(36).padStart(12, '0')}`,
        binId: 'bench',
        receivedAt: Date.now(),
        method: 'POST',
        path: '',
        query: '',
        headers,
        contentType: 'application/json',
        bodySize: body.length,
        truncated: false,
        body,
        remoteAddress: '127.0.0.1',
        httpVersion: '1.1',
        event: { key: `evt_${n}`, type: 'order.created' },
        retryClaim: null,
        provider: null,
        answer,
        signatures: [{ scheme: 'x-signature', header: 'X-Signature', status: 'valid', secret: 'bench', diagnosis: null }],
        verdict: 'valid',
      };
    };
    const run = async (count) => {
      for (let i = 0; i < count; i += B) await Promise.all(Array.from({ length: B }, () => store.addCapture(capture())));
    };
    await run(Math.min(MAX, 100_000) + 2000);
    const before = process.cpuUsage();
    await run(N);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / N;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let best = Infinity;
for (let r = 0; r < ROUNDS; r++) best = Math.min(best, await round());
process.stdout.write(
  `capture writer (${args.memory ? 'in memory' : 'SQLite file, WAL synced'}), batches of ${B}, bin limit ${MAX}: ${best.toFixed(1)} µs of CPU a capture (best of ${ROUNDS})\n`,
);
