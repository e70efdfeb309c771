/**
 * WAL checkpoints on a thread of their own.
 *
 * SQLite copies the WAL back into the database file (a checkpoint) from
 * inside a COMMIT once the WAL passes `wal_autocheckpoint` pages, and
 * better-sqlite3 runs COMMIT on the main thread: every ~1,000 captures all
 * request handling stopped while pages were copied and two fsyncs ran, which
 * cost the capture path more wall time than writing the rows did.
 *
 * Here a worker thread with its own connection runs a PASSIVE checkpoint
 * every `everyMs`: it copies what is committed without waiting for or
 * blocking the writer, and syncs the WAL before and the database after, as
 * any checkpoint does. Under steady writes such a checkpoint never quite
 * catches up, and SQLite only starts the WAL over once one has; so the main
 * connection keeps a high `wal_autocheckpoint` as a backstop, and its rare
 * checkpoint then has only the last few hundred milliseconds to copy.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A running checkpointer. */
export interface Checkpointer {
  /** Stops the timer and closes the worker's connection (asynchronously); safe to call twice. */
  close(): void;
}

// CommonJS, evaluated in the worker: no file of its own to find after bundling.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
// A checkpoint syncs the WAL before copying and the database after only at NORMAL or above.
db.pragma('synchronous = FULL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failed: the next round, or the writer's own backstop checkpoint, does it.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Starts checkpointing the WAL of the SQLite database `file` every `everyMs`
 * on a worker thread. The worker never keeps the process alive. `onExit` is
 * called if the worker ends without being closed (the caller then restores
 * SQLite's own checkpoints).
 */
export function startCheckpointer(file: string, everyMs: number, onExit: (err: Error | null) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, everyMs },
    // It holds one connection and a timer; keep its heap (and the RSS) small.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  let closed = false;
  const ended = (err: Error | null) => {
    if (closed) return;
    closed = true;
    onExit(err);
  };
  worker.once('error', ended);
  worker.once('exit', () => ended(null));
  return {
    close() {
      if (closed) return;
      closed = true;
      worker.postMessage('close');
    },
  };
}
