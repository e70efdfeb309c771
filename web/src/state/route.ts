/**
 * The inspector's address: `#/binId`, `#/binId/captureId` or `#/binId/!view`,
 * so a reload (or a shared link) opens the same place. Links are typed and
 * pasted by people: whatever the hash holds, reading it never throws.
 */
import { VIEWS, type View } from './model.js';

/** Where a hash points; every part null when it names nothing. */
export interface HashRoute {
  bin: string | null;
  capture: string | null;
  view: View | null;
}

/** `decodeURIComponent`, or null for malformed percent-encoding (`%`, `%zz`, a lone surrogate). */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Reads a location hash. A part that does not decode names nothing: a bad
 * bin opens the default view, a bad capture or view opens the bin's list.
 */
export function parseHash(hash: string): HashRoute {
  const [, rawBin = '', rawRest = ''] = hash.split('/');
  const bin = safeDecode(rawBin) || null;
  if (bin === null) return { bin: null, capture: null, view: null };
  const rest = safeDecode(rawRest) ?? '';
  if (rest.startsWith('!')) return { bin, capture: null, view: VIEWS.find((v) => v === rest.slice(1)) ?? null };
  return { bin, capture: rest || null, view: null };
}

/** The hash for a place: the inverse of `parseHash` (`captures` is the bin's default view). */
export function formatHash(bin: string | null, capture: string | null, view: View): string {
  if (!bin) return '';
  const rest = view !== 'captures' ? `/!${view}` : capture ? `/${encodeURIComponent(capture)}` : '';
  return `#/${encodeURIComponent(bin)}${rest}`;
}
