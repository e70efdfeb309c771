/**
 * Importing captures into a bin (an export of hookbin, or a HAR file). Rows
 * are staged as they are read, a batch at a time, in a TEMP table of this
 * connection (SQLite keeps it in a temporary file, not in the process), so
 * an import of hundreds of MB holds about one batch in memory; the commit
 * then moves every staged row into the bin in one transaction, so an import
 * is stored whole or not at all, with retention applied in the same
 * transaction. The capture writer (capture-writer.ts) stays the one write
 * path of the capture route; this is the control API's, synchronous like the
 * store's other writes (FULL sync).
 */
import type Database from 'better-sqlite3';
import type { CaptureResponse, HeaderPair, SignatureVerdict } from '../common/types.js';
import { BinGoneError, BODY_PART_BYTES, type Verdict } from './records.js';
import type { Retention } from './retention.js';

/** One capture of an import, checked and re-judged by the caller. */
export interface ImportedCapture {
  id: string;
  /** ms since the epoch: the original arrival, kept. */
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: HeaderPair[];
  contentType: string | null;
  body: Uint8Array;
  bodySize: number;
  truncated: boolean;
  remoteAddress: string | null;
  httpVersion: string | null;
  response: CaptureResponse;
  /** With `attempt` null, the attempt after the bin's latest of that key (as a live delivery would be numbered). */
  event: { key: string; type: string | null; attempt: number | null };
  retryClaim: string | null;
  provider: string | null;
  signatures: SignatureVerdict[];
  verdict: Verdict | null;
}

/** One import on its way in: rows staged apart from the bin until `commit`. */
export interface ImportStage {
  /** Stages `rows` after those staged before (file order); nothing is in the bin yet. */
  add(rows: readonly ImportedCapture[]): void;
  /**
   * Moves every staged row into `binId` in order, in one transaction, then
   * prunes the bin to the retention limits. Returns how many were stored
   * and how many of the bin's oldest captures retention removed. Throws
   * `BinGoneError` (nothing stored) when the bin is missing. The stage is
   * dropped either way.
   */
  commit(binId: string): { imported: number; pruned: number };
  /** Drops the stage and what it holds (a refused import); safe after `commit` and when called twice. */
  discard(): void;
}

/** Writing an import. */
export interface CaptureImport {
  /** A new, empty stage for one import; the caller must `commit` or `discard` it. */
  stageImport(): ImportStage;
  /** `rows` staged and committed at once: see `ImportStage.commit`. */
  importCaptures(binId: string, rows: readonly ImportedCapture[]): { imported: number; pruned: number };
}

const COLUMNS = `id, received_at, method, path, query, content_type, body_size, truncated, remote_address, status,
  headers, response, meta, signatures, verdict, event_key, event_type, attempt`;

/** A staged row as the commit reads it back, one at a time. */
interface StagedRow {
  n: number;
  id: string;
  received_at: number;
  method: string;
  path: string;
  query: string;
  content_type: string | null;
  body_size: number;
  truncated: number;
  remote_address: string | null;
  status: number | null;
  headers: string;
  response: string;
  meta: string;
  signatures: string;
  verdict: Verdict | null;
  event_key: string;
  event_type: string | null;
  attempt: number | null;
  body: Buffer;
}

/** The statements every stage of one connection shares. */
function prepareMove(db: Database.Database) {
  return {
    insertCapture: db.prepare(
      `INSERT INTO captures (${COLUMNS}, stored_size, bin_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    lastAttempt: db.prepare<[string, string], number>('SELECT attempt FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT 1').pluck(),
    insertBody: db.prepare<[number | bigint, Uint8Array]>('INSERT INTO bodies (seq, data) VALUES (?, ?)'),
    insertPart: db.prepare<[number | bigint, number, Uint8Array]>('INSERT INTO body_parts (seq, part, data) VALUES (?, ?, ?)'),
    binCount: db.prepare<[string], number>('SELECT capture_count FROM bins WHERE id = ?').pluck(),
    // Inserts raise no count by trigger (migration 011): the move adds what it stored.
    addCount: db.prepare<[number, string]>('UPDATE bins SET capture_count = capture_count + ? WHERE id = ?'),
  };
}
type MoveStatements = ReturnType<typeof prepareMove>;

/** Moves one staged row into the bin, its body in parts as the capture writer stores them (migration 006); returns its seq. */
function moveRow(stmt: MoveStatements, binId: string, r: StagedRow): number {
  const attempt = r.attempt ?? (stmt.lastAttempt.get(binId, r.event_key) ?? 0) + 1;
  const info = stmt.insertCapture.run(
    r.id, r.received_at, r.method, r.path, r.query, r.content_type, r.body_size, r.truncated, r.remote_address, r.status,
    r.headers, r.response, r.meta, r.signatures, r.verdict, r.event_key, r.event_type, attempt, r.body.byteLength, binId,
  );
  const body = r.body;
  stmt.insertBody.run(info.lastInsertRowid, body.byteLength > BODY_PART_BYTES ? body.subarray(0, BODY_PART_BYTES) : body);
  for (let at = BODY_PART_BYTES, part = 1; at < body.byteLength; at += BODY_PART_BYTES, part++) {
    stmt.insertPart.run(info.lastInsertRowid, part, body.subarray(at, at + BODY_PART_BYTES));
  }
  return Number(info.lastInsertRowid);
}

/** A stage in the TEMP table `table` (created here), moved into a bin by `stmt`, pruned by `retention`. */
function openStage(db: Database.Database, table: string, stmt: MoveStatements, retention: Retention): ImportStage {
  db.exec(`CREATE TABLE ${table} (n INTEGER PRIMARY KEY, ${COLUMNS}, body BLOB NOT NULL)`);
  let dropped = false;
  const put = db.prepare(`INSERT INTO ${table} (${COLUMNS}, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // One row at a time, so that reading back holds one body, not the whole import.
  const next = db.prepare<[number], StagedRow>(`SELECT * FROM ${table} WHERE n > ? ORDER BY n LIMIT 1`);
  const add = db.transaction((rows: readonly ImportedCapture[]) => {
    for (const r of rows) {
      const meta = { httpVersion: r.httpVersion, retryClaim: r.retryClaim ?? undefined, provider: r.provider ?? undefined, imported: true };
      put.run(
        r.id, r.receivedAt, r.method, r.path, r.query, r.contentType, r.bodySize, r.truncated ? 1 : 0, r.remoteAddress, r.response.status,
        JSON.stringify(r.headers), JSON.stringify(r.response), JSON.stringify(meta), JSON.stringify(r.signatures), r.verdict,
        r.event.key, r.event.type, r.event.attempt, r.body,
      );
    }
  });
  const move = db.transaction((binId: string) => {
    const before = stmt.binCount.get(binId);
    if (before === undefined) throw new BinGoneError(binId);
    let firstSeq: number | null = null;
    let count = 0;
    for (let row = next.get(0); row !== undefined; row = next.get(row.n)) {
      const seq = moveRow(stmt, binId, row);
      firstSeq ??= seq;
      count++;
    }
    stmt.addCount.run(count, binId);
    // pruneBin counts the one capture just added; an import added `count` at once.
    let pruned = count === 0 ? 0 : retention.pruneBin(binId, before + count - 1);
    if (firstSeq !== null) pruned += retention.pruneToSize(firstSeq).get(binId) ?? 0;
    return { imported: count, pruned };
  });
  const discard = () => {
    if (dropped) return;
    dropped = true;
    // A server closed during an import has closed the connection, and its temp tables with it.
    if (db.open) db.exec(`DROP TABLE ${table}`);
  };
  const live = () => {
    if (dropped) throw new Error('this import stage was already committed or discarded');
  };
  return {
    add: (rows) => (live(), add(rows)),
    commit: (binId) => {
      live();
      try {
        return move(binId);
      } finally {
        discard();
      }
    },
    discard,
  };
}

/** The import writer over `db`, pruning with `retention`. */
export function createCaptureImport(db: Database.Database, retention: Retention): CaptureImport {
  const stmt = prepareMove(db);
  let stages = 0;
  const stageImport = () => openStage(db, `temp.import_stage_${++stages}`, stmt, retention);
  return {
    stageImport,
    importCaptures(binId, rows) {
      const stage = stageImport();
      try {
        stage.add(rows);
      } catch (err) {
        stage.discard();
        throw err;
      }
      return stage.commit(binId);
    },
  };
}
