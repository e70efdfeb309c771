/**
 * Retention: the most captures a bin keeps (\`--max-captures\`) and the most
 * bytes the database may hold (\`--max-db-size\`). Both prune the oldest
 * captures and count them in their bin's \`prunedCount\`. The capture writer
 * runs them inside its transaction, so a capture and what it pushed out
 * commit together.
 */
import type Database from 'better-sqlite3';

/** The limits retention keeps. */
export interface RetentionLimits {
  /** The most captures a bin keeps; older ones are pruned. */
  maxCapturesPerBin: number;
  /** The most bytes the database's used pages may hold; undefined or null: no limit. */
  maxDbBytes?: number | null;
}

/** Pruning, for the capture writer. */
export interface Retention {
  /**
   * Prunes a bin that held \`countBefore\` captures before the one just
   * added down to the per-bin limit, oldest first; returns how many went.
   */
  pruneBin(binId: string, countBefore: number): number;
  /**
   * Keeps the database under \`maxDbBytes\` by pruning the oldest captures of
   * any bin (never those from \`keepFrom\` on: the batch being stored),
   * counting them in each bin's \`prunedCount\`. Returns how many it pruned per bin.
   */
  pruneToSize(keepFrom: number): Map<string, number>;
}

/** Retention over \`db\` with \`limits\`. */
export function createRetention(db: Database.Database, limits: RetentionLimits): Retention {
  const stmt = {
    // The newest capture to prune, then a range delete on (bin_id, seq): `seq IN (SELECT … LIMIT ?)`
    // cost about 60 µs more a capture (an ephemeral table per statement), and a bin at its limit prunes on every capture.
    lastToPrune: db.prepare<[string, number], number>('SELECT seq FROM captures WHERE bin_id = ? ORDER BY seq LIMIT 1 OFFSET ?').pluck(),
    pruneUpTo: db.prepare<[string, number]>('DELETE FROM captures WHERE bin_id = ? AND seq <= ?'),
    // The count is lowered here, not by a trigger per deleted row (migration 012).
    addPrunedStmt: db.prepare<[number, number, string]>('UPDATE bins SET pruned_count = pruned_count + ?, capture_count = capture_count - ? WHERE id = ?'),
    pruneGlobal: db.prepare<[number, number], { bin_id: string }>(
      'DELETE FROM captures WHERE seq IN (SELECT seq FROM captures WHERE seq < ? ORDER BY seq LIMIT ?) RETURNING bin_id',
    ),
  };

  const addPruned = (n: number, binId: string) => stmt.addPrunedStmt.run(n, n, binId);

  const pageSize = db.pragma('page_size', { simple: true }) as number;
  /** Bytes in use: pages minus free ones (freed pages are reused, so the file stops growing here). */
  // Prepared once: db.pragma() compiles its statement on every call, and this runs per capture.
  const usedPages = db.prepare<[], number>('SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())').pluck();
  const usedBytes = () => usedPages.get()! * pageSize;

  function pruneBin(binId: string, countBefore: number): number {
    const excess = countBefore + 1 - limits.maxCapturesPerBin;
    // Stryker disable next-line EqualityOperator: equivalent, an excess of 0 deletes `LIMIT 0` rows and adds 0 to the count
    if (excess <= 0) return 0;
    const upTo = stmt.lastToPrune.get(binId, excess - 1);
    // Stryker disable next-line ConditionalExpression: equivalent, with no row to prune the range delete deletes nothing
    if (upTo === undefined) return 0;
    const pruned = stmt.pruneUpTo.run(binId, upTo).changes;
    addPruned(pruned, binId);
    return pruned;
  }

  /**
   * Keeps the database under `maxDbBytes` by pruning the oldest captures of
   * any bin (never those from `keepFrom` on: the batch being stored),
   * counting them in each bin's `prunedCount`. Returns how many it pruned per bin.
   */
  function pruneToSize(keepFrom: number): Map<string, number> {
    const perBin = new Map<string, number>();
    const max = limits.maxDbBytes;
    // Undefined or null: no cap (`usedBytes() > null` would compare with 0 and prune everything).
    if (max == null) return perBin;
    // 1, 2, 4… up to 50 a round: large captures are not pruned 50 at a time when one
    // was enough (a round of 50 emptied a small database the cap was just past).
    for (let take = 1; usedBytes() > max; take = Math.min(50, take * 2)) {
      const gone = stmt.pruneGlobal.all(keepFrom, take);
      if (gone.length === 0) break;
      const round = new Map<string, number>();
      for (const g of gone) round.set(g.bin_id, (round.get(g.bin_id) ?? 0) + 1);
      for (const [bin, n] of round) {
        addPruned(n, bin);
        perBin.set(bin, (perBin.get(bin) ?? 0) + n);
      }
    }
    return perBin;
  }

  return { pruneBin, pruneToSize };
}
