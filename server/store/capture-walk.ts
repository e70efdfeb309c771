/**
 * Walking a bin's captures whole (headers, answer, meta and body bytes) in
 * `seq` order, a bounded batch at a time, for an export that streams: the
 * caller holds one batch, never the bin.
 */
import type Database from 'better-sqlite3';
import type { CaptureResponse, HeaderPair, SignatureVerdict } from '../common/types.js';
import type { BodyJoiner } from './bodies.js';
import type { ForwardRecord, Verdict } from './records.js';

/** One stored capture as an export writes it: every column, the body whole. */
export interface WalkedCapture {
  seq: number;
  id: string;
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: HeaderPair[];
  /** The stored bytes exactly (compressed bodies as received). */
  body: Buffer;
  bodySize: number;
  truncated: boolean;
  remoteAddress: string | null;
  httpVersion: string | null;
  response: CaptureResponse;
  event: { key: string; type: string | null; attempt: number };
  retryClaim: string | null;
  provider: string | null;
  signatures: SignatureVerdict[];
  verdict: Verdict | null;
  /** The stored JSON of the app's reply to a live forward (its body in base64), or null. */
  forward: (Omit<ForwardRecord, 'response'> & { response: unknown }) | null;
}

/** How much one batch may hold: at most `limit` captures, and past the first no more than `maxBytes` of bodies. */
export interface WalkLimits {
  limit: number;
  maxBytes: number;
}

/** Walking a bin's captures for export. */
export interface CaptureWalk {
  /** The bin's newest `seq`, or 0 when it has no capture: an export stops there, so captures arriving meanwhile do not make it endless. */
  lastSeq(binId: string): number;
  /**
   * The bin's captures with `afterSeq < seq <= untilSeq`, oldest first: at
   * most `limit`, and no more once their bodies add up to `maxBytes` (the
   * first is always returned, whatever its size). Empty at the end.
   */
  walkCaptures(binId: string, afterSeq: number, untilSeq: number, limits: WalkLimits): WalkedCapture[];
}

interface WalkRow {
  seq: number;
  id: string;
  received_at: number;
  method: string;
  path: string;
  query: string;
  headers: string;
  body_size: number;
  stored_size: number;
  truncated: number;
  remote_address: string | null;
  response: string;
  meta: string;
  signatures: string;
  verdict: string | null;
  event_key: string;
  event_type: string | null;
  attempt: number;
  forward: string | null;
  data: Buffer;
}

/** The walk over `db`; `bodies` joins a large body's parts. */
export function createCaptureWalk(db: Database.Database, bodies: BodyJoiner): CaptureWalk {
  const stmt = {
    lastSeq: db.prepare<[string], number>('SELECT COALESCE(MAX(seq), 0) FROM captures WHERE bin_id = ?').pluck(),
    walk: db.prepare<[string, number, number, number], WalkRow>(
      `SELECT c.seq, c.id, c.received_at, c.method, c.path, c.query, c.headers, c.body_size, c.stored_size, c.truncated,
              c.remote_address, c.response, c.meta, c.signatures, c.verdict, c.event_key, c.event_type, c.attempt, c.forward, b.data
       FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.bin_id = ? AND c.seq > ? AND c.seq <= ? ORDER BY c.seq LIMIT ?`,
    ),
  };
  return {
    lastSeq: (binId) => stmt.lastSeq.get(binId) ?? 0,
    walkCaptures(binId, afterSeq, untilSeq, { limit, maxBytes }) {
      const out: WalkedCapture[] = [];
      let bytes = 0;
      // Rows are read one at a time and the walk stops at the byte budget: the rest is never read.
      for (const r of stmt.walk.iterate(binId, afterSeq, untilSeq, limit)) {
        if (out.length > 0 && bytes + r.stored_size > maxBytes) break;
        bytes += r.stored_size;
        const meta = JSON.parse(r.meta) as { httpVersion?: string | null; retryClaim?: string; provider?: string };
        out.push({
          seq: r.seq,
          id: r.id,
          receivedAt: r.received_at,
          method: r.method,
          path: r.path,
          query: r.query,
          headers: JSON.parse(r.headers) as HeaderPair[],
          body: bodies.wholeBody(r.seq, r.data, r.stored_size),
          bodySize: r.body_size,
          truncated: r.truncated === 1,
          remoteAddress: r.remote_address,
          httpVersion: meta.httpVersion ?? null,
          response: JSON.parse(r.response) as CaptureResponse,
          event: { key: r.event_key, type: r.event_type, attempt: r.attempt },
          retryClaim: meta.retryClaim ?? null,
          provider: meta.provider ?? null,
          signatures: JSON.parse(r.signatures) as SignatureVerdict[],
          verdict: r.verdict as Verdict | null,
          forward: r.forward === null ? null : (JSON.parse(r.forward) as WalkedCapture['forward']),
        });
      }
      return out;
    },
  };
}
