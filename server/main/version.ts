import { readFileSync } from 'node:fs';

/**
 * hookbin's version from its package.json. The source sits two folders deep
 * (`server/main`), the compiled file three (`dist/server/main`) and the
 * bundle two (`dist/server/*.mjs`, where this code runs as written), so
 * each place is tried, nearest first, and only a package.json named "hookbin"
 * counts.
 */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hookbin' && pkg.version) return pkg.version;
    } catch {
      // not here; try the next place
    }
  }
  return '0.0.0';
}

/** The running hookbin's version. */
export const VERSION = readVersion();
