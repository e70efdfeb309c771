/** The `meta` table: a few named values hookbin keeps about itself (e.g. which secrets verdicts were judged with). */
import type Database from 'better-sqlite3';

/** Named values of the `meta` table. */
export interface Meta {
  /** A value of the `meta` table, or undefined when unset. */
  getMeta(key: string): string | undefined;
  /** Sets a value of the `meta` table. */
  setMeta(key: string, value: string): void;
}

/** The `meta` repository over `db`. */
export function createMeta(db: Database.Database): Meta {
  const stmt = {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
  return {
    getMeta(key) {
      return stmt.getMeta.get(key)?.value;
    },
    setMeta(key, value) {
      stmt.setMeta.run(key, value);
    },
  };
}
