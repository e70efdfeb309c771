/**
 * The capture writer: the one write path of the capture route, and the only
 * owner of the group commit. Captures handed over in one turn of the event
 * loop are written in one transaction, in order; each decides its answer from
 * its attempt number inside the write; retention prunes in the same
 * transaction; and nothing is answered before the COMMIT returned and the WAL
 * holding it was synced to disk (walsync.ts), FULL sync for everything else.
 */
import type Database from 'better-sqlite3';
import type { CaptureResponse } from '../common/types.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { BinGoneError, BODY_PART_BYTES, type AddedCapture, type NewCapture } from './records.js';
import type { Retention } from './retention.js';
import { createWalSync, type WalSync } from './walsync.js';

/** Storing a capture. */
export interface CaptureWriter {
  /**
   * The one write path of the capture route: stores the capture and its body,
   * then prunes the bin to the retention limit. Captures handed over in one
   * turn of the event loop are committed together, in order, in one
   * transaction (group commit); each promise settles only after that COMMIT
   * returned and the WAL holding it was synced to disk (walsync.ts). Rejects with `BinGoneError` when the bin is missing, and with
   * the database's error when the row or its transaction failed: nothing of
   * a rejected capture is stored.
   */
  addCapture(input: NewCapture): Promise<AddedCapture>;
}

/** Options of the capture writer. */
export interface CaptureWriterOptions {
  /** The database file, or null for an in-memory database (nothing to sync). */
  file: string | null;
  /**
   * How committed capture batches are made durable (file databases only);
   * \`createWalSync\` unless a test substitutes its own.
   */
  walSync?: (dbFile: string) => WalSync;
  /**
   * After how many captures since opening a file database its WAL
   * checkpoints move to a worker thread (checkpointer.ts); null: never.
   * Short sessions and tests never pay for the thread.
   */
  checkpointAfter?: number | null;
}

/** A capture waiting in the group-commit queue, with its caller's promise. */
interface PendingCapture {
  input: NewCapture;
  resolve: (added: AddedCapture) => void;
  reject: (err: unknown) => void;
}

/** One row of a batch that failed and was rolled back to its savepoint. */
class RowFailure {
  constructor(readonly error: unknown) {}
}

/** How often the checkpointer copies the WAL back into the database. */
const CHECKPOINT_EVERY_MS = 200;
/** SQLite's own checkpoint while the checkpointer runs: a backstop (pages, ~80 MB). */
const BACKSTOP_CHECKPOINT_PAGES = 20_000;
/** SQLite's default, restored if the checkpointer stops. */
const DEFAULT_CHECKPOINT_PAGES = 1000;

/**
 * The capture writer over \`db\`, pruning with \`retention\`. \`close\` writes,
 * syncs and answers what was already handed over, then stops the sync and
 * the checkpointer; the caller closes the connection after it.
 */
export function createCaptureWriter(db: Database.Database, retention: Retention, options: CaptureWriterOptions): CaptureWriter & { close(): void } {
  const stmt = {
    // Positional parameters: binding by name looks each one up on an object, per row.
    insertCapture: db.prepare<
      [string, string, number, string, string, string, string | null, number, number, number, string | null, number | null, string, string, string, string, string | null, string, string | null, number]
    >(
      `INSERT INTO captures (id, bin_id, received_at, method, path, query, content_type, body_size,
         stored_size, truncated, remote_address, status, headers, response, meta, signatures, verdict,
         event_key, event_type, attempt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // The newest attempt is the highest (each is the previous highest + 1), so
    // one step down the (bin_id, event_key, seq) index finds it; MAX(attempt)
    // read every earlier attempt, ruinous for a payload resent 10,000 times.
    lastAttempt: db.prepare<[string, string], number>(
      'SELECT attempt FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT 1',
    ).pluck(),
    insertBody: db.prepare<[number | bigint, Uint8Array]>('INSERT INTO bodies (seq, data) VALUES (?, ?)'),
    insertPart: db.prepare<[number | bigint, number, Uint8Array]>('INSERT INTO body_parts (seq, part, data) VALUES (?, ?, ?)'),
    binCount: db.prepare<[string], { capture_count: number }>('SELECT capture_count FROM bins WHERE id = ?'),
    addCount: db.prepare<[number, string]>('UPDATE bins SET capture_count = capture_count + ? WHERE id = ?'),
  };
  let closed = false;

  /**
   * One capture, inside `writeBatch`'s transaction. What can fail for this row
   * alone (its bin is gone, its answer throws) is found out before it writes
   * anything, so it is rejected alone with nothing to undo. An error while
   * writing throws and takes the whole batch with it: rarer than a savepoint
   * per row (two more statements each) is worth.
   */
  function writeOne(input: NewCapture, counts: Map<string, number>): AddedCapture | RowFailure {
    let count: number | undefined;
    let attempt: number;
    let response: CaptureResponse;
    try {
      // Read once a batch, then kept here: migration 011 has no insert trigger, and `writeBatch` adds what it stored.
      count = counts.get(input.binId) ?? stmt.binCount.get(input.binId)?.capture_count;
      if (count === undefined) throw new BinGoneError(input.binId);
      attempt = (stmt.lastAttempt.get(input.binId, input.event.key) ?? 0) + 1;
      response = input.answer(attempt);
    } catch (err) {
      // An I/O error may have ended the transaction; then the batch is lost.
      if (!db.inTransaction) throw err;
      return new RowFailure(err);
    }
    const info = stmt.insertCapture.run(
      input.id,
      input.binId,
      input.receivedAt,
      input.method,
      input.path,
      input.query,
      input.contentType,
      input.bodySize,
      input.body.byteLength,
      input.truncated ? 1 : 0,
      input.remoteAddress,
      response.status,
      JSON.stringify(input.headers),
      JSON.stringify(response),
      // A retry claim is set aside here, apart from the headers, so that the events view never searches them (store/events.ts).
      JSON.stringify({ httpVersion: input.httpVersion, retryClaim: input.retryClaim ?? undefined, provider: input.provider ?? undefined }),
      JSON.stringify(input.signatures),
      input.verdict,
      input.event.key,
      input.event.type,
      attempt,
    );
    // In parts of BODY_PART_BYTES (views, not copies): see migration 006.
    const body = input.body;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, subarray(0, BODY_PART_BYTES) of a body no longer than that is the whole body
    stmt.insertBody.run(info.lastInsertRowid, body.byteLength > BODY_PART_BYTES ? body.subarray(0, BODY_PART_BYTES) : body);
    for (let at = BODY_PART_BYTES, part = 1; at < body.byteLength; at += BODY_PART_BYTES, part++) {
      stmt.insertPart.run(info.lastInsertRowid, part, body.subarray(at, at + BODY_PART_BYTES));
    }
    const pruned = retention.pruneBin(input.binId, count);
    counts.set(input.binId, count + 1 - pruned);
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
        fault: response.fault,
        delayMs: response.delayMs,
        verdict: input.verdict,
        event: { key: input.event.key, type: input.event.type, attempt },
        provider: input.provider ?? null,
      },
    };
  }

  /**
   * Group commit: every capture handed to `addCapture` in one turn of the event
   * loop is written in one transaction, so one sync covers them all instead
   * of one each. Rows are written in arrival order and each
   * decides its answer from its attempt number inside the write, so racing
   * deliveries of one event still get 1, 2, 3. A row whose bin is gone or
   * whose answer throws is rejected alone (see `writeOne`); if a write fails
   * or the transaction itself is lost (a failed COMMIT, or SQLite rolled it
   * all back), every row of the batch is rejected and none is stored. Nothing resolves before COMMIT has returned (`flush` then waits for the sync).
   */
  const writeBatch = db.transaction((batch: readonly PendingCapture[]): (AddedCapture | RowFailure)[] => {
    const counts = new Map<string, number>();
    const results = batch.map((p) => writeOne(p.input, counts));
    // Each bin's count goes up by what it stored, in one statement (the delete trigger already took off what retention pruned).
    const added = new Map<string, number>();
    for (const r of results) if (!(r instanceof RowFailure)) added.set(r.capture.binId, (added.get(r.capture.binId) ?? 0) + 1);
    for (const [binId, n] of added) stmt.addCount.run(n, binId);
    // The size cap is checked once per batch (measuring the file is a query of
    // its own); what it prunes is reported with each bin's last capture here.
    const stored = results.filter((r): r is AddedCapture => !(r instanceof RowFailure));
    if (stored.length > 0) {
      const perBin = retention.pruneToSize(stored[0]!.capture.seq);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, `perBin.size > 0` only stops the walk early; an empty map matches no capture
      for (let i = stored.length - 1; i >= 0 && perBin.size > 0; i--) {
        const r = stored[i]!;
        const n = perBin.get(r.capture.binId);
        if (n === undefined) continue;
        r.pruned += n;
        perBin.delete(r.capture.binId);
      }
    }
    return results;
  });

  let queue: PendingCapture[] = [];
  let flushScheduled = false;
  // Null for an in-memory database, and after a failed sync (see `flush`).
  let walSync: WalSync | null = options.file === null ? null : (options.walSync ?? createWalSync)(options.file);
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');

  let committed = 0;
  let checkpointer: Checkpointer | null = null;
  let checkpointerDone = options.file === null || options.checkpointAfter === null;
  const checkpointAfter = options.checkpointAfter ?? 1000;

  /** Moves WAL checkpoints off the main thread once this database is busy (see checkpointer.ts). */
  function startCheckpointing(file: string): void {
    checkpointerDone = true;
    checkpointer = startCheckpointer(file, CHECKPOINT_EVERY_MS, () => {
      checkpointer = null;
      if (!closed) db.pragma(`wal_autocheckpoint = ${DEFAULT_CHECKPOINT_PAGES}`);
    });
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  }

  // True while a committed batch waits for its sync. Captures arriving then are
  // committed together when it ends: they would wait for the next sync anyway
  // (a sync covers only what was committed before it began), so holding their
  // COMMIT costs them nothing and makes one transaction of what would be many.
  let syncing = false;

  /** Commits the queue as one batch; with `force`, even while a sync is running (closing). */
  function flush(force = false): void {
    flushScheduled = false;
    if (syncing && !force) return;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const sync = walSync;
    let results: (AddedCapture | RowFailure)[];
    try {
      // This batch's COMMIT writes the WAL without waiting for the disk; `sync`
      // below waits for it off the main thread (see walsync.ts). Every other
      // write of the store keeps FULL.
      if (sync) syncNormal.run();
      results = writeBatch(batch);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    } finally {
      if (sync) syncFull.run();
    }
    const stored: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const r = results[i]!;
      if (r instanceof RowFailure) batch[i]!.reject(r.error);
      else stored.push(i);
    }
    if (stored.length === 0) return;
    committed += stored.length;
    if (!checkpointerDone && committed >= checkpointAfter) startCheckpointing(options.file!);
    if (!sync) {
      for (const i of stored) batch[i]!.resolve(results[i] as AddedCapture);
      return;
    }
    syncing = true;
    sync.after((err) => {
      syncing = false;
      if (err) {
        // Committed but not known to be on disk: not answered as captured. After
        // a failed fsync the kernel may have dropped the pages, so later batches
        // go back to SQLite's own sync in COMMIT, whose failure rejects the batch.
        walSync = null;
        for (const i of stored) batch[i]!.reject(err);
      } else {
        for (const i of stored) batch[i]!.resolve(results[i] as AddedCapture);
      }
      // What gathered during the sync goes now, while its owners' replies go out.
      // Stryker disable next-line ConditionalExpression: equivalent, once closed no capture is queued (close flushed them, addCapture refuses), and flush returns on an empty queue
      if (!closed) flush();
    });
  }

  return {
    addCapture(input) {
      if (closed) return Promise.reject(new TypeError('The database connection is not open'));
      return new Promise<AddedCapture>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        // Stryker disable next-line ConditionalExpression: equivalent, a second scheduled flush in the same turn finds the queue already taken
        if (!flushScheduled) {
          // Stryker disable next-line BooleanLiteral: as above
          flushScheduled = true;
          // setImmediate runs after this turn's I/O callbacks: every request whose
          // body completed in this turn is queued by then and joins the batch.
          setImmediate(flush);
        }
      });
    },
    close() {
      // Stryker disable next-line ConditionalExpression: equivalent, openStore's close calls this once (it has its own guard)
      if (closed) return;
      // Captures already handed over are written, synced and answered before the database goes.
      flush(true);
      closed = true;
      checkpointer?.close();
      if (walSync) {
        try {
          walSync.syncNow();
        } catch {
          // The waiters were rejected with the error; closing goes on.
        }
        walSync.close();
      }
    },
  };
}
