/**
 * Capture search: the full-text index of migration 010 (SQLite FTS5, trigram
 * tokenizer) and the indexer that fills it. The capture path never waits for
 * it: committed captures are indexed afterwards, in seq order, by a loop that
 * works while the capture path is quiet (bounded work per tick), and a search
 * first indexes whatever is left up to the newest capture, so it sees
 * everything stored before it began. Deleting a capture queues its text
 * for removal (a trigger of migration 010, whoever deletes it), and the
 * indexer removes what is queued in batches, off the capture path.
 */
import type Database from 'better-sqlite3';
import type { HeaderPair } from '../common/types.js';
import { SUMMARY_COLUMNS, toSummary, type SummaryRow } from './captures.js';
import type { CaptureSummaryRecord, Verdict } from './records.js';
import { SEARCH_BODY_BYTES, SEARCH_COMPRESSED_BYTES, searchText } from './search-text.js';

/** A page of search results: as `listCaptures` pages, and how many of the bin's captures were not searchable yet. */
export interface SearchPage {
  captures: CaptureSummaryRecord[];
  next: number | null;
  /** Captures of the bin not indexed yet (only after an upgrade indexes a large database): 0 when the page covers them all. */
  pending: number;
}

/** Searching captures. */
export interface Search {
  /**
   * A bin's captures whose text holds every one of `terms` (substrings of at
   * least 3 characters, case-insensitive; common/search.ts reads them from
   * the user's text), newest first, paged and filtered as `listCaptures`.
   * Indexes what is not indexed yet first, for up to `CATCH_UP_MS`.
   */
  searchCaptures(
    binId: string,
    opts: { terms: readonly string[]; limit: number; before?: number; verdict?: Verdict | 'unsigned' },
  ): Promise<SearchPage>;
  /** Indexes every capture committed so far; resolves when done (tests, the bench). */
  indexAll(): Promise<void>;
}

/** Where the indexer got to, in `meta`. */
export const INDEXED_TO_KEY = 'search.indexedTo';
/** How often the background indexer looks for work. */
const TICK_MS = 50;
/** The most time one background tick spends indexing while the capture path is quiet. */
const TICK_BUDGET_MS = 20;
/** How long no capture must have arrived for the capture path to count as quiet (a loaded machine stalls a sender for a tick or two). */
const QUIET_MS = 300;
/**
 * While captures keep arriving, BUSY_BATCH_ROWS captures every BUSY_EVERY_MS,
 * in batches that let captures in between (a steady trickle is kept up with; a
 * flood waits for a quiet moment or a search).
 */
const BUSY_BATCH_ROWS = 64;
const BUSY_EVERY_MS = 1000;
/** The most deleted captures' rows removed from the index in one transaction. */
const PURGE_ROWS = 1000;
/**
 * The most captures one batch (one transaction) indexes, and the most text
 * characters (at least one capture's). Writing text to the trigram index is
 * what costs, tens of milliseconds per 64 KiB on a loaded 2-core machine
 * (1 MiB took over a second), and the event loop waits for the whole
 * transaction: a capture arriving meanwhile waits as long. Small batches,
 * with the event loop let in between, keep that wait short. 64 KiB is one
 * large body's searched text, so the worst batch is the same whatever the
 * bodies; smaller batches of small bodies only added transactions (each has
 * a cost of its own: 4,000 webhooks of 2 KB indexed about 30% slower at 32 KiB).
 */
const BATCH_ROWS = 256;
export const BATCH_TEXT = 64 * 1024;
/** The longest a search waits for the index to catch up before answering with `pending`. */
export const CATCH_UP_MS = 2000;

interface PendingRow {
  seq: number;
  method: string;
  path: string;
  query: string;
  headers: string;
  stored_size: number;
  first: number;
}

/** The FTS5 query for `terms`: each one a quoted string, so nothing a user types is FTS syntax; together they must all match. */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' ');
}

/**
 * The search repository and its background indexer over `db`; `close` stops
 * the indexer (before the database closes). With `maxDbBytes` (`--max-db-size`)
 * the index grows by small batches, and not at all while the database is at
 * the cap: the capture writer prunes it back first (its text with it).
 */
export function createSearch(db: Database.Database, limits: { maxDbBytes?: number | null } = {}): Search & { close(): void } {
  const search = (extra: string) =>
    db.prepare<unknown[], SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM capture_text f JOIN captures c ON c.seq = f.rowid
       WHERE capture_text MATCH ? AND f.rowid < ? AND c.bin_id = ?${extra} ORDER BY f.rowid DESC LIMIT ?`,
    );
  const stmt = {
    search: search(''),
    searchVerdict: search(' AND c.verdict = ?'),
    searchUnsigned: search(' AND c.verdict IS NULL'),
    maxSeq: db.prepare<[], number | null>('SELECT max(seq) FROM captures').pluck(),
    pendingInBin: db.prepare<[string, number, number], number>('SELECT count(*) FROM captures WHERE bin_id = ? AND seq > ? AND seq <= ?').pluck(),
    pendingRows: db.prepare<[number, number, number], PendingRow>(
      `SELECT c.seq, c.method, c.path, c.query, c.headers, c.stored_size, length(b.data) AS first
       FROM captures c JOIN bodies b ON b.seq = c.seq WHERE c.seq > ? AND c.seq <= ? ORDER BY c.seq LIMIT ?`,
    ),
    // substr() of a blob is a blob: only the bytes searched are copied out.
    bodyHead: db.prepare<[number, number], Buffer>('SELECT substr(data, 1, ?) FROM bodies WHERE seq = ?').pluck(),
    bodyParts: db.prepare<[number, number], Buffer>('SELECT data FROM body_parts WHERE seq = ? AND part <= ? ORDER BY part').pluck(),
    // Only while the capture still exists: it may have been deleted while its text was built.
    insert: db.prepare<[number, string, number]>('INSERT INTO capture_text (rowid, text) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM captures WHERE seq = ?)'),
    gone: db.prepare<[number], number>('SELECT seq FROM capture_text_gone LIMIT ?').pluck(),
    purge: db.prepare<[number]>('DELETE FROM capture_text WHERE rowid = ?'),
    unqueue: db.prepare<[number]>('DELETE FROM capture_text_gone WHERE seq = ?'),
    getMark: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMark: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');

  let indexedTo = Number(stmt.getMark.get(INDEXED_TO_KEY) ?? 0);
  const maxDb = limits.maxDbBytes ?? null;
  // An index batch of BATCH_TEXT could push a small --max-db-size far past its cap before
  // the next capture prunes: a 32nd of the cap at most (at least one capture's text).
  const batchText = maxDb === null ? BATCH_TEXT : Math.min(BATCH_TEXT, Math.floor(maxDb / 32));
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const usedPages = db.prepare<[], number>('SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())').pluck();
  /** True while the database is at --max-db-size: nothing is indexed until captures are pruned. */
  const full = () => maxDb !== null && usedPages.get()! * pageSize >= maxDb;
  let closed = false;

  const write = db.transaction((texts: readonly (readonly [number, string])[], upTo: number) => {
    for (const [seq, text] of texts) stmt.insert.run(seq, text, seq);
    stmt.setMark.run(INDEXED_TO_KEY, String(upTo));
  });

  const purgeRows = db.transaction((seqs: readonly number[]) => {
    for (const seq of seqs) {
      stmt.purge.run(seq);
      stmt.unqueue.run(seq);
    }
  });

  /** Removes the text of up to `max` deleted captures from the index, in one transaction; true when more are queued. */
  function purgeGone(max = PURGE_ROWS): boolean {
    const seqs = stmt.gone.all(max);
    if (seqs.length === 0) return false;
    syncNormal.run();
    try {
      purgeRows(seqs);
    } finally {
      syncFull.run();
    }
    return seqs.length === max;
  }

  /** The stored body's first bytes a search reads: more of it when compressed (it is decoded first). */
  function bodyStart(row: PendingRow, headers: readonly HeaderPair[]): Buffer {
    const compressed = headers.some(([n]) => n.toLowerCase() === 'content-encoding');
    const want = Math.min(row.stored_size, compressed ? SEARCH_COMPRESSED_BYTES : SEARCH_BODY_BYTES);
    const head = stmt.bodyHead.get(want, row.seq) ?? Buffer.alloc(0);
    if (want <= row.first) return head;
    // A compressed body past its first stored part (1 MiB): a few more parts, never all 25 MiB.
    const parts = stmt.bodyParts.all(row.seq, Math.ceil(SEARCH_COMPRESSED_BYTES / row.first) - 1);
    return Buffer.concat([head, ...parts]).subarray(0, want);
  }

  /** Indexes the next batch of captures (at most `maxRows`) up to seq `target`, in one transaction; returns how many (at least 1, so a caller counting down ends). */
  async function indexBatch(target: number, maxRows = BATCH_ROWS): Promise<number> {
    if (full()) return 1;
    const rows = stmt.pendingRows.all(indexedTo, target, maxRows);
    const texts: [number, string][] = [];
    let upTo = indexedTo;
    let bytes = 0;
    for (const row of rows) {
      const headers = JSON.parse(row.headers) as HeaderPair[];
      const text = await searchText({ method: row.method, path: row.path, query: row.query, headers, body: bodyStart(row, headers) });
      if (closed) return 1;
      texts.push([row.seq, text]);
      upTo = row.seq;
      bytes += text.length;
      if (bytes >= batchText) break;
    }
    // Every row up to `target` read: deleted ones in between need no text.
    if (texts.length === rows.length && rows.length < maxRows) upTo = target;
    // The index is derived data: a power cut may lose its last batch (it is redone), never corrupt it.
    syncNormal.run();
    try {
      write(texts, upTo);
    } finally {
      syncFull.run();
    }
    indexedTo = upTo;
    return Math.max(1, texts.length);
  }

  // One indexing run at a time; searches and the background loop queue behind it.
  let queue: Promise<unknown> = Promise.resolve();
  let busy = false;
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      busy = true;
      try {
        return await work();
      } finally {
        busy = false;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  /** Indexes up to the capture that is newest now, until `deadline` (ms since the epoch); returns that capture's seq. */
  async function catchUp(deadline: number): Promise<number> {
    const target = stmt.maxSeq.get() ?? 0;
    await exclusive(async () => {
      while (!closed && purgeGone() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      await indexUntil(target, deadline, Number.POSITIVE_INFINITY);
    });
    return target;
  }

  /**
   * Indexes batches up to seq `target` until `deadline` or until about `rows`
   * captures are indexed, letting the event loop run between batches (a batch
   * of plain bodies awaits nothing real, so without that captures and requests
   * would wait for every batch of the run).
   */
  async function indexUntil(target: number, deadline: number, rows: number): Promise<void> {
    for (let left = rows; !closed && indexedTo < target && left > 0 && Date.now() < deadline && !full(); ) {
      left -= await indexBatch(target, Math.min(BATCH_ROWS, left));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // The background loop: while captures keep arriving it waits (a search catches up
  // when asked), or works a little when the backlog grows long, so the capture path keeps
  // the CPU under load; when quiet it works TICK_BUDGET_MS a tick.
  let lastMax = stmt.maxSeq.get() ?? 0;
  let lastBusyRun = 0;
  let lastArrival = 0;
  const timer = setInterval(() => {
    if (busy || closed) return;
    const max = stmt.maxSeq.get() ?? 0;
    const now = Date.now();
    if (max !== lastMax) lastArrival = now;
    lastMax = max;
    const arriving = now - lastArrival < QUIET_MS;
    if (arriving && now - lastBusyRun < BUSY_EVERY_MS) return;
    if (arriving) lastBusyRun = now;
    void exclusive(async () => {
      if (arriving) {
        // As many as a busy batch indexes, and some: the rest goes when captures stop arriving.
        purgeGone(BUSY_BATCH_ROWS * 2);
        await indexUntil(max, Number.POSITIVE_INFINITY, BUSY_BATCH_ROWS);
        return;
      }
      const deadline = Date.now() + TICK_BUDGET_MS;
      while (!closed && purgeGone() && Date.now() < deadline);
      await indexUntil(max, deadline, Number.POSITIVE_INFINITY);
    }).catch(() => {
      // The next tick tries again (e.g. the disk was full for a moment).
    });
  }, TICK_MS);
  timer.unref();

  return {
    async searchCaptures(binId, { terms, limit, before, verdict }) {
      const target = await catchUp(Date.now() + CATCH_UP_MS);
      if (closed) throw new TypeError('The database connection is not open');
      const match = ftsQuery(terms);
      const from = before ?? Number.MAX_SAFE_INTEGER;
      const rows =
        verdict === undefined
          ? stmt.search.all(match, from, binId, limit + 1)
          : verdict === 'unsigned'
            ? stmt.searchUnsigned.all(match, from, binId, limit + 1)
            : stmt.searchVerdict.all(match, from, binId, verdict, limit + 1);
      const more = rows.length > limit;
      const page = (more ? rows.slice(0, limit) : rows).map(toSummary);
      return { captures: page, next: more ? page[page.length - 1]!.seq : null, pending: indexedTo >= target ? 0 : (stmt.pendingInBin.get(binId, indexedTo, target) ?? 0) };
    },
    async indexAll() {
      await catchUp(Number.POSITIVE_INFINITY);
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
