/**
 * The one SQLite connection every repository of the store shares: opened in
 * WAL mode with FULL sync, foreign keys on, and migrated to the newest schema
 * before anything reads it.
 */
import type Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { openSqlite } from './sqlite.js';

/**
 * The numbered migrations beside this module: `./migrations/` from the source
 * and the compiled module (`dist/server/store/`), `./store/migrations/` from
 * the bundle the CLI and the Node API run (`dist/server/*.mjs`).
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

/**
 * Opens (creating and migrating if needed) the SQLite database `file`, or an
 * in-memory one for null. Throws when the file cannot be opened or written;
 * nothing is left open then.
 */
export function openDatabase(file: string | null): Database.Database {
  const db = openSqlite(file ?? ':memory:');
  try {
    db.pragma('journal_mode = WAL');
    // FULL: what the store writes must survive a power cut, not only a crash.
    // Capture batches get the same guarantee with the sync off the main thread (walsync.ts).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // --memory writes nothing to disk: SQLite's temporary tables (an import's stage, capture-import.ts) stay in memory too.
    if (file === null) db.pragma('temp_store = MEMORY');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
