/**
 * Fields of the Answers tab's forms, pure: numbers, outcomes and header
 * lines from the text typed, each check with the server's limits.
 */
import { answerHeaderProblem } from '../../../../server/common/http-syntax.js';
import { MAX_RESPOND_HEADERS } from '../../../../server/common/limits.js';
import type { Outcome } from '../../../../server/common/types.js';

/** A whole number in [min, max] from an input's text, or null. */
export function parseIntIn(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

/** A status (200–599), `reset` or `hang` from what was typed, or null. */
export function parseOutcome(text: string): Outcome | null {
  const t = text.trim().toLowerCase();
  if (t === 'reset' || t === 'hang') return t;
  return parseIntIn(t, 200, 599);
}

/**
 * Header lines to a record, or a sentence: each line `Name: value`, a header
 * the API takes (`answerHeaderProblem`, the server's own check), each name
 * once (any case), at most `MAX_RESPOND_HEADERS`. Blank lines are skipped.
 */
export function parseHeaderLines(text: string, where = 'Headers'): Record<string, string> | string {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon === -1) return `${where}: "${line.slice(0, 40)}" needs a colon: Name: value.`;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    const problem = answerHeaderProblem(name, value);
    if (problem !== null) return `${where}: ${problem}.`;
    if (lower === '__proto__') return `${where}: "__proto__" is not allowed as a name.`;
    if (seen.has(lower)) return `${where}: ${name} is given twice.`;
    seen.add(lower);
    out[name] = value;
  }
  if (seen.size > MAX_RESPOND_HEADERS) return `${where}: at most ${MAX_RESPOND_HEADERS} headers.`;
  return out;
}

/** Headers as the form shows them: one `Name: value` a line. */
export function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([n, v]) => `${n}: ${v}`)
    .join('\n');
}
