/**
 * Fills a bin with many captures fast, for the benchmark's "list a
 * 1,000,000-capture bin" figure. Writes SQLite directly into a database that
 * hookbin itself created (so its migrations made the schema), in big
 * transactions with `synchronous = OFF`: this is test data, and going
 * through HTTP would take an hour.
 *
 *   node scripts/bench-seed.mjs <hookbin.db> <binId> <count> [bodyBytes]
 *
 * The rows look like what the capture path stores for the benchmark's signed
 * 1 KB webhook: the same header pairs, response, verdict and event columns,
 * with distinct ids, times and event keys.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const MIGRATIONS = new URL('../dist/server/store/migrations/', import.meta.url);
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

/** A capture id shaped like `newCaptureId`'s: 10 characters of time, 12 of sequence. */
function captureId(ms, n) {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = BASE32[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + n.toString(32).padStart(12, '0');
}

/**
 * Inserts `count` captures into bin `binId` of the hookbin database `file`.
 * The bin must exist (hookbin's API made it). Throws when the database's
 * schema version is not the one the built server migrates to, so the seed
 * never writes rows the server would misread. Resolves to the seconds taken.
 *
 * @param {string} file
 * @param {string} binId
 * @param {number} count
 * @param {{ bodyBytes?: number, onProgress?: (done: number) => void }} [opts]
 */
export function seed(file, binId, count, opts = {}) {
  const bodyBytes = opts.bodyBytes ?? 1024;
  const expected = readdirSync(fileURLToPath(MIGRATIONS)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).length;
  const db = new Database(file);
  try {
    const version = db.pragma('user_version', { simple: true });
    if (version !== expected) throw new Error(`${file} is at schema version ${version}, the built server migrates to ${expected}`);
    if (!db.prepare('SELECT 1 FROM bins WHERE id = ?').get(binId)) throw new Error(`no bin ${binId} in ${file}`);
    // Seed data, not captures: losing it to a power cut costs a re-run.
    db.pragma('synchronous = OFF');
    const insert = db.prepare(
      `INSERT INTO captures (id, bin_id, received_at, method, path, query, content_type, body_size,
         stored_size, truncated, remote_address, status, headers, response, meta, signatures, verdict,
         event_key, event_type, attempt)
       VALUES (?, ?, ?, 'POST', '', '', 'application/json', ?, ?, 0, '127.0.0.1', 200, ?, ?, '{"httpVersion":"1.1"}', ?, 'valid', ?, 'payment.succeeded', 1)`,
    );
    const insertBody = db.prepare('INSERT INTO bodies (seq, data) VALUES (?, ?)');
    const body = Buffer.alloc(bodyBytes, 0x61);
    const headers = JSON.stringify([
      ['host', '127.0.0.1:7777'],
      ['content-type', 'application/json'],
      ['x-signature', 'f'.repeat(64)],
      ['content-length', String(bodyBytes)],
    ]);
    const response = JSON.stringify({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}', delayMs: 0, fault: null, reason: 'default' });
    const signatures = JSON.stringify([{ scheme: 'x-signature', header: 'X-Signature', status: 'valid', secret: 'bench' }]);
    const start = Date.now() - count * 10;
    const batch = db.transaction((from, to) => {
      for (let i = from; i < to; i++) {
        const at = start + i * 10;
        const info = insert.run(captureId(at, i), binId, at, bodyBytes, bodyBytes, headers, response, signatures, `evt_${i}`);
        insertBody.run(info.lastInsertRowid, body);
      }
    });
    const t0 = process.hrtime.bigint();
    const STEP = 50_000;
    for (let from = 0; from < count; from += STEP) {
      batch(from, Math.min(count, from + STEP));
      opts.onProgress?.(Math.min(count, from + STEP));
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, binId, count, bodyBytes] = process.argv.slice(2);
  if (!file || !binId || !count) {
    console.error('usage: node scripts/bench-seed.mjs <hookbin.db> <binId> <count> [bodyBytes]');
    process.exit(2);
  }
  const seconds = seed(file, binId, Number(count), { bodyBytes: bodyBytes ? Number(bodyBytes) : undefined });
  console.log(`seeded ${count} captures in ${seconds.toFixed(1)} s`);
}
