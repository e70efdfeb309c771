/** Bins: their rows, and their parsed settings kept in memory for the capture path. */
import type Database from 'better-sqlite3';
import { BinExistsError, type BinRecord, type BinSettings } from './records.js';

/** A bin's row and settings. */
export interface Bins {
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
}

interface BinRow {
  id: string;
  name: string;
  created_at: number;
  settings: string;
  capture_count: number;
  pruned_count: number;
}

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

/** The bins repository over `db`. */
export function createBins(db: Database.Database): Bins {
  const stmt = {
    insertBin: db.prepare(
      'INSERT INTO bins (id, name, created_at, settings) VALUES (@id, @name, @createdAt, @settings)',
    ),
    getBin: db.prepare<[string], BinRow>('SELECT * FROM bins WHERE id = ?'),
    listBins: db.prepare<[], BinRow>('SELECT * FROM bins ORDER BY created_at, id'),
    updateBin: db.prepare<[string, string, string]>('UPDATE bins SET name = ?, settings = ? WHERE id = ?'),
    deleteBin: db.prepare<[string]>('DELETE FROM bins WHERE id = ?'),
    binSettings: db.prepare<[string], string>('SELECT settings FROM bins WHERE id = ?').pluck(),
  };
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
  };
}
