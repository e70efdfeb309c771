/**
 * store/sqlite.ts: connections load better-sqlite3's addon from where its
 * install put it, never through the `bindings` package's search (about
 * 10 ms of every start). Vitest runs each file in a process of its own, so
 * this file's module cache shows what opening a connection loaded.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/store/sqlite.js';

const loaded = () => Object.keys(createRequire(import.meta.url).cache);

describe('openSqlite', () => {
  it('opens a working connection with the addon named, without loading `bindings`', () => {
    const db = openSqlite(':memory:', { timeout: 100 });
    try {
      expect(db.prepare('SELECT 41 + 1 AS n').get()).toEqual({ n: 42 });
    } finally {
      db.close();
    }
    expect(loaded().some((file) => file.endsWith('better_sqlite3.node'))).toBe(true);
    expect(loaded().filter((file) => /[/\\]node_modules[/\\]bindings[/\\]/.test(file))).toEqual([]);
  });
});
