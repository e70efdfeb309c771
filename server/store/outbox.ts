/** The outbox: deliveries the sender queues, their attempts, and how finished ones are pruned. */
import type Database from 'better-sqlite3';
import type { HeaderPair, OutboxState, SendErrorKind } from '../common/types.js';
import type { AttemptRecord, DeliveryRecord, NewDelivery, RetrySpec, SignSpec } from './records.js';

/** Queued outbound deliveries and their attempts. */
export interface Outbox {
  /** Queues an outbound delivery as pending. Throws when the id is taken. */
  addDelivery(delivery: NewDelivery): DeliveryRecord;
  /** The delivery without body and attempts, or undefined when there is none with that id. */
  getDelivery(id: string): DeliveryRecord | undefined;
  /** The delivery's body bytes, or undefined when the delivery is missing. */
  getDeliveryBody(id: string): Buffer | undefined;
  /** A delivery's attempts, oldest first; empty when it has none or is missing. */
  listAttempts(id: string): AttemptRecord[];
  /**
   * Deliveries newest first, at most `limit`, strictly older than the
   * `before` cursor, only those in `state` and resent from `sourceCaptureId`
   * when given. `next` is the cursor of the following page, or null at the end.
   */
  listDeliveries(opts: { limit: number; before?: number; state?: OutboxState; sourceCaptureId?: string }): { deliveries: DeliveryRecord[]; next: number | null };
  /** Every pending delivery, the one due first first (to resume after a restart). */
  pendingDeliveries(): DeliveryRecord[];
  /** How many deliveries are pending, and the bytes of their bodies. */
  pendingLoad(): { count: number; bytes: number };
  /**
   * Records one finished attempt and moves the delivery on in one
   * transaction: `next` is its new state (`pending` with the next attempt's
   * due time, or `delivered`/`failed` with null). Only a pending delivery
   * takes an attempt: returns the updated record, or undefined when the
   * delivery is missing or no longer pending (cancelled meanwhile; nothing
   * is written).
   */
  addAttempt(id: string, attempt: AttemptRecord, next: { state: OutboxState; nextAt: number | null }): DeliveryRecord | undefined;
  /**
   * Cancels a pending delivery. Returns the delivery as it is afterwards
   * (unchanged when it had already finished), or undefined when missing.
   */
  cancelDelivery(id: string, at: number): DeliveryRecord | undefined;
  /** Deletes a delivery with its attempts; false when it did not exist. */
  deleteDelivery(id: string): boolean;
  /**
   * Deletes finished deliveries beyond the newest `keep` of them, and beyond
   * `maxBytes` of their bodies and stored replies counted from the newest;
   * returns how many. Pending ones are never pruned.
   */
  pruneDeliveries(keep: number, maxBytes: number): number;
}

interface DeliveryRow {
  seq: number;
  id: string;
  kind: string;
  source_capture_id: string | null;
  created_at: number;
  updated_at: number;
  state: string;
  next_at: number | null;
  method: string;
  url: string;
  headers: string;
  sign: string;
  sign_id: string;
  retry: string;
  attempt_count: number;
  last_status: number | null;
  last_error: string | null;
  body_size: number;
  insecure: number;
  last_capture_id: string | null;
}

interface AttemptRow {
  n: number;
  at: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  error_message: string | null;
  request: string;
  response_headers: string | null;
  response_body: Buffer | null;
  response_size: number | null;
  response_truncated: number;
  capture_id: string | null;
}

/** Every column of `outbox` but the body. */
const DELIVERY_COLUMNS =
  'seq, id, kind, source_capture_id, created_at, updated_at, state, next_at, method, url, headers, sign, sign_id, retry, attempt_count, last_status, last_error, body_size, insecure, last_capture_id';

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    seq: row.seq,
    id: row.id,
    kind: row.kind as DeliveryRecord['kind'],
    sourceCaptureId: row.source_capture_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    state: row.state as OutboxState,
    nextAt: row.next_at,
    method: row.method,
    url: row.url,
    headers: JSON.parse(row.headers) as HeaderPair[],
    sign: JSON.parse(row.sign) as SignSpec[],
    signId: row.sign_id,
    retry: JSON.parse(row.retry) as RetrySpec,
    attemptCount: row.attempt_count,
    lastStatus: row.last_status,
    lastError: row.last_error as SendErrorKind | null,
    bodySize: row.body_size,
    insecure: row.insecure === 1,
    lastCaptureId: row.last_capture_id,
  };
}

function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    n: row.n,
    at: row.at,
    durationMs: row.duration_ms,
    status: row.status,
    error: row.error as SendErrorKind | null,
    errorMessage: row.error_message,
    request: JSON.parse(row.request) as AttemptRecord['request'],
    captureId: row.capture_id,
    response:
      row.response_headers === null
        ? null
        : {
            headers: JSON.parse(row.response_headers) as HeaderPair[],
            body: row.response_body ?? Buffer.alloc(0),
            size: row.response_size ?? 0,
            truncated: row.response_truncated === 1,
          },
  };
}

/** The outbox repository over `db`. */
export function createOutbox(db: Database.Database): Outbox {
  const stmt = {
    insertDelivery: db.prepare(
      `INSERT INTO outbox (id, kind, source_capture_id, created_at, updated_at, state, next_at, method, url, headers, sign, sign_id, retry, body_size, stored_bytes, body, insecure)
       VALUES (@id, @kind, @sourceCaptureId, @createdAt, @createdAt, 'pending', @nextAt, @method, @url, @headers, @sign, @signId, @retry, @bodySize, @bodySize, @body, @insecure)`,
    ),
    getDelivery: db.prepare<[string], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM outbox WHERE id = ?`),
    getDeliveryBody: db.prepare<[string], { body: Buffer }>('SELECT body FROM outbox WHERE id = ?'),
    // A NULL filter matches everything: one statement for every combination (the outbox holds a few thousand rows at most).
    listDeliveries: db.prepare<[{ before: number; state: string | null; capture: string | null; limit: number }], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM outbox
       WHERE seq < @before AND (@state IS NULL OR state = @state) AND (@capture IS NULL OR source_capture_id = @capture)
       ORDER BY seq DESC LIMIT @limit`,
    ),
    pendingDeliveries: db.prepare<[], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY next_at, seq`),
    pendingLoad: db.prepare<[], { n: number; bytes: number }>(`SELECT COUNT(*) AS n, COALESCE(SUM(body_size), 0) AS bytes FROM outbox WHERE state = 'pending'`),
    listAttempts: db.prepare<[string], AttemptRow>(
      'SELECT a.* FROM outbox_attempts a JOIN outbox o ON o.seq = a.outbox_seq WHERE o.id = ? ORDER BY a.n',
    ),
    insertAttempt: db.prepare(
      `INSERT INTO outbox_attempts (outbox_seq, n, at, duration_ms, status, error, error_message, request, response_headers, response_body, response_size, response_truncated, capture_id)
       VALUES (@seq, @n, @at, @durationMs, @status, @error, @errorMessage, @request, @responseHeaders, @responseBody, @responseSize, @responseTruncated, @captureId)`,
    ),
    // An attempt that made no known capture (a reset, a timeout) keeps the one known before it, which the next retry names.
    advanceDelivery: db.prepare(
      `UPDATE outbox SET state = @state, next_at = @nextAt, updated_at = @at, attempt_count = attempt_count + 1,
         last_status = @status, last_error = @error, last_capture_id = COALESCE(@captureId, last_capture_id), stored_bytes = stored_bytes + @replyBytes WHERE seq = @seq AND state = 'pending'`,
    ),
    cancelDelivery: db.prepare<[number, string]>(`UPDATE outbox SET state = 'cancelled', next_at = NULL, updated_at = ? WHERE id = ? AND state = 'pending'`),
    deleteDelivery: db.prepare<[string]>('DELETE FROM outbox WHERE id = ?'),
    // Newest first: a finished delivery goes once it is past the count, or once the bytes up to and including it pass the cap.
    pruneDeliveries: db.prepare<[number, number]>(
      `DELETE FROM outbox WHERE seq IN (
         SELECT seq FROM (
           SELECT seq, ROW_NUMBER() OVER w AS rn, SUM(stored_bytes) OVER w AS running
           FROM outbox WHERE state != 'pending' WINDOW w AS (ORDER BY seq DESC)
         ) WHERE rn > ? OR running > ?
       )`,
    ),
  };

  const writeAttempt = db.transaction(
    (id: string, a: AttemptRecord, next: { state: OutboxState; nextAt: number | null }): DeliveryRecord | undefined => {
      const row = stmt.getDelivery.get(id);
      if (!row || row.state !== 'pending') return undefined;
      stmt.insertAttempt.run({
        seq: row.seq,
        n: a.n,
        at: a.at,
        durationMs: a.durationMs,
        status: a.status,
        error: a.error,
        errorMessage: a.errorMessage,
        request: JSON.stringify(a.request),
        responseHeaders: a.response ? JSON.stringify(a.response.headers) : null,
        responseBody: a.response ? a.response.body : null,
        responseSize: a.response ? a.response.size : null,
        responseTruncated: a.response?.truncated ? 1 : 0,
        captureId: a.captureId ?? null,
      });
      stmt.advanceDelivery.run({
        seq: row.seq,
        state: next.state,
        nextAt: next.nextAt,
        at: a.at + a.durationMs,
        status: a.status,
        error: a.error,
        captureId: a.captureId ?? null,
        replyBytes: a.response ? a.response.body.length : 0,
      });
      return toDelivery(stmt.getDelivery.get(id)!);
    },
  );

  return {
    addDelivery(d) {
      stmt.insertDelivery.run({
        id: d.id,
        kind: d.kind,
        sourceCaptureId: d.sourceCaptureId,
        createdAt: d.createdAt,
        nextAt: d.nextAt,
        method: d.method,
        url: d.url,
        headers: JSON.stringify(d.headers),
        sign: JSON.stringify(d.sign),
        signId: d.signId,
        retry: JSON.stringify(d.retry),
        bodySize: d.body.byteLength,
        body: d.body,
        insecure: d.insecure ? 1 : 0,
      });
      return toDelivery(stmt.getDelivery.get(d.id)!);
    },
    getDelivery(id) {
      const row = stmt.getDelivery.get(id);
      return row && toDelivery(row);
    },
    getDeliveryBody(id) {
      return stmt.getDeliveryBody.get(id)?.body;
    },
    listAttempts(id) {
      return stmt.listAttempts.all(id).map(toAttempt);
    },
    listDeliveries({ limit, before, state, sourceCaptureId }) {
      const rows = stmt.listDeliveries.all({ before: before ?? Number.MAX_SAFE_INTEGER, state: state ?? null, capture: sourceCaptureId ?? null, limit: limit + 1 });
      const more = rows.length > limit;
      const page = (more ? rows.slice(0, limit) : rows).map(toDelivery);
      return { deliveries: page, next: more ? page[page.length - 1]!.seq : null };
    },
    pendingDeliveries() {
      return stmt.pendingDeliveries.all().map(toDelivery);
    },
    pendingLoad() {
      const row = stmt.pendingLoad.get()!;
      return { count: row.n, bytes: row.bytes };
    },
    addAttempt(id, attempt, next) {
      return writeAttempt(id, attempt, next);
    },
    cancelDelivery(id, at) {
      stmt.cancelDelivery.run(at, id);
      const row = stmt.getDelivery.get(id);
      return row && toDelivery(row);
    },
    deleteDelivery(id) {
      return stmt.deleteDelivery.run(id).changes > 0;
    },
    pruneDeliveries(keep, maxBytes) {
      return stmt.pruneDeliveries.run(keep, maxBytes).changes;
    },
  };
}
