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
 * with distinct ids, times and event keys, and a JSON body with distinct
 * values (`evt_<n>`, `cus_<n in hex>`) padded to the body size with hex. Each capture
 * is indexed for search as the server would index it (the built
 * store/search-text.js makes the text), so a started hookbin finds nothing
 * left to index.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { searchText } from '../dist/server/store/search-text.js';

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
 * Capture n's body holds `"id":"evt_<n>"` and `"customer":"cus_<n in hex>"`
 * (see `seededCustomer`).
 *
 * @param {string} file
 * @param {string} binId
 * @param {number} count
 * @param {{ bodyBytes?: number, onProgress?: (done: number) => void }} [opts]
 */
export async function seed(file, binId, count, opts = {}) {
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
    const insertText = db.prepare('INSERT INTO capture_text (rowid, text) VALUES (?, ?)');
    const setMark = db.prepare("INSERT INTO meta (key, value) VALUES ('search.indexedTo', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    const headerPairs = [
      ['host', '127.0.0.1:7777'],
      ['content-type', 'application/json'],
      ['x-signature', 'f'.repeat(64)],
      ['content-length', String(bodyBytes)],
    ];
    const headers = JSON.stringify(headerPairs);
    const bodyOf = (i) => {
      const fields = { id: `evt_${i}`, type: 'payment.succeeded', data: { object: { customer: seededCustomer(i), amount: 1000 + (i % 9000), currency: 'eur' } } };
      // Padded to the size with hex of its own (a xorshift of n), as varied as real payloads.
      const base = JSON.stringify({ ...fields, note: '' });
      let note = '';
      let x = (i + 1) * 2654435761;
      while (note.length < bodyBytes - base.length) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        note += (x >>> 0).toString(16).padStart(8, '0');
      }
      return Buffer.from(JSON.stringify({ ...fields, note: note.slice(0, Math.max(0, bodyBytes - base.length)) }));
    };
    const response = JSON.stringify({ status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}', delayMs: 0, fault: null, reason: 'default' });
    const signatures = JSON.stringify([{ scheme: 'x-signature', header: 'X-Signature', status: 'valid', secret: 'bench' }]);
    const start = Date.now() - count * 10;
    const batch = db.transaction((from, rows) => {
      let seq = 0;
      for (let i = 0; i < rows.length; i++) {
        const at = start + (from + i) * 10;
        const { body, text } = rows[i];
        const info = insert.run(captureId(at, from + i), binId, at, body.length, body.length, headers, response, signatures, `evt_${from + i}`);
        seq = Number(info.lastInsertRowid);
        insertBody.run(seq, body);
        insertText.run(seq, text);
      }
      setMark.run(String(seq));
    });
    const t0 = process.hrtime.bigint();
    const STEP = 20_000;
    for (let from = 0; from < count; from += STEP) {
      const rows = [];
      for (let i = from; i < Math.min(count, from + STEP); i++) {
        const body = bodyOf(i);
        rows.push({ body, text: await searchText({ method: 'POST', path: '', query: '', headers: headerPairs, body }) });
      }
      batch(from, rows);
      opts.onProgress?.(Math.min(count, from + STEP));
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    db.close();
  }
}

/** The customer id in the body of seeded capture `n` (0-based): unique, found by a search for it. */
export function seededCustomer(n) {
  return `cus_${(0x9f8a7b00 + n).toString(16)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, binId, count, bodyBytes] = process.argv.slice(2);
  if (!file || !binId || !count) {
    console.error('usage: node scripts/bench-seed.mjs <hookbin.db> <binId> <count> [bodyBytes]');
    process.exit(2);
  }
  const seconds = await seed(file, binId, Number(count), { bodyBytes: bodyBytes ? Number(bodyBytes) : undefined });
  console.log(`seeded ${count} captures in ${seconds.toFixed(1)} s`);
}
