/**
 * Opening a better-sqlite3 connection with its compiled addon named. Left to
 * itself, better-sqlite3 finds the addon through the `bindings` package, which
 * builds a stack trace to learn its caller and walks up for a package.json
 * before trying its list of places: about 10 ms of a start, more than loading
 * the addon.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The addon where an install of better-sqlite3 builds or downloads it, found
 * in the order `bindings` looks (build/, then build/Debug, then
 * build/Release); undefined when it is elsewhere, and then `bindings` looks.
 */
function findAddon(): string | undefined {
  try {
    const build = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3')), '..', 'build');
    return [join(build, 'better_sqlite3.node'), join(build, 'Debug', 'better_sqlite3.node'), join(build, 'Release', 'better_sqlite3.node')].find((file) => existsSync(file));
  } catch {
    return undefined;
  }
}

let addon: string | null | undefined;

/** `new Database(file, options)`, with the addon loaded from where `findAddon` finds it (once per process). */
export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  addon ??= findAddon() ?? null;
  return new Database(file, addon === null ? options : { ...options, nativeBinding: addon });
}
