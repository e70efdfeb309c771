import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { legacyTokenCookieName } from './security.js';

/** The inspector's Content-Security-Policy: its own scripts only, no inline code. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': UI_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** What the UI routes need from the app. */
export interface UiDeps {
  /** Absolute path of the built inspector (`dist/web`), or null when there is none. */
  webRoot: string | null;
}

/** A file inside `root`, or null for anything that escapes it or is not a file. */
async function fileIn(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = resolve(root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    return (await stat(full)).isFile() ? full : null;
  } catch {
    return null;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>hookbin</title>
<p>The inspector is not built. Run <code>npm run build</code>, then reload.</p>`;

/**
 * The inspector: static files from `webRoot`, and `index.html` for every
 * other GET (SPA fallback). Nothing here redirects, and nothing here reads or
 * sets the token: the banner URL `/?token=T` is the page itself, whose script
 * keeps the token in this origin's localStorage and drops it from the
 * address bar. Opened that way, the page expires the cookie hookbin 0.1 set,
 * so an older browser profile stops sending it to the bins.
 */
export function createUi(deps: UiDeps) {
  const root = deps.webRoot ? resolve(deps.webRoot) : null;
  return new Hono().get('*', async (c) => {
    const withToken = c.req.query('token') !== undefined;
    if (withToken) deleteCookie(c, legacyTokenCookieName(c.req.url), { path: '/' });
    if (!root) return c.html(NOT_BUILT, 503, SECURITY_HEADERS);
    const asset = await fileIn(root, c.req.path);
    // A missing file with an extension is a broken link, not a page of the app.
    if (!asset && extname(c.req.path) !== '') return c.text('not found', 404, SECURITY_HEADERS);
    const file = asset ?? (await fileIn(root, '/index.html'));
    if (!file) return c.html(NOT_BUILT, 503, SECURITY_HEADERS);
    const hashed = asset !== null && asset.startsWith(join(root, 'assets') + sep);
    return c.body(new Uint8Array(await readFile(file)), 200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      // A page whose address holds the token is not kept in any cache.
      'Cache-Control': withToken ? 'no-store' : hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });
}
