import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { CaptureEvent, CaptureResponse, HeaderPair, OutboxState, SendErrorKind } from '../common/types.js';
import type { BinSettings } from '../capture/settings.js';
import type { SchemeId, SignatureVerdict } from '../verify/index.js';
import { createWalSync, type WalSync } from './walsync.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';

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
  /** The app's reply to the live forward, or null when the capture was not forwarded. */
  forward: ForwardRecord | null;
}

/** A reply from a target as stored: the first bytes of the body and how many arrived. */
export interface ReplyRecord {
  headers: HeaderPair[];
  /** At most the sender's cap (1 MiB). */
  body: Buffer;
  /** Bytes received before reading stopped, or the declared Content-Length when larger (not for a HEAD reply or a 204/205/304, which have no body). */
  size: number;
  /** Bytes were left unread: more arrived than the cap, or a body's Content-Length says more than was kept. */
  truncated: boolean;
}

/** The result of forwarding one capture to the developer's app. */
export interface ForwardRecord {
  url: string;
  /** ms since the epoch */
  at: number;
  status: number | null;
  response: ReplyRecord | null;
  durationMs: number;
  error: SendErrorKind | 'loop' | 'truncated' | null;
  errorMessage: string | null;
  relayed: boolean;
}

/** One signature an outbound delivery carries; `secret` is the value and never leaves the server. */
export interface SignSpec {
  scheme: SchemeId;
  secret: string;
  /** The configured secret's name when it was given by name, else null (a literal value). */
  secretName: string | null;
}

/** When an outbound delivery is attempted. */
export interface RetrySpec {
  /** The preset the schedule came from, or null for an explicit one. */
  preset: string | null;
  /** The wait before each attempt, ms, before `timeScale`: the first usually 0. */
  schedule: number[];
  /** Waits are divided by this (60: 30 s become 0.5 s). */
  timeScale: number;
  /** How long one attempt may take, ms (not scaled). */
  timeoutMs: number;
}

/** An outbound delivery as the sender queues it. */
export interface NewDelivery {
  id: string;
  kind: 'send' | 'resend';
  sourceCaptureId: string | null;
  /** ms since the epoch */
  createdAt: number;
  method: string;
  url: string;
  /** Before signing. */
  headers: HeaderPair[];
  body: Uint8Array;
  sign: SignSpec[];
  /** The delivery id schemes that send one (webhook-id, X-GitHub-Delivery…) sign with, the same for every attempt. */
  signId: string;
  retry: RetrySpec;
  /** When the first attempt is due, ms since the epoch. */
  nextAt: number;
  /** Attempts skip verifying the target's TLS certificate (a self-signed local app). */
  insecure: boolean;
}

/** A stored outbound delivery without its body and attempts. */
export interface DeliveryRecord extends Omit<NewDelivery, 'body' | 'nextAt'> {
  seq: number;
  state: OutboxState;
  updatedAt: number;
  /** When the next attempt is due; null once finished. */
  nextAt: number | null;
  attemptCount: number;
  lastStatus: number | null;
  lastError: SendErrorKind | null;
  bodySize: number;
}

/** One attempt of a delivery as stored. */
export interface AttemptRecord {
  n: number;
  /** ms since the epoch, when the request started */
  at: number;
  durationMs: number;
  status: number | null;
  error: SendErrorKind | null;
  errorMessage: string | null;
  /** Exactly as sent. */
  request: { method: string; url: string; headers: HeaderPair[] };
  response: ReplyRecord | null;
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

/**
 * Bodies are stored in parts of this many bytes (the first in `bodies`, the
 * rest in `body_parts`), so that SQLite's own copies of what it writes stay
 * small next to a large body (migration 006).
 */
export const BODY_PART_BYTES = 1024 * 1024;

/** The most attempts of one event the store reads back; a flood of one key cannot make a list huge. */
export const MAX_EVENT_ATTEMPTS = 500;

/** Where a stored body lies: see `Store.bodyLayout`. */
export interface BodyLayout {
  /** The capture's row number, which `readBodyPart` reads by. */
  seq: number;
  /** Stored bytes, every part together (at most `--max-body`; less than the request's when truncated). */
  size: number;
  /** The request's Content-Type header, or null when it had none. */
  contentType: string | null;
  /** Bytes in each part, part 0 (`bodies.data`) first; they add up to `size`. */
  parts: number[];
}

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
  /**
   * How committed capture batches are made durable (file databases only);
   * `createWalSync` unless a test substitutes its own.
   */
  walSync?: (dbFile: string) => WalSync;
  /**
   * After how many captures since opening a file database its WAL
   * checkpoints move to a worker thread (checkpointer.ts); null: never.
   * Short sessions and tests never pay for the thread.
   */
  checkpointAfter?: number | null;
}

/** How often the checkpointer copies the WAL back into the database. */
const CHECKPOINT_EVERY_MS = 200;
/** SQLite's own checkpoint while the checkpointer runs: a backstop (pages, ~80 MB). */
const BACKSTOP_CHECKPOINT_PAGES = 20_000;
/** SQLite's default, restored if the checkpointer stops. */
const DEFAULT_CHECKPOINT_PAGES = 1000;

/** The narrow persistence API over prepared statements. */
export interface Store {
  /** Creates a bin. Throws `BinExistsError` when the id is taken. */
  createBin(bin: { id: string; name: string; createdAt: number; settings: BinSettings }): BinRecord;
  /** The bin, or undefined when there is none with that id. */
  getBin(id: string): BinRecord | undefined;
  /**
   * The bin's settings for the capture path, or undefined when there is no
   * such bin. Kept in memory: the same object is returned until the settings
   * change (so callers may cache what they derive from it by identity); a
   * change through `updateBin` shows at once, one by another process within
   * a millisecond.
   */
  binSettings(id: string): BinSettings | undefined;
  /** All bins, oldest first; empty when there are none. */
  listBins(): BinRecord[];
  /** Changes name and/or settings; returns the updated bin, or undefined when missing (nothing written). */
  updateBin(id: string, change: { name?: string; settings?: BinSettings }): BinRecord | undefined;
  /** Deletes a bin with all its captures; false when it did not exist. */
  deleteBin(id: string): boolean;
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
   * Where a capture's stored body lies, without reading it: its size, its
   * Content-Type and the length of each stored part in order (part 0 first),
   * or undefined when the capture is missing. Read the bytes with `readBodyPart`.
   */
  bodyLayout(id: string): BodyLayout | undefined;
  /**
   * `length` bytes of part `part` of the body stored at `seq`, from `offset`
   * within the part, or undefined when the capture is gone (deleted or pruned
   * since its layout was read).
   */
  readBodyPart(seq: number, part: number, offset: number, length: number): Buffer | undefined;
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
  /**
   * Stores the app's reply to a capture's live forward, and, when the reply
   * was relayed to the provider, what hookbin answered instead of the bin's
   * own answer (status and response). False when the capture is gone
   * (deleted or pruned meanwhile): nothing is written.
   */
  setCaptureForward(id: string, forward: ForwardRecord, answered?: CaptureResponse): boolean;
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
  /** Deletes one capture; returns its bin id, or undefined when missing. */
  deleteCapture(id: string): string | undefined;
  /** Deletes every capture of a bin; returns how many (0 for an unknown bin). */
  clearCaptures(binId: string): number;
  /** Closes the database; later calls throw. Safe to call twice. */
  close(): void;
}

/**
 * The numbered migrations beside this module: `./migrations/` from the source
 * and the compiled module (`dist/server/store/`), `./store/migrations/` from
 * the bundle the CLI runs (`dist/server/hookbin.mjs`).
 */
const MIGRATIONS_DIR =
  [new URL('./migrations/', import.meta.url), new URL('./store/migrations/', import.meta.url)].find((dir) => existsSync(dir)) ??
  new URL('./migrations/', import.meta.url);

/** Applies the numbered `.sql` migrations that `PRAGMA user_version` says are new. */
function migrate(db: Database.Database): void {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  // Two files with one number would leave the second silently unapplied
  // (user_version already says it ran), e.g. after two branches each added one.
  const numbers = files.map((f) => f.slice(0, 3));
  const twice = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`two migrations are numbered ${twice}: ${files.filter((f) => f.startsWith(twice)).join(', ')}`);
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

interface VerifyRow {
  seq: number;
  bin_id: string;
  received_at: number;
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
}

/** Every column of `outbox` but the body. */
const DELIVERY_COLUMNS =
  'seq, id, kind, source_capture_id, created_at, updated_at, state, next_at, method, url, headers, sign, sign_id, retry, attempt_count, last_status, last_error, body_size, insecure';

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
    forward: forwardFromJson(row.forward ?? null),
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
    // FULL: what the store writes must survive a power cut, not only a crash.
    // Capture batches get the same guarantee with the sync off the main thread (walsync.ts).
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
    binSettings: db.prepare<[string], string>('SELECT settings FROM bins WHERE id = ?').pluck(),
    listEventKeys: db.prepare<[string, number, number], { event_key: string; last: number }>(
      `SELECT event_key, MAX(seq) AS last FROM captures WHERE bin_id = ?
       GROUP BY event_key HAVING last < ? ORDER BY last DESC LIMIT ?`,
    ),
    // Only the two fields of the stored answer a timeline needs: the answer's body (up to 1 MiB) stays in SQLite.
    eventAttempts: db.prepare<
      [string, string, number],
      { id: string; seq: number; received_at: number; attempt: number; status: number | null; event_type: string | null; fault: 'reset' | 'hang' | null; delay_ms: number | null }
    >(
      `SELECT id, seq, received_at, attempt, status, event_type, fault, delay_ms FROM (
         SELECT id, seq, received_at, attempt, status, event_type,
                json_extract(response, '$.fault') AS fault, json_extract(response, '$.delayMs') AS delay_ms
         FROM captures WHERE bin_id = ? AND event_key = ? ORDER BY seq DESC LIMIT ?
       ) ORDER BY seq`,
    ),
    insertBody: db.prepare<[number | bigint, Uint8Array]>('INSERT INTO bodies (seq, data) VALUES (?, ?)'),
    insertPart: db.prepare<[number | bigint, number, Uint8Array]>('INSERT INTO body_parts (seq, part, data) VALUES (?, ?, ?)'),
    bodyParts: db.prepare<[number], Buffer>('SELECT data FROM body_parts WHERE seq = ? ORDER BY part').pluck(),
    // length() of a blob reads the record header only, not the bytes.
    bodyHead: db.prepare<[string], { seq: number; first: number; stored_size: number; content_type: string | null }>(
      'SELECT c.seq, length(b.data) AS first, c.stored_size, c.content_type FROM captures c JOIN bodies b ON b.seq = c.seq WHERE c.id = ?',
    ),
    partLengths: db.prepare<[number], number>('SELECT length(data) FROM body_parts WHERE seq = ? ORDER BY part').pluck(),
    // substr() of a blob is a blob: a hex page reads 4 KiB, not its 1 MiB part.
    firstSlice: db.prepare<[number, number, number], Buffer>('SELECT substr(data, ?, ?) FROM bodies WHERE seq = ?').pluck(),
    partSlice: db.prepare<[number, number, number, number], Buffer>('SELECT substr(data, ?, ?) FROM body_parts WHERE seq = ? AND part = ?').pluck(),
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
    toVerifyInBin: db.prepare<[string, number, number], VerifyRow>(
      `SELECT c.seq, c.bin_id, c.received_at, c.headers, c.stored_size, b.data FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.bin_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ?`,
    ),
    toVerifyAll: db.prepare<[number, number], VerifyRow>(
      `SELECT c.seq, c.bin_id, c.received_at, c.headers, c.stored_size, b.data FROM captures c JOIN bodies b ON b.seq = c.seq
       WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
    ),
    setVerdict: db.prepare<[string, string | null, number]>('UPDATE captures SET signatures = ?, verdict = ? WHERE seq = ?'),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getCapture: db.prepare<[string], CaptureRow>('SELECT * FROM captures WHERE id = ?'),
    getBody: db.prepare<[string], { seq: number; data: Buffer; stored_size: number; content_type: string | null }>(
      'SELECT c.seq, b.data, c.stored_size, c.content_type FROM captures c JOIN bodies b ON b.seq = c.seq WHERE c.id = ?',
    ),
    captureBin: db.prepare<[string], { bin_id: string }>('SELECT bin_id FROM captures WHERE id = ?'),
    deleteCapture: db.prepare<[string]>('DELETE FROM captures WHERE id = ?'),
    setForward: db.prepare<[string, string]>('UPDATE captures SET forward = ? WHERE id = ?'),
    setForwardAnswered: db.prepare<[string, number | null, string, string]>('UPDATE captures SET forward = ?, status = ?, response = ? WHERE id = ?'),
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
      `INSERT INTO outbox_attempts (outbox_seq, n, at, duration_ms, status, error, error_message, request, response_headers, response_body, response_size, response_truncated)
       VALUES (@seq, @n, @at, @durationMs, @status, @error, @errorMessage, @request, @responseHeaders, @responseBody, @responseSize, @responseTruncated)`,
    ),
    advanceDelivery: db.prepare(
      `UPDATE outbox SET state = @state, next_at = @nextAt, updated_at = @at, attempt_count = attempt_count + 1,
         last_status = @status, last_error = @error, stored_bytes = stored_bytes + @replyBytes WHERE seq = @seq AND state = 'pending'`,
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
    clearCaptures: db.prepare<[string]>('DELETE FROM captures WHERE bin_id = ?'),
  };

  /**
   * One capture, inside `writeBatch`'s transaction. What can fail for this row
   * alone (its bin is gone, its answer throws) is found out before it writes
   * anything, so it is rejected alone with nothing to undo. An error while
   * writing throws and takes the whole batch with it: rarer than a savepoint
   * per row (two more statements each) is worth.
   */
  function writeOne(input: NewCapture): AddedCapture | RowFailure {
    let count: { capture_count: number } | undefined;
    let attempt: number;
    let response: CaptureResponse;
    try {
      count = stmt.binCount.get(input.binId);
      if (!count) throw new BinGoneError(input.binId);
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
      JSON.stringify({ httpVersion: input.httpVersion }),
      JSON.stringify(input.signatures),
      input.verdict,
      input.event.key,
      input.event.type,
      attempt,
    );
    // In parts of BODY_PART_BYTES (views, not copies): see migration 006.
    const body = input.body;
    stmt.insertBody.run(info.lastInsertRowid, body.byteLength > BODY_PART_BYTES ? body.subarray(0, BODY_PART_BYTES) : body);
    for (let at = BODY_PART_BYTES, part = 1; at < body.byteLength; at += BODY_PART_BYTES, part++) {
      stmt.insertPart.run(info.lastInsertRowid, part, body.subarray(at, at + BODY_PART_BYTES));
    }
    const excess = count.capture_count + 1 - options.maxCapturesPerBin;
    let pruned = 0;
    if (excess > 0) {
      pruned = stmt.pruneOldest.run(input.binId, excess).changes;
      stmt.addPruned.run(pruned, input.binId);
    }
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
  }

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
      });
      stmt.advanceDelivery.run({
        seq: row.seq,
        state: next.state,
        nextAt: next.nextAt,
        at: a.at + a.durationMs,
        status: a.status,
        error: a.error,
        replyBytes: a.response ? a.response.body.length : 0,
      });
      return toDelivery(stmt.getDelivery.get(id)!);
    },
  );

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
    const results = batch.map((p) => writeOne(p.input));
    // The size cap is checked once per batch (measuring the file is a query of
    // its own); what it prunes is reported with each bin's last capture here.
    const stored = results.filter((r): r is AddedCapture => !(r instanceof RowFailure));
    if (stored.length > 0) {
      const perBin = pruneToSize(stored[0]!.capture.seq);
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
      if (!closed) flush();
    });
  }

  const writeVerdicts = db.transaction((updates: readonly { seq: number; signatures: SignatureVerdict[]; verdict: Verdict | null }[]) => {
    for (const u of updates) stmt.setVerdict.run(JSON.stringify(u.signatures), u.verdict, u.seq);
  });

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
    };
  }

  const pageSize = db.pragma('page_size', { simple: true }) as number;
  /** Bytes in use: pages minus free ones (freed pages are reused, so the file stops growing here). */
  // Prepared once: db.pragma() compiles its statement on every call, and this runs per capture.
  const usedPages = db.prepare<[], number>('SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())').pluck();
  const usedBytes = () => usedPages.get()! * pageSize;

  /**
   * Keeps the database under `maxDbBytes` by pruning the oldest captures of
   * any bin (never those from `keepFrom` on: the batch being stored),
   * counting them in each bin's `prunedCount`. Returns how many it pruned per bin.
   */
  function pruneToSize(keepFrom: number): Map<string, number> {
    const perBin = new Map<string, number>();
    const max = options.maxDbBytes;
    if (max === undefined || max === null) return perBin;
    while (usedBytes() > max) {
      const gone = stmt.pruneGlobal.all(keepFrom, 50);
      if (gone.length === 0) break;
      const round = new Map<string, number>();
      for (const g of gone) round.set(g.bin_id, (round.get(g.bin_id) ?? 0) + 1);
      for (const [bin, n] of round) {
        stmt.addPruned.run(n, bin);
        perBin.set(bin, (perBin.get(bin) ?? 0) + n);
      }
    }
    return perBin;
  }

  /**
   * A stored body: its first part, joined with the rest when there is more.
   * The parts are copied one at a time into one buffer, so reading a body
   * costs its size once (not the parts and then their concatenation).
   */
  function wholeBody(seq: number, first: Buffer, storedSize: number): Buffer {
    if (first.byteLength >= storedSize) return first;
    const out = Buffer.allocUnsafe(storedSize);
    let at = first.copy(out, 0);
    for (const part of stmt.bodyParts.iterate(seq)) at += part.copy(out, at);
    return at === storedSize ? out : out.subarray(0, at);
  }

  let closed = false;
  // Parsed settings by bin, for the capture path: no query and no JSON.parse
  // per request. This connection's own changes drop an entry (updateBin,
  // deleteBin); another connection's commits (a second hookbin on this data
  // dir, say) show in PRAGMA data_version, checked at most once a millisecond,
  // and drop them all.
  const settingsCache = new Map<string, BinSettings>();
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  let seenVersion = -1;
  let checkedAt = -Infinity;

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
    binSettings(id) {
      const now = performance.now();
      if (now - checkedAt >= 1) {
        checkedAt = now;
        const version = dataVersion.get()!;
        if (version !== seenVersion) {
          seenVersion = version;
          settingsCache.clear();
        }
      }
      const cached = settingsCache.get(id);
      if (cached) return cached;
      const text = stmt.binSettings.get(id);
      if (text === undefined) return undefined;
      const settings = JSON.parse(text) as BinSettings;
      settingsCache.set(id, settings);
      return settings;
    },
    listBins() {
      return stmt.listBins.all().map(toBin);
    },
    updateBin(id, change) {
      const row = stmt.getBin.get(id);
      if (!row) return undefined;
      const current = toBin(row);
      stmt.updateBin.run(change.name ?? current.name, JSON.stringify(change.settings ?? current.settings), id);
      settingsCache.delete(id);
      return toBin(stmt.getBin.get(id)!);
    },
    deleteBin(id) {
      settingsCache.delete(id);
      return stmt.deleteBin.run(id).changes > 0;
    },
    addCapture(input) {
      if (closed) return Promise.reject(new TypeError('The database connection is not open'));
      return new Promise<AddedCapture>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          // setImmediate runs after this turn's I/O callbacks: every request whose
          // body completed in this turn is queued by then and joins the batch.
          setImmediate(flush);
        }
      });
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
      return row && { data: wholeBody(row.seq, row.data, row.stored_size), contentType: row.content_type };
    },
    bodyLayout(id) {
      const head = stmt.bodyHead.get(id);
      if (!head) return undefined;
      const parts = head.first >= head.stored_size ? [head.first] : [head.first, ...stmt.partLengths.all(head.seq)];
      return { seq: head.seq, size: head.stored_size, contentType: head.content_type, parts };
    },
    readBodyPart(seq, part, offset, length) {
      const bytes = part === 0 ? stmt.firstSlice.get(offset + 1, length, seq) : stmt.partSlice.get(offset + 1, length, seq, part);
      return bytes ?? undefined;
    },
    capturesToVerify(binId, afterSeq, limit) {
      const rows = binId === null ? stmt.toVerifyAll.all(afterSeq, limit) : stmt.toVerifyInBin.all(binId, afterSeq, limit);
      return rows.map((r) => ({
        seq: r.seq,
        binId: r.bin_id,
        receivedAt: r.received_at,
        headers: JSON.parse(r.headers) as HeaderPair[],
        body: wholeBody(r.seq, r.data, r.stored_size),
      }));
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
    setCaptureForward(id, forward, answered) {
      const json = forwardToJson(forward);
      const info = answered
        ? stmt.setForwardAnswered.run(json, answered.status, JSON.stringify(answered), id)
        : stmt.setForward.run(json, id);
      return info.changes > 0;
    },
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
      db.close();
    },
  };
}
