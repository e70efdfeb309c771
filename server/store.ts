import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import type { CaptureEvent, CaptureResponse, HeaderPair } from './types.js';
import type { BinSettings } from './settings.js';
import type { SignatureVerdict } from './verify/index.js';

/** A capture's signature verdict in one word, for lists and filters; null when unsigned. */
export type Verdict = SignatureVerdict['status'];

/** A bin row as the store keeps it; the API turns it into the public `Bin`. */
export interface BinRecord {
  id: string;
  name: string;
  /** ms since the epoch */
  createdAt: number;
  settings: BinSettings;
  captureCount: number;
  prunedCount: number;
}

/** Everything the capture path hands to the store for one request. */
export interface NewCapture {
  id: string;
  binId: string;
  /** ms since the epoch */
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: HeaderPair[];
  contentType: string | null;
  bodySize: number;
  truncated: boolean;
  body: Uint8Array;
  remoteAddress: string | null;
  httpVersion: string | null;
  /** The event this request delivers; the store numbers its attempt. */
  event: { key: string; type: string | null };
  /**
   * What hookbin answers, decided from the attempt number inside the write
   * (so two deliveries of one event racing each other get 1 and 2, never
   * both 1). Must not throw.
   */
  answer: (attempt: number) => CaptureResponse;
  signatures: SignatureVerdict[];
  verdict: Verdict | null;
}

/** The summary columns of a stored capture (what lists and live events carry). */
export interface CaptureSummaryRecord {
  seq: number;
  id: string;
  binId: string;
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  contentType: string | null;
  bodySize: number;
  truncated: boolean;
  remoteAddress: string | null;
  status: number | null;
  verdict: Verdict | null;
  event: CaptureEvent;
}

/** A stored capture without its body. */
export interface CaptureRecord extends CaptureSummaryRecord {
  signatures: SignatureVerdict[];
  headers: HeaderPair[];
  storedSize: number;
  httpVersion: string | null;
  response: CaptureResponse;
}

/** The result of the one capture write path. */
export interface AddedCapture {
  capture: CaptureSummaryRecord;
  /** How many of the bin's oldest captures retention removed to make room. */
  pruned: number;
  /** What hookbin answers, as `answer` decided it. */
  response: CaptureResponse;
}

/** One attempt of an event, as the timeline reads it. */
export interface EventAttemptRecord {
  captureId: string;
  receivedAt: number;
  attempt: number;
  /** What hookbin answered; null for a fault. */
  status: number | null;
  fault: 'reset' | 'hang' | null;
  /** How long hookbin held its answer. */
  delayMs: number;
}

/** An event of a bin: the captures that share an event key, oldest first. */
export interface EventRecord {
  key: string;
  /** The type named by its latest attempt. */
  type: string | null;
  attempts: EventAttemptRecord[];
  /** The seq of its latest attempt (the list's cursor). */
  lastSeq: number;
}

/** The most attempts of one event the store reads back; a flood of one key cannot make a list huge. */
export const MAX_EVENT_ATTEMPTS = 500;

/** Thrown by `createBin` when the id is taken. */
export class BinExistsError extends Error {
  constructor(readonly binId: string) {
    super(`bin "${binId}" already exists`);
  }
}

/** Thrown by `addCapture` when the bin was deleted before the row committed. */
export class BinGoneError extends Error {
  constructor(readonly binId: string) {
    super(`bin "${binId}" does not exist`);
  }
}

/** Options of `openStore`. */
export interface StoreOptions {
  /** SQLite file path, or null for an in-memory database (`--memory`). */
  file: string | null;
  /** Retention: the most captures a bin keeps; older ones are pruned. */
  maxCapturesPerBin: number;
  /**
   * Retention: the most bytes the database's used pages may hold; past it
   * the oldest captures of any bin are pruned. Undefined or null: no limit.
   */
  maxDbBytes?: number | null;
}

/** The narrow persistence API over prepared statements. */
export interface Store {
  /** Creates a bin. Throws `BinExistsError` when the id is taken. */
  createBin(bin: { id: string; name: string; createdAt: number; settings: BinSettings }): BinRecord;
  /** The bin, or undefined when there is none with that id. */
  getBin(id: string): BinRecord | undefined;
  /** All bins, oldest first; empty when there are none. */
  listBins(): BinRecord[];
  /** Changes name and/or settings; returns the updated bin, or undefined when missing (nothing written). */
  updateBin(id: string, change: { name?: string; settings?: BinSettings }): BinRecord | undefined;
  /** Deletes a bin with all its captures; false when it did not exist. */
  deleteBin(id: string): boolean;
  /**
   * The one write path of the capture route: stores the capture and its body
   * in one transaction, then prunes the bin to the retention limit. Resolves
   * once the row is committed; rejects with `BinGoneError` when the bin is missing.
   */
  addCapture(input: NewCapture): Promise<AddedCapture>;
  /**
   * A bin's captures, newest first, at most `limit`, strictly older than the
   * `before` cursor, only those with `verdict` when given (`'unsigned'`: no
   * signature header). `next` is the cursor of the following page, or null
   * at the end. An unknown bin gives an empty page.
   */
  listCaptures(
    binId: string,
    opts: { limit: number; before?: number; verdict?: Verdict | 'unsigned' },
  ): { captures: CaptureSummaryRecord[]; next: number | null };
  /**
   * A bin's events, the one with the latest attempt first, at most `limit`,
   * those whose latest attempt is older than the `before` cursor; each with
   * its stored attempts oldest first (the newest `MAX_EVENT_ATTEMPTS`).
   * `next` is the cursor of the following page, or null at the end. An
   * unknown bin gives an empty page.
   */
  listEvents(binId: string, opts: { limit: number; before?: number }): { events: EventRecord[]; next: number | null };
  /** One event of a bin with its attempts, or undefined when no stored capture has that key. */
  getEvent(binId: string, key: string): EventRecord | undefined;
  /** The capture without its body, or undefined when missing. */
  getCapture(id: string): CaptureRecord | undefined;
  /** The stored body bytes and Content-Type, or undefined when the capture is missing. */
  getBody(id: string): { data: Buffer; contentType: string | null } | undefined;
  /**
   * Up to `limit` captures with their headers and bodies, in `seq` order
   * after `afterSeq`, for re-verification; all bins when `binId` is null.
   * Empty past the end or for an unknown bin.
   */
  capturesToVerify(
    binId: string | null,
    afterSeq: number,
    limit: number,
  ): { seq: number; binId: string; receivedAt: number; headers: HeaderPair[]; body: Buffer }[];
  /** Replaces stored verdicts in one transaction; rows that no longer exist are skipped. */
  setVerdicts(updates: readonly { seq: number; signatures: SignatureVerdict[]; verdict: Verdict | null }[]): void;
  /** A value of the `meta` table, or undefined when unset. */
  getMeta(key: string): string | undefined;
  /** Sets a value of the `meta` table. */
  setMeta(key: string, value: string): void;
  /** Deletes one capture; returns its bin id, or undefined when missing. */
  deleteCapture(id: string): string | undefined;
  /** Deletes every capture of a bin; returns how many (0 for an unknown bin). */
  clearCaptures(binId: string): number;
  /** Closes the database; later calls throw. Safe to call twice. */
  close(): void;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Applies the numbered `.sql` migrations that `PRAGMA user_version` says are new. */
function migrate(db: Database.Database): void {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const file of files) {
    const version = Number(file.slice(0, 3));
    if (version <= current) continue;
    const sql = readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

interface BinRow {
  id: string;
  name: string;
  created_at: number;
  settings: string;
  capture_count: number;
  pruned_count: number;
}

interface SummaryRow {
  seq: number;
  id: string;
  bin_id: string;
  received_at: number;
  method: string;
  path: string;
  query: string;
  content_type: string | null;
  body_size: number;
  truncated: number;
  remote_address: string | null;
  status: number | null;
  verdict: string | null;
  event_key: string;
  event_type: string | null;
  attempt: number;
}

interface CaptureRow extends SummaryRow {
  signatures: string;
  headers: string;
  stored_size: number;
  response: string;
  meta: string;
}

const SUMMARY_COLUMNS =
  'seq, id, bin_id, received_at, method, path, query, content_type, body_size, truncated, remote_address, status, verdict, event_key, event_type, attempt';

function toBin(row: BinRow): BinRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    settings: JSON.parse(row.settings) as BinSettings,
    captureCount: row.capture_count,
    prunedCount: row.pruned_count,
  };
}

function toSummary(row: SummaryRow): CaptureSummaryRecord {
  return {
    seq: row.seq,
    id: row.id,
    binId: row.bin_id,
    receivedAt: row.received_at,
    method: row.method,
    path: row.path,
    query: row.query,
    contentType: row.content_type,
    bodySize: row.body_size,
    truncated: row.truncated === 1,
    remoteAddress: row.remote_address,
    status: row.status,
    verdict: row.verdict as Verdict | null,
    event: { key: row.event_key, type: row.event_type, attempt: row.attempt },
  };
}

function toCapture(row: CaptureRow): CaptureRecord {
  const meta = JSON.parse(row.meta) as { httpVersion?: string };
  return {
    ...toSummary(row),
    signatures: JSON.parse(row.signatures) as SignatureVerdict[],
    headers: JSON.parse(row.headers) as HeaderPair[],
    storedSize: row.stored_size,
    httpVersion: meta.httpVersion ?? null,
    response: JSON.parse(row.response) as CaptureResponse,
  };
}

/**
 * Opens (creating and migrating if needed) the SQLite database in WAL mode
 * and returns the store. Throws when the file cannot be opened or written.
 */
export function openStore(options: StoreOptions): Store {
  const db = new Database(options.file ?? ':memory:');
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a capture answered 2xx must survive a power cut, not only a crash.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const stmt = {
    insertBin: db.prepare(
      'INSERT INTO bins (id, name, created_at, settings) VALUES (@id, @name, @createdAt, @settings)',
    ),
    getBin: db.prepare<[string], BinRow>('SELECT * FROM bins WHERE id = ?'),
    listBins: db.prepare<[], BinRow>('SELECT * FROM bins ORDER BY created_at, id'),
    updateBin: db.prepare<[string, string, string]>('UPDATE bins SET name = ?, settings = ? WHERE id = ?'),
    deleteBin: db.prepare<[string]>('DELETE FROM bins WHERE id = ?'),
    insertCapture: db.prepare(
      `INSERT INTO captures (id, bin_id, received_at, method, path, query, content_type, body_size,
         stored_size, truncated, remote_address, status, headers, response, meta, signatures, verdict,
         event_key, event_type, attempt)
       VALUES (@id, @binId, @receivedAt, @method, @path, @query, @contentType, @bodySize,
         @storedSize, @truncated, @remoteAddress, @status, @headers, @response, @meta, @signatures, @verdict,
         @eventKey, @eventType, @attempt)`,
    ),
    attemptsOf: db.prepare<[string, string], { n: number }>(
      'SELECT COALESCE(MAX(attempt), 0) AS n FROM captures WHERE bin_id = ? AND event_key = ?',
    ),
    listEventKeys: db.prepare<[string, number, number], { event_key: string; last: number }>(
      `SELECT event_key, MAX(seq) AS last FROM captures WHERE bin_id = ?
       GROUP BY event_key HAVING last < ? ORDER BY last DESC LIMIT ?`,
    ),
    eventAttempts: db.prepare<[string, string, number], { id: string; seq: number; received_at: number; attempt: number; status: number | null; event_type: string | null; response: string }>(
      `SELECT id, seq, received_at, attempt, status, event_type, response FROM (
         SELECT * FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT ?
       ) ORDER BY seq`,
    ),
    insertBody: db.prepare<[number | bigint, Uint8Array]>('INSERT INTO bodies (seq, data) VALUES (?, ?)'),
    binCount: db.prepare<[string], { capture_count: number }>('SELECT capture_count FROM bins WHERE id = ?'),
    pruneOldest: db.prepare<[string, number]>(
      'DELETE FROM captures WHERE seq IN (SELECT seq FROM captures WHERE bin_id = ? ORDER BY seq LIMIT ?)',
    ),
    addPruned: db.prepare<[number, string]>('UPDATE bins SET pruned_count = pruned_count + ? WHERE id = ?'),
    pruneGlobal: db.prepare<[number, number], { bin_id: string }>(
      'DELETE FROM captures WHERE seq IN (SELECT seq FROM captures WHERE seq < ? ORDER BY seq LIMIT ?) RETURNING bin_id',
    ),
    listCaptures: db.prepare<[string, number, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM captures WHERE bin_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    listByVerdict: db.prepare<[string, number, string, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM captures WHERE bin_id = ? AND seq < ? AND verdict = ? ORDER BY seq DESC LIMIT ?`,
    ),
    listUnsigned: db.prepare<[string, number, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM captures WHERE bin_id = ? AND seq < ? AND verdict IS NULL ORDER BY seq DESC LIMIT ?`,
    ),
    toVerifyInBin: db.prepare<[string, number, number], { seq: number; bin_id: string; received_at: number; headers: string; data: Buffer }>(
      `SELECT c.seq, c.bin_id, c.received_at, c.headers, b.data FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.bin_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?`,
    ),
    toVerifyAll: db.prepare<[number, number], { seq: number; bin_id: string; received_at: number; headers: string; data: Buffer }>(
      `SELECT c.seq, c.bin_id, c.received_at, c.headers, b.data FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
    ),
    setVerdict: db.prepare<[string, string | null, number]>('UPDATE captures SET signatures = ?, verdict = ? WHERE seq = ?'),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getCapture: db.prepare<[string], CaptureRow>('SELECT * FROM captures WHERE id = ?'),
    getBody: db.prepare<[string], { data: Buffer; content_type: string | null }>(
      'SELECT b.data, c.content_type FROM captures c JOIN bodies b ON b.seq = c.seq WHERE c.id = ?',
    ),
    captureBin: db.prepare<[string], { bin_id: string }>('SELECT bin_id FROM captures WHERE id = ?'),
    deleteCapture: db.prepare<[string]>('DELETE FROM captures WHERE id = ?'),
    clearCaptures: db.prepare<[string]>('DELETE FROM captures WHERE bin_id = ?'),
  };

  const writeCapture = db.transaction((input: NewCapture): AddedCapture => {
    const count = stmt.binCount.get(input.binId);
    if (!count) throw new BinGoneError(input.binId);
    const attempt = stmt.attemptsOf.get(input.binId, input.event.key)!.n + 1;
    const response = input.answer(attempt);
    const info = stmt.insertCapture.run({
      id: input.id,
      binId: input.binId,
      receivedAt: input.receivedAt,
      method: input.method,
      path: input.path,
      query: input.query,
      contentType: input.contentType,
      bodySize: input.bodySize,
      storedSize: input.body.byteLength,
      truncated: input.truncated ? 1 : 0,
      remoteAddress: input.remoteAddress,
      status: response.status,
      headers: JSON.stringify(input.headers),
      response: JSON.stringify(response),
      meta: JSON.stringify({ httpVersion: input.httpVersion }),
      signatures: JSON.stringify(input.signatures),
      verdict: input.verdict,
      eventKey: input.event.key,
      eventType: input.event.type,
      attempt,
    });
    stmt.insertBody.run(info.lastInsertRowid, input.body);
    const excess = count.capture_count + 1 - options.maxCapturesPerBin;
    let pruned = 0;
    if (excess > 0) {
      pruned = stmt.pruneOldest.run(input.binId, excess).changes;
      stmt.addPruned.run(pruned, input.binId);
    }
    pruned += pruneToSize(Number(info.lastInsertRowid), input.binId);
    return {
      pruned,
      response,
      capture: {
        seq: Number(info.lastInsertRowid),
        id: input.id,
        binId: input.binId,
        receivedAt: input.receivedAt,
        method: input.method,
        path: input.path,
        query: input.query,
        contentType: input.contentType,
        bodySize: input.bodySize,
        truncated: input.truncated,
        remoteAddress: input.remoteAddress,
        status: response.status,
        verdict: input.verdict,
        event: { key: input.event.key, type: input.event.type, attempt },
      },
    };
  });

  const writeVerdicts = db.transaction((updates: readonly { seq: number; signatures: SignatureVerdict[]; verdict: Verdict | null }[]) => {
    for (const u of updates) stmt.setVerdict.run(JSON.stringify(u.signatures), u.verdict, u.seq);
  });

  function answered(json: string): { fault: 'reset' | 'hang' | null; delayMs: number } {
    const r = JSON.parse(json) as Partial<CaptureResponse>;
    return { fault: r.fault ?? null, delayMs: r.delayMs ?? 0 };
  }

  function readEvent(binId: string, key: string): EventRecord | undefined {
    const rows = stmt.eventAttempts.all(binId, key, MAX_EVENT_ATTEMPTS);
    if (rows.length === 0) return undefined;
    const last = rows[rows.length - 1]!;
    return {
      key,
      type: last.event_type,
      lastSeq: last.seq,
      attempts: rows.map((r) => ({
        captureId: r.id,
        receivedAt: r.received_at,
        attempt: r.attempt,
        status: r.status,
        ...answered(r.response),
      })),
    };
  }

  const pageSize = db.pragma('page_size', { simple: true }) as number;
  /** Bytes in use: pages minus free ones (freed pages are reused, so the file stops growing here). */
  const usedBytes = () => ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * pageSize;

  /**
   * Keeps the database under `maxDbBytes` by pruning the oldest captures of
   * any bin (never `keepSeq`, the one being stored), counting them in each
   * bin's `prunedCount`. Returns how many of `binId`'s were pruned.
   */
  function pruneToSize(keepSeq: number, binId: string): number {
    const max = options.maxDbBytes;
    if (max === undefined || max === null) return 0;
    let own = 0;
    while (usedBytes() > max) {
      const gone = stmt.pruneGlobal.all(keepSeq, 50);
      if (gone.length === 0) break;
      const perBin = new Map<string, number>();
      for (const g of gone) perBin.set(g.bin_id, (perBin.get(g.bin_id) ?? 0) + 1);
      for (const [bin, n] of perBin) stmt.addPruned.run(n, bin);
      own += perBin.get(binId) ?? 0;
    }
    return own;
  }

  let closed = false;

  return {
    createBin(bin) {
      try {
        stmt.insertBin.run({ ...bin, settings: JSON.stringify(bin.settings) });
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new BinExistsError(bin.id);
        throw err;
      }
      return toBin(stmt.getBin.get(bin.id)!);
    },
    getBin(id) {
      const row = stmt.getBin.get(id);
      return row && toBin(row);
    },
    listBins() {
      return stmt.listBins.all().map(toBin);
    },
    updateBin(id, change) {
      const row = stmt.getBin.get(id);
      if (!row) return undefined;
      const current = toBin(row);
      stmt.updateBin.run(change.name ?? current.name, JSON.stringify(change.settings ?? current.settings), id);
      return toBin(stmt.getBin.get(id)!);
    },
    deleteBin(id) {
      return stmt.deleteBin.run(id).changes > 0;
    },
    addCapture(input) {
      try {
        return Promise.resolve(writeCapture(input));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    listCaptures(binId, { limit, before, verdict }) {
      const from = before ?? Number.MAX_SAFE_INTEGER;
      const rows =
        verdict === undefined
          ? stmt.listCaptures.all(binId, from, limit + 1)
          : verdict === 'unsigned'
            ? stmt.listUnsigned.all(binId, from, limit + 1)
            : stmt.listByVerdict.all(binId, from, verdict, limit + 1);
      const more = rows.length > limit;
      const page = (more ? rows.slice(0, limit) : rows).map(toSummary);
      return { captures: page, next: more ? page[page.length - 1]!.seq : null };
    },
    listEvents(binId, { limit, before }) {
      const keys = stmt.listEventKeys.all(binId, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
      const more = keys.length > limit;
      const events = (more ? keys.slice(0, limit) : keys).map((k) => readEvent(binId, k.event_key)!);
      return { events, next: more ? events[events.length - 1]!.lastSeq : null };
    },
    getEvent(binId, key) {
      return readEvent(binId, key);
    },
    getCapture(id) {
      const row = stmt.getCapture.get(id);
      return row && toCapture(row);
    },
    getBody(id) {
      const row = stmt.getBody.get(id);
      return row && { data: row.data, contentType: row.content_type };
    },
    capturesToVerify(binId, afterSeq, limit) {
      const rows = binId === null ? stmt.toVerifyAll.all(afterSeq, limit) : stmt.toVerifyInBin.all(binId, afterSeq, limit);
      return rows.map((r) => ({ seq: r.seq, binId: r.bin_id, receivedAt: r.received_at, headers: JSON.parse(r.headers) as HeaderPair[], body: r.data }));
    },
    setVerdicts(updates) {
      writeVerdicts(updates);
    },
    getMeta(key) {
      return stmt.getMeta.get(key)?.value;
    },
    setMeta(key, value) {
      stmt.setMeta.run(key, value);
    },
    deleteCapture(id) {
      const row = stmt.captureBin.get(id);
      if (!row) return undefined;
      stmt.deleteCapture.run(id);
      return row.bin_id;
    },
    clearCaptures(binId) {
      return stmt.clearCaptures.run(binId).changes;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
