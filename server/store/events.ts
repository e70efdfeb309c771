/** Events: the captures of a bin that share an event key, read as one provider's attempts at one delivery. */
import type Database from 'better-sqlite3';
import { parseRetryClaim, type RetryClaim } from '../common/retry-claim.js';
import { MAX_EVENT_ATTEMPTS, type EventRecord, type EventSender, type RetrySpec } from './records.js';

/**
 * How far a capture's time may lie outside the attempt that claims it, ms:
 * both clocks are this process's, but the attempt's start is taken before
 * the connection opens and its duration rounded.
 */
export const SENT_BY_SLACK_MS = 1000;

/** Reading a bin's events. */
export interface Events {
  /**
   * A bin's events, the one with the latest attempt first, at most `limit`,
   * those whose latest attempt is older than the `before` cursor (with
   * `retriedOnly`, only those with more than one stored attempt); each with
   * its stored attempts oldest first (the newest `MAX_EVENT_ATTEMPTS`).
   * `next` is the cursor of the following page, or null at the end. An
   * unknown bin gives an empty page.
   */
  listEvents(binId: string, opts: { limit: number; before?: number; retriedOnly?: boolean }): { events: EventRecord[]; next: number | null };
  /** One event of a bin with its attempts, or undefined when no stored capture has that key. */
  getEvent(binId: string, key: string): EventRecord | undefined;
}

interface AttemptRow {
  id: string;
  seq: number;
  received_at: number;
  attempt: number;
  status: number | null;
  event_type: string | null;
  fault: 'reset' | 'hang' | null;
  delay_ms: number | null;
  /** The attempt's `X-Hookbin-Retry` header, when it has one. */
  claim: string | null;
  /** The provider id set aside in meta when it was stored (capture/provider.ts). */
  provider: string | null;
}

/**
 * The run of `hookbin send` (or any outbox of hookbin) that made these
 * attempts, by their own word: every attempt after the first carries an
 * `X-Hookbin-Retry` naming an earlier attempt of this event (the latest one
 * whose answer named its capture: a reset or a timed-out attempt names
 * none, so the retry after it names the one before), and all say the same
 * preset and time scale. Only the sender of an attempt learns its capture id
 * (the bin's reply), so a stranger's attempt breaks the chain instead of
 * changing how the event is judged. Null for anything else.
 */
export function claimedSender(rows: readonly Pick<AttemptRow, 'id' | 'claim'>[]): EventSender | null {
  if (rows.length < 2) return null;
  const earlier = new Set([rows[0]!.id]);
  let first: RetryClaim | null = null;
  for (let i = 1; i < rows.length; i++) {
    const claim = parseRetryClaim(rows[i]!.claim);
    if (!claim || !earlier.has(claim.after)) return null;
    first ??= claim;
    if (claim.preset !== first.preset || claim.timeScale !== first.timeScale) return null;
    earlier.add(rows[i]!.id);
  }
  const { preset, timeScale } = first!;
  return { deliveryId: null, retry: { preset, timeScale } };
}

/** The events repository over `db`. */
export function createEvents(db: Database.Database): Events {
  const stmt = {
    listEventKeys: db.prepare<[string, number, number, number], { event_key: string; last: number }>(
      `SELECT event_key, MAX(seq) AS last FROM captures WHERE bin_id = ?
       GROUP BY event_key HAVING last < ? AND COUNT(*) >= ? ORDER BY last DESC LIMIT ?`,
    ),
    // Only the two fields of the stored answer a timeline needs: the answer's body (up to 1 MiB) stays in SQLite.
    eventAttempts: db.prepare<
      [string, string, number],
      AttemptRow
    >(
      `SELECT id, seq, received_at, attempt, status, event_type, fault, delay_ms, claim, provider FROM (
         SELECT id, seq, received_at, attempt, status, event_type,
                json_extract(response, '$.fault') AS fault, json_extract(response, '$.delayMs') AS delay_ms,
                -- Set aside in meta when the capture was stored (capture-writer.ts): the headers are never searched here.
                json_extract(meta, '$.retryClaim') AS claim, json_extract(meta, '$.provider') AS provider
         FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT ?
       ) ORDER BY seq`,
    ),
    // The outbox's record of which attempt made which capture, trusted only for a capture received while that attempt was out:
    // a target that is not this hookbin could name any capture id in its reply.
    sentBy: db.prepare<[number, number, string, string], { id: string; retry: string }>(
      `SELECT o.id, o.retry FROM captures c
         JOIN outbox_attempts a ON a.capture_id = c.id
         JOIN outbox o ON o.seq = a.outbox_seq
       WHERE c.received_at BETWEEN a.at - ? AND a.at + a.duration_ms + ? AND c.bin_id = ? AND c.event_key = ?
       ORDER BY c.seq LIMIT 1`,
    ),
  };

  function sentBy(binId: string, key: string): EventSender | null {
    const row = stmt.sentBy.get(SENT_BY_SLACK_MS, SENT_BY_SLACK_MS, binId, key);
    if (!row) return null;
    const { preset, timeScale } = JSON.parse(row.retry) as RetrySpec;
    return { deliveryId: row.id, retry: { preset, timeScale } };
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
        fault: r.fault,
        delayMs: r.delay_ms ?? 0,
      })),
      sentBy: sentBy(binId, key) ?? claimedSender(rows),
      provider: rows.findLast((r) => r.provider != null)?.provider ?? null,
    };
  }

  return {
    listEvents(binId, { limit, before, retriedOnly }) {
      const keys = stmt.listEventKeys.all(binId, before ?? Number.MAX_SAFE_INTEGER, retriedOnly ? 2 : 1, limit + 1);
      const more = keys.length > limit;
      const events = (more ? keys.slice(0, limit) : keys).map((k) => readEvent(binId, k.event_key)!);
      return { events, next: more ? events[events.length - 1]!.lastSeq : null };
    },
    getEvent(binId, key) {
      return readEvent(binId, key);
    },
  };
}
