/**
 * Stored captures: listing and reading them (without their bodies), their
 * verdicts, their forward results, and deleting them. Writing one is the
 * capture writer's alone (capture-writer.ts).
 */
import type Database from 'better-sqlite3';
import type { CaptureResponse, Fault, HeaderPair, SignatureVerdict } from '../common/types.js';
import type { BodyJoiner } from './bodies.js';
import type { CaptureRecord, CaptureSummaryRecord, ForwardRecord, ReplyRecord, Verdict } from './records.js';

/** Reading, re-judging and deleting stored captures. */
export interface Captures {
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
  /** The capture without its body, or undefined when missing. */
  getCapture(id: string): CaptureRecord | undefined;
  /**
   * Up to `limit` captures with their headers and bodies, in `seq` order
   * after `afterSeq`, for re-verification; all bins when `binId` is null.
   * Empty past the end or for an unknown bin.
   */
  capturesToVerify(
    binId: string | null,
    afterSeq: number,
    limit: number,
  ): { seq: number; binId: string; receivedAt: number; method: string; path: string; query: string; headers: HeaderPair[]; body: Buffer }[];
  /** Replaces stored verdicts in one transaction; rows that no longer exist are skipped. */
  setVerdicts(updates: readonly { seq: number; signatures: SignatureVerdict[]; verdict: Verdict | null }[]): void;
  /**
   * Stores the app's reply to a capture's live forward, and, when the reply
   * was relayed to the provider, what hookbin answered instead of the bin's
   * own answer (status and response). False when the capture is gone
   * (deleted or pruned meanwhile): nothing is written.
   */
  setCaptureForward(id: string, forward: ForwardRecord, answered?: CaptureResponse): boolean;
  /** Deletes one capture; returns its bin id, or undefined when missing. */
  deleteCapture(id: string): string | undefined;
  /** Deletes every capture of a bin; returns how many (0 for an unknown bin). */
  clearCaptures(binId: string): number;
}

/** A row of SUMMARY_COLUMNS. */
export interface SummaryRow {
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
  fault: Fault | null;
  delay_ms: number | null;
  verdict: string | null;
  event_key: string;
  event_type: string | null;
  attempt: number;
  provider: string | null;
}

interface VerifyRow {
  seq: number;
  bin_id: string;
  received_at: number;
  method: string;
  path: string;
  query: string;
  headers: string;
  stored_size: number;
  data: Buffer;
}

interface CaptureRow extends SummaryRow {
  signatures: string;
  headers: string;
  stored_size: number;
  response: string;
  meta: string;
  forward: string | null;
}

/** A forward record as the `forward` column keeps it: JSON, the reply body in base64. */
function forwardToJson(f: ForwardRecord): string {
  const response = f.response && { ...f.response, body: f.response.body.toString('base64') };
  return JSON.stringify({ ...f, response });
}

function forwardFromJson(json: string | null): ForwardRecord | null {
  if (json === null) return null;
  const f = JSON.parse(json) as Omit<ForwardRecord, 'response'> & { response: (Omit<ReplyRecord, 'body'> & { body: string }) | null };
  return { ...f, response: f.response && { ...f.response, body: Buffer.from(f.response.body, 'base64') } };
}

// The fault and delay are read out of the stored answer rather than kept in
// columns of their own: a list page reads at most a few hundred small answers,
// and the answer (rewritten when a relay passes the app's reply on) stays the
// one place they are kept, as the events repository reads them.
/** The columns of a capture's summary, for `toSummary` (search.ts reads them too). */
export const SUMMARY_COLUMNS =
  "seq, id, bin_id, received_at, method, path, query, content_type, body_size, truncated, remote_address, status, json_extract(response, '$.fault') AS fault, json_extract(response, '$.delayMs') AS delay_ms, verdict, event_key, event_type, attempt, json_extract(meta, '$.provider') AS provider";

/** A capture's summary from its SUMMARY_COLUMNS row. */
export function toSummary(row: SummaryRow): CaptureSummaryRecord {
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
    fault: row.fault ?? null,
    delayMs: row.delay_ms ?? 0,
    verdict: row.verdict as Verdict | null,
    event: { key: row.event_key, type: row.event_type, attempt: row.attempt },
    provider: row.provider ?? null,
  };
}

function toCapture(row: CaptureRow): CaptureRecord {
  const meta = JSON.parse(row.meta) as { httpVersion?: string; provider?: string };
  const response = JSON.parse(row.response) as CaptureResponse;
  return {
    ...toSummary(row),
    // The whole answer is parsed here anyway: its fault and delay come from it, not from SQL again.
    fault: response.fault ?? null,
    delayMs: response.delayMs ?? 0,
    signatures: JSON.parse(row.signatures) as SignatureVerdict[],
    headers: JSON.parse(row.headers) as HeaderPair[],
    storedSize: row.stored_size,
    httpVersion: meta.httpVersion ?? null,
    // `SELECT *` has no provider column: it is read from the meta parsed here.
    provider: meta.provider ?? null,
    response,
    forward: forwardFromJson(row.forward ?? null),
  };
}

/** The captures repository over `db`; `bodies` reads the bodies `capturesToVerify` returns. */
export function createCaptures(db: Database.Database, bodies: BodyJoiner): Captures {
  const stmt = {
    listCaptures: db.prepare<[string, number, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM captures WHERE bin_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    listByVerdict: db.prepare<[string, number, string, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM captures WHERE bin_id = ? AND seq < ? AND verdict = ? ORDER BY seq DESC LIMIT ?`,
    ),
    listUnsigned: db.prepare<[string, number, number], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM captures WHERE bin_id = ? AND seq < ? AND verdict IS NULL ORDER BY seq DESC LIMIT ?`,
    ),
    toVerifyInBin: db.prepare<[string, number, number], VerifyRow>(
      `SELECT c.seq, c.bin_id, c.received_at, c.method, c.path, c.query, c.headers, c.stored_size, b.data FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.bin_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?`,
    ),
    toVerifyAll: db.prepare<[number, number], VerifyRow>(
      `SELECT c.seq, c.bin_id, c.received_at, c.method, c.path, c.query, c.headers, c.stored_size, b.data FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
    ),
    setVerdict: db.prepare<[string, string | null, number]>('UPDATE captures SET signatures = ?, verdict = ? WHERE seq = ?'),
    getCapture: db.prepare<[string], CaptureRow>('SELECT * FROM captures WHERE id = ?'),
    captureBin: db.prepare<[string], { bin_id: string }>('SELECT bin_id FROM captures WHERE id = ?'),
    deleteCapture: db.prepare<[string]>('DELETE FROM captures WHERE id = ?'),
    // Deletes lower their bin's count themselves (migration 012 dropped the trigger).
    lowerCount: db.prepare<[number, string]>('UPDATE bins SET capture_count = max(0, capture_count - ?) WHERE id = ?'),
    setForward: db.prepare<[string, string]>('UPDATE captures SET forward = ? WHERE id = ?'),
    setForwardAnswered: db.prepare<[string, number | null, string, string]>('UPDATE captures SET forward = ?, status = ?, response = ? WHERE id = ?'),
    clearCaptures: db.prepare<[string]>('DELETE FROM captures WHERE bin_id = ?'),
  };

  const writeVerdicts = db.transaction((updates: readonly { seq: number; signatures: SignatureVerdict[]; verdict: Verdict | null }[]) => {
    for (const u of updates) stmt.setVerdict.run(JSON.stringify(u.signatures), u.verdict, u.seq);
  });

  const deleteOne = db.transaction((id: string): string | undefined => {
    const row = stmt.captureBin.get(id);
    if (!row) return undefined;
    stmt.lowerCount.run(stmt.deleteCapture.run(id).changes, row.bin_id);
    return row.bin_id;
  });
  const clearBin = db.transaction((binId: string): number => {
    const gone = stmt.clearCaptures.run(binId).changes;
    stmt.lowerCount.run(gone, binId);
    return gone;
  });

  return {
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
    getCapture(id) {
      const row = stmt.getCapture.get(id);
      return row && toCapture(row);
    },
    capturesToVerify(binId, afterSeq, limit) {
      const rows = binId === null ? stmt.toVerifyAll.all(afterSeq, limit) : stmt.toVerifyInBin.all(binId, afterSeq, limit);
      return rows.map((r) => ({
        seq: r.seq,
        binId: r.bin_id,
        receivedAt: r.received_at,
        method: r.method,
        path: r.path,
        query: r.query,
        headers: JSON.parse(r.headers) as HeaderPair[],
        body: bodies.wholeBody(r.seq, r.data, r.stored_size),
      }));
    },
    setVerdicts(updates) {
      writeVerdicts(updates);
    },
    setCaptureForward(id, forward, answered) {
      const json = forwardToJson(forward);
      const info = answered
        ? stmt.setForwardAnswered.run(json, answered.status, JSON.stringify(answered), id)
        : stmt.setForward.run(json, id);
      return info.changes > 0;
    },
    deleteCapture(id) {
      return deleteOne(id);
    },
    clearCaptures(binId) {
      return clearBin(binId);
    },
  };
}
