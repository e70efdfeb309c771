/**
 * What smaller capture rows would save: the statements a capture's write
 * runs (the last attempt's look-up, the capture row, its body, the pruning
 * of a bin at its limit) and their COMMIT, on hookbin's real schema (every
 * migration applied), timed in CPU a capture for three layouts:
 *
 * - `today`: the body in its own table, the answer's JSON in the row;
 * - `body-in-row`: the body in a column of the capture row (added here);
 * - `body-in-row, no answer`: that, and the answer's JSON left out, as if a
 *   bin's default answer were kept by reference.
 *
 * Each runs with the bin under its limit and at it (every capture prunes
 * one). No sync and no checkpoints (`synchronous = NORMAL`, autocheckpoint
 * off): those scale with the pages written and are measured with the whole
 * writer by scripts/bench-store.mjs. An experiment for docs/performance.md,
 * not hookbin's code: run `npm run build` first, then
 * `node scripts/bench-rows.mjs [captures]`; prints the best of 3 rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../dist/server/store/connection.js';
import { webhookBody } from './bench-lib.mjs';

const N = Number(process.argv[2] ?? 30_000);
if (!Number.isInteger(N) || N < 1000) {
  process.stderr.write('bench-rows: give the number of captures, at least 1000\n');
  process.exit(2);
}
const BATCH = 30;
const LIMIT = 5000;

const body = Buffer.from(webhookBody(0), 'utf8');
const headers = JSON.stringify([
  ['Host', '127.0.0.1:8080'],
  ['Content-Type', 'application/json'],
  ['Content-Length', String(body.length)],
  ['X-Signature', 'a'.repeat(64)],
  ['X-Event-Id', 'evt'],
]);
const answer = JSON.stringify({
  status: 200,
  headers: [['content-type', 'application/json'], ['content-security-policy', 'sandbox'], ['x-content-type-options', 'nosniff']],
  body: '{"ok":true}',
  delayMs: 0,
  fault: null,
  reason: 'the bin’s answer',
});
const meta = '{"httpVersion":"1.1"}';
const signatures = JSON.stringify([{ scheme: 'x-signature', header: 'X-Signature', status: 'valid', secret: 'bench', diagnosis: null }]);

/** µs of CPU a capture for one layout, the bin pruned to `limit` (or never). */
function round(layout, limit) {
  const dir = mkdtempSync(join(tmpdir(), 'hookbin-bench-rows-'));
  const db = openDatabase(join(dir, 'hookbin.db'));
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    const inRow = layout !== 'today';
    if (inRow) db.exec('ALTER TABLE captures ADD COLUMN body BLOB');
    db.prepare("INSERT INTO bins (id, name, created_at) VALUES ('bench', 'bench', 0)").run();
    const columns = 'id, bin_id, received_at, method, path, query, content_type, body_size, stored_size, truncated, remote_address, status, headers, response, meta, signatures, verdict, event_key, event_type, attempt';
    const insert = db.prepare(`INSERT INTO captures (${columns}${inRow ? ', body' : ''}) VALUES (${'?, '.repeat(inRow ? 20 : 19)}?)`);
    const insertBody = db.prepare('INSERT INTO bodies (seq, data) VALUES (?, ?)');
    const lastAttempt = db.prepare('SELECT attempt FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT 1').pluck();
    const lastToPrune = db.prepare('SELECT seq FROM captures WHERE bin_id = ? ORDER BY seq LIMIT 1 OFFSET ?').pluck();
    const pruneUpTo = db.prepare('DELETE FROM captures WHERE bin_id = ? AND seq <= ?');
    const begin = db.prepare('BEGIN');
    const commit = db.prepare('COMMIT');
    let n = 0;
    let count = 0;
    const batch = () => {
      begin.run();
      for (let i = 0; i < BATCH; i++) {
        n++;
        const key = `evt_${n}`;
        lastAttempt.get('bench', key);
        const row = [`c${n.toString(36).padStart(12, '0')}`, 'bench', Date.now(), 'POST', '', '', 'application/json', body.length, body.length, 0, '127.0.0.1', 200, headers];
        row.push(layout === 'body-in-row, no answer' ? '' : answer, meta, signatures, 'valid', key, 'payment.succeeded', 1);
        if (inRow) row.push(body);
        const seq = insert.run(...row).lastInsertRowid;
        if (!inRow) insertBody.run(seq, body);
        count++;
        if (count > limit) count -= pruneUpTo.run('bench', lastToPrune.get('bench', count - limit - 1)).changes;
      }
      commit.run();
    };
    for (let i = 0; i < (LIMIT + 2000) / BATCH; i++) batch();
    const before = process.cpuUsage();
    for (let i = 0; i < N / BATCH; i++) batch();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / N;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [label, limit] of [['under its limit', Infinity], [`at its limit (${LIMIT})`, LIMIT]]) {
  for (const layout of ['today', 'body-in-row', 'body-in-row, no answer']) {
    let best = Infinity;
    for (let r = 0; r < 3; r++) best = Math.min(best, round(layout, limit));
    process.stdout.write(`bin ${label.padEnd(22)} ${layout.padEnd(24)} ${best.toFixed(1)} µs of CPU a capture\n`);
  }
}
