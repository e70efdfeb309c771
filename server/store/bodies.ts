/**
 * Captured bodies: stored in parts of BODY_PART_BYTES (the first in `bodies`,
 * the rest in `body_parts`, see migration 006), read whole or a slice at a
 * time. The capture writer stores them; this reads them.
 */
import type Database from 'better-sqlite3';
import type { BodyLayout } from './records.js';

/** Reading a capture's stored body. */
export interface Bodies {
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
}

/** What other repositories of the store use to read a body whole. */
export interface BodyJoiner {
  /** The body at `seq`: `first` (part 0) joined with its other parts when it is larger. */
  wholeBody(seq: number, first: Buffer, storedSize: number): Buffer;
}

/** The bodies repository over `db`. */
export function createBodies(db: Database.Database): Bodies & BodyJoiner {
  const stmt = {
    bodyParts: db.prepare<[number], Buffer>('SELECT data FROM body_parts WHERE seq = ? ORDER BY part').pluck(),
    // length() of a blob reads the record header only, not the bytes.
    bodyHead: db.prepare<[string], { seq: number; first: number; stored_size: number; content_type: string | null }>(
      'SELECT c.seq, length(b.data) AS first, c.stored_size, c.content_type FROM captures c JOIN bodies b ON b.seq = c.seq WHERE c.id = ?',
    ),
    partLengths: db.prepare<[number], number>('SELECT length(data) FROM body_parts WHERE seq = ? ORDER BY part').pluck(),
    // substr() of a blob is a blob: a hex page reads 4 KiB, not its 1 MiB part.
    firstSlice: db.prepare<[number, number, number], Buffer>('SELECT substr(data, ?, ?) FROM bodies WHERE seq = ?').pluck(),
    partSlice: db.prepare<[number, number, number, number], Buffer>('SELECT substr(data, ?, ?) FROM body_parts WHERE seq = ? AND part = ?').pluck(),
    getBody: db.prepare<[string], { seq: number; data: Buffer; stored_size: number; content_type: string | null }>(
      'SELECT c.seq, b.data, c.stored_size, c.content_type FROM captures c JOIN bodies b ON b.seq = c.seq WHERE c.id = ?',
    ),
  };

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

  return {
    wholeBody,
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
  };
}
