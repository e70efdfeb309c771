/**
 * Importing captures into a bin (an export of hookbin, or a HAR file): every
 * row of one import in one transaction, so an import is stored whole or not
 * at all, with retention applied in the same transaction. The capture writer
 * (capture-writer.ts) stays the one write path of the capture route; this is
 * the control API's, synchronous like the store's other writes (FULL sync).
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

/** Writing an import. */
export interface CaptureImport {
  /**
   * Stores `rows` in `binId` in order, in one transaction, then prunes the
   * bin to the retention limits. Returns how many were stored and how many
   * of the bin's oldest captures retention removed. Throws `BinGoneError`
   * (nothing stored) when the bin is missing.
   */
  importCaptures(binId: string, rows: readonly ImportedCapture[]): { imported: number; pruned: number };
}

/** The import writer over `db`, pruning with `retention`. */
export function createCaptureImport(db: Database.Database, retention: Retention): CaptureImport {
  const stmt = {
    insertCapture: db.prepare(
      `INSERT INTO captures (id, bin_id, received_at, method, path, query, content_type, body_size,
         stored_size, truncated, remote_address, status, headers, response, meta, signatures, verdict,
         event_key, event_type, attempt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    lastAttempt: db.prepare<[string, string], number>('SELECT attempt FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT 1').pluck(),
    insertBody: db.prepare<[number | bigint, Uint8Array]>('INSERT INTO bodies (seq, data) VALUES (?, ?)'),
    insertPart: db.prepare<[number | bigint, number, Uint8Array]>('INSERT INTO body_parts (seq, part, data) VALUES (?, ?, ?)'),
    binCount: db.prepare<[string], number>('SELECT capture_count FROM bins WHERE id = ?').pluck(),
  };

  const write = db.transaction((binId: string, rows: readonly ImportedCapture[]) => {
    const before = stmt.binCount.get(binId);
    if (before === undefined) throw new BinGoneError(binId);
    let firstSeq: number | null = null;
    for (const r of rows) {
      const attempt = r.event.attempt ?? (stmt.lastAttempt.get(binId, r.event.key) ?? 0) + 1;
      const info = stmt.insertCapture.run(
        r.id,
        binId,
        r.receivedAt,
        r.method,
        r.path,
        r.query,
        r.contentType,
        r.bodySize,
        r.body.byteLength,
        r.truncated ? 1 : 0,
        r.remoteAddress,
        r.response.status,
        JSON.stringify(r.headers),
        JSON.stringify(r.response),
        JSON.stringify({ httpVersion: r.httpVersion, retryClaim: r.retryClaim ?? undefined, provider: r.provider ?? undefined, imported: true }),
        JSON.stringify(r.signatures),
        r.verdict,
        r.event.key,
        r.event.type,
        attempt,
      );
      firstSeq ??= Number(info.lastInsertRowid);
      // In parts, as the capture writer stores them (migration 006).
      const body = r.body;
      stmt.insertBody.run(info.lastInsertRowid, body.byteLength > BODY_PART_BYTES ? body.subarray(0, BODY_PART_BYTES) : body);
      for (let at = BODY_PART_BYTES, part = 1; at < body.byteLength; at += BODY_PART_BYTES, part++) {
        stmt.insertPart.run(info.lastInsertRowid, part, body.subarray(at, at + BODY_PART_BYTES));
      }
    }
    // pruneBin counts the one capture just added; an import added rows.length at once.
    let pruned = rows.length === 0 ? 0 : retention.pruneBin(binId, before + rows.length - 1);
    if (firstSeq !== null) pruned += retention.pruneToSize(firstSeq).get(binId) ?? 0;
    return { imported: rows.length, pruned };
  });

  return {
    importCaptures: (binId, rows) => write(binId, rows),
  };
}
