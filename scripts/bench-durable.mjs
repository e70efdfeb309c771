/**
 * The benchmark's durable stack limit: the least a receiver that keeps every
 * webhook can do on this stack. `node:http` reads the body; better-sqlite3
 * inserts one row a request (headers as JSON, body as a blob) in WAL mode;
 * the rows of one event-loop turn are committed together (group commit), and
 * each request is answered only after an `fdatasync` of the WAL that began
 * after its COMMIT — the same durability hookbin gives ("answered means
 * stored"), with none of its work (no verification, events, live feed or
 * retention). Run as its own process by `scripts/bench.mjs`; takes the data
 * dir as its first argument and prints `listening <port>` once it accepts
 * connections.
 */
import { fdatasync, openSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('bench-durable: give a data dir\n');
  process.exit(2);
}
const REPLY = '{"ok":true}';
const file = join(dir, 'durable.db');
const db = new Database(file);
db.pragma('journal_mode = WAL');
// The sync at the end of each transaction is the fdatasync below, off the main thread.
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS captures (
  seq INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, method TEXT NOT NULL, url TEXT NOT NULL,
  headers TEXT NOT NULL, body BLOB NOT NULL)`);
const insert = db.prepare('INSERT INTO captures (received_at, method, url, headers, body) VALUES (?, ?, ?, ?, ?)');
const commit = db.transaction((rows) => {
  for (const r of rows) insert.run(r.at, r.method, r.url, r.headers, r.body);
});
const wal = openSync(`${file}-wal`, 'r');

let pending = [];
let scheduled = false;
let syncing = false;
let waiting = [];

function sync() {
  syncing = true;
  const batch = waiting;
  waiting = [];
  fdatasync(wal, (err) => {
    syncing = false;
    for (const res of batch) {
      if (err) res.writeHead(500).end();
      else res.writeHead(200, { 'content-type': 'application/json', 'content-length': REPLY.length }).end(REPLY);
    }
    if (waiting.length > 0) sync();
  });
}

function flush() {
  scheduled = false;
  const rows = pending;
  pending = [];
  commit(rows);
  for (const r of rows) waiting.push(r.res);
  if (!syncing) sync();
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    pending.push({ at: Date.now(), method: req.method, url: req.url, headers: JSON.stringify(req.rawHeaders), body: Buffer.concat(chunks), res });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
