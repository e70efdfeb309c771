/**
 * The store: one SQLite connection (connection.ts) and a repository per
 * aggregate over it, each with its own prepared statements: bins, captures,
 * bodies, events, the outbox, meta, the export walk and the import writer, search (and its
 * background indexer), and the capture writer that alone owns the group commit. Consumers take the
 * narrow repository they use
 * (\`Bins\`, \`CaptureWriter\`, \`Outbox\`…); \`openStore\` gives them all as one
 * object, whose \`close\` shuts them down in order.
 */
import { createBins, type Bins } from './bins.js';
import { createBodies, type Bodies } from './bodies.js';
import { createCaptureImport, type CaptureImport } from './capture-import.js';
import { createCaptureWalk, type CaptureWalk } from './capture-walk.js';
import { createCaptureWriter, type CaptureWriter, type CaptureWriterOptions } from './capture-writer.js';
import { createCaptures, type Captures } from './captures.js';
import { openDatabase } from './connection.js';
import { createEvents, type Events } from './events.js';
import { createMeta, type Meta } from './meta.js';
import { createOutbox, type Outbox } from './outbox.js';
import { createRetention, type RetentionLimits } from './retention.js';
import { createSearch, type Search, type SearchPage } from './search.js';

export * from './records.js';
export type { Bins, Bodies, CaptureImport, CaptureWalk, CaptureWriter, Captures, Events, Meta, Outbox, Search, SearchPage };
export type { ImportedCapture } from './capture-import.js';
export type { WalkedCapture, WalkLimits } from './capture-walk.js';

/** Options of `openStore`: where the database is, what retention keeps, and how captures are made durable. */
export interface StoreOptions extends RetentionLimits, CaptureWriterOptions {
  /** SQLite file path, or null for an in-memory database (`--memory`). */
  file: string | null;
}

/** Every repository of the store over one connection, and closing it. */
export interface Store extends Bins, Captures, Bodies, Events, Outbox, Meta, CaptureWriter, CaptureWalk, CaptureImport, Search {
  /** Closes the database; later calls throw. Safe to call twice. */
  close(): void;
}

/**
 * Opens (creating and migrating if needed) the SQLite database in WAL mode
 * and returns the store. Throws when the file cannot be opened or written.
 */
export function openStore(options: StoreOptions): Store {
  const db = openDatabase(options.file);
  const bodies = createBodies(db);
  const retention = createRetention(db, options);
  const writer = createCaptureWriter(db, retention, options);
  const search = createSearch(db, options);
  let closed = false;
  return {
    ...createBins(db),
    ...createCaptures(db, bodies),
    getBody: bodies.getBody,
    bodyLayout: bodies.bodyLayout,
    readBodyPart: bodies.readBodyPart,
    ...createEvents(db),
    ...createOutbox(db),
    ...createMeta(db),
    ...createCaptureWalk(db, bodies),
    ...createCaptureImport(db, retention),
    addCapture: writer.addCapture,
    searchCaptures: search.searchCaptures,
    indexAll: search.indexAll,
    close() {
      if (closed) return;
      closed = true;
      // The search indexer works between captures; it stops before they are flushed.
      search.close();
      // The writer first: what it holds is written, synced and answered before the database goes.
      writer.close();
      db.close();
    },
  };
}
