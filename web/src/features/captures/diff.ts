/**
 * Comparing two captures: header pairs, bodies as lines (a Myers diff) and
 * JSON bodies by structure. Pure and bounded: whatever two senders posted,
 * the work stops at the limits below and the result says where it stopped.
 */
import type { HeaderPair } from '../../../../server/common/types.js';
import { parseJson, type JsonNode } from './json.js';

/** Bytes of each body compared; the rest is left out, and the view says so. */
export const DIFF_MAX_BYTES = 256 * 1024;
/** Lines of each body compared line by line. */
export const DIFF_MAX_LINES = 10_000;
/** Past this many inserted and deleted lines the bodies are not aligned: the differing middle shows as removed, then added. */
export const DIFF_MAX_EDITS = 1000;
/** JSON paths listed at most. */
export const DIFF_MAX_PATHS = 500;

/** One line of a line diff: kept (`=`), only in the first body (`-`), only in the second (`+`); `a`/`b` are 1-based line numbers. */
export interface LineOp {
  op: '=' | '-' | '+';
  text: string;
  a?: number;
  b?: number;
}

export interface LineDiff {
  ops: LineOp[];
  /** Lines after `DIFF_MAX_LINES` were left out. */
  capped: boolean;
  /** More than `maxEdits` lines differ: the middle is shown as replaced rather than aligned. */
  tooDifferent: boolean;
}

const linesOf = (text: string) => (text === '' ? [] : text.split('\n'));

/**
 * The line diff of `a` and `b` (split on `\n`; an empty text has no lines):
 * Myers' shortest edit script, of at most `maxEdits` inserted and deleted
 * lines (past that, every line of `a` is removed and every line of `b` added).
 */
export function diffLines(a: string, b: string, maxLines = DIFF_MAX_LINES, maxEdits = DIFF_MAX_EDITS): LineDiff {
  const al = linesOf(a);
  const bl = linesOf(b);
  const ops = myers(al.slice(0, maxLines), bl.slice(0, maxLines), maxEdits);
  return {
    ops: ops ?? [...al.slice(0, maxLines).map((text, i): LineOp => ({ op: '-', text, a: i + 1 })), ...bl.slice(0, maxLines).map((text, i): LineOp => ({ op: '+', text, b: i + 1 }))],
    capped: al.length > maxLines || bl.length > maxLines,
    tooDifferent: !ops,
  };
}

/** Myers' O((N+M)D) diff, lines numbered from 1; null when it takes more than `maxD` edits. */
function myers(a: readonly string[], b: readonly string[], maxD: number): LineOp[] | null {
  const n = a.length;
  const m = b.length;
  const off = n + m + 1;
  const v = new Int32Array(2 * off + 1);
  // v as it was before each round d, over diagonals -d..d: enough to walk back.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(n + m, maxD); d++) {
    trace.push(v.slice(off - d, off + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) x++, y++;
      v[off + k] = x;
      if (x >= n && y >= m) return walkBack(a, b, trace, d);
    }
  }
  return null;
}

function walkBack(a: readonly string[], b: readonly string[], trace: Int32Array[], last: number): LineOp[] {
  const out: LineOp[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = last; d > 0; d--) {
    const prev = trace[d]!;
    const at = (k: number) => prev[k + d]!;
    const k = x - y;
    const pk = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px && y > py) out.push({ op: '=', text: a[--x]!, a: x + 1, b: --y + 1 });
    if (x === px) out.push({ op: '+', text: b[--y]!, b: y + 1 });
    else out.push({ op: '-', text: a[--x]!, a: x + 1 });
  }
  while (x > 0 && y > 0) out.push({ op: '=', text: a[--x]!, a: x + 1, b: --y + 1 });
  return out.reverse();
}

/** A row of the side-by-side view: a line on each side, one side only, or a run of unchanged lines folded. */
export type SideRow =
  | { t: 'same' | 'changed'; a: string; an: number; b: string; bn: number }
  | { t: 'removed'; a: string; an: number }
  | { t: 'added'; b: string; bn: number }
  | { t: 'fold'; n: number };

/**
 * The ops as side-by-side rows: a removed run next to the added run that
 * follows it is paired line by line as changed; unchanged runs longer than
 * twice `context` keep `context` lines at each end and fold the rest.
 */
export function sideBySide(ops: readonly LineOp[], context = 3): SideRow[] {
  const rows: SideRow[] = [];
  let i = 0;
  while (i < ops.length) {
    let j = i;
    if (ops[i]!.op === '=') {
      while (j < ops.length && ops[j]!.op === '=') j++;
      const run = ops.slice(i, j).map((o): SideRow => ({ t: 'same', a: o.text, an: o.a!, b: o.text, bn: o.b! }));
      if (run.length > 2 * context + 1) run.splice(context, run.length - 2 * context, { t: 'fold', n: run.length - 2 * context });
      rows.push(...run);
    } else {
      const del: LineOp[] = [];
      const add: LineOp[] = [];
      for (; j < ops.length && ops[j]!.op !== '='; j++) (ops[j]!.op === '-' ? del : add).push(ops[j]!);
      for (let k = 0; k < Math.max(del.length, add.length); k++) {
        const d = del[k];
        const p = add[k];
        rows.push(d && p ? { t: 'changed', a: d.text, an: d.a!, b: p.text, bn: p.b! } : d ? { t: 'removed', a: d.text, an: d.a! } : { t: 'added', b: p!.text, bn: p!.b! });
      }
    }
    i = j;
  }
  return rows;
}

/** Where two lines (or two lists of lines) differ: the length of their common head and of their common tail (not overlapping). */
export function changeSpan(a: ArrayLike<unknown>, b: ArrayLike<unknown>): { head: number; tail: number } {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { head, tail };
}

/** A header name's values compared: the same value in both, one changed value, or a value in one only. */
export interface HeaderRow {
  name: string;
  t: 'same' | 'changed' | 'removed' | 'added';
  a?: string;
  b?: string;
}

/**
 * The header pairs compared by name (case-insensitive), order-insensitive but
 * duplicates kept: under one name, values both carry are the same (as many
 * times as both carry them); the rest pair up in order as changed, and what
 * is left is removed (first capture only) or added (second only). Rows follow
 * the first capture's names, then the names only the second has.
 */
export function diffHeaders(a: readonly HeaderPair[], b: readonly HeaderPair[]): HeaderRow[] {
  const group = (pairs: readonly HeaderPair[]) => {
    const m = new Map<string, { name: string; values: string[] }>();
    for (const [n, v] of pairs) {
      const k = n.toLowerCase();
      (m.get(k) ?? m.set(k, { name: n, values: [] }).get(k)!).values.push(v);
    }
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  const rows: HeaderRow[] = [];
  for (const key of new Set([...ga.keys(), ...gb.keys()])) {
    const name = (ga.get(key) ?? gb.get(key))!.name;
    const restB = [...(gb.get(key)?.values ?? [])];
    const restA: string[] = [];
    for (const v of ga.get(key)?.values ?? []) {
      const at = restB.indexOf(v);
      if (at === -1) restA.push(v);
      else {
        restB.splice(at, 1);
        rows.push({ name, t: 'same', a: v, b: v });
      }
    }
    for (let i = 0; i < Math.max(restA.length, restB.length); i++) {
      const t = i >= restB.length ? 'removed' : i >= restA.length ? 'added' : 'changed';
      rows.push({ name, t, a: restA[i], b: restB[i] });
    }
  }
  return rows;
}

/** One JSON path that differs: values as short compact JSON. */
export interface JsonChange {
  t: 'added' | 'removed' | 'changed';
  path: string;
  a?: string;
  b?: string;
}

export interface JsonDiff {
  changes: JsonChange[];
  /** Paths past `DIFF_MAX_PATHS` that were not listed. */
  more: number;
}

/** Characters of a value shown in a JSON change. */
const PREVIEW = 80;

/**
 * Both texts compared as JSON documents by structure: object members by key
 * (in any order; a repeated key by its occurrence), array items by index,
 * numbers by value (`1.0` is `1`; past 15 digits by their text, as
 * JavaScript would round them). Null when either is not one JSON document.
 */
export function diffJson(a: string, b: string, maxPaths = DIFF_MAX_PATHS): JsonDiff | null {
  let ja: JsonNode;
  let jb: JsonNode;
  try {
    ja = parseJson(a);
    jb = parseJson(b);
  } catch {
    return null;
  }
  const out: JsonDiff = { changes: [], more: 0 };
  const add = (c: JsonChange) => (out.changes.length < maxPaths ? out.changes.push(c) : out.more++);
  const walk = (x: JsonNode, y: JsonNode, path: string) => {
    if (x.t === 'obj' && y.t === 'obj') {
      const byKey = new Map<string, JsonNode[]>();
      for (const [k, v] of y.entries) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(v);
      // A repeated key is matched by its occurrence: the first with the first.
      const used = new Map<string, number>();
      for (const [k, v] of x.entries) {
        const i = used.get(k) ?? 0;
        used.set(k, i + 1);
        const other = byKey.get(k)?.[i];
        if (other) walk(v, other, pathOf(path, k));
        else add({ t: 'removed', path: pathOf(path, k), a: preview(v) });
      }
      for (const [k, all] of byKey) for (const v of all.slice(used.get(k) ?? 0)) add({ t: 'added', path: pathOf(path, k), b: preview(v) });
    } else if (x.t === 'arr' && y.t === 'arr') {
      for (let i = 0; i < Math.max(x.items.length, y.items.length); i++) {
        const p = `${path}[${i}]`;
        if (i >= y.items.length) add({ t: 'removed', path: p, a: preview(x.items[i]!) });
        else if (i >= x.items.length) add({ t: 'added', path: p, b: preview(y.items[i]!) });
        else walk(x.items[i]!, y.items[i]!, p);
      }
    } else if (!sameLeaf(x, y)) add({ t: 'changed', path, a: preview(x), b: preview(y) });
  };
  walk(ja, jb, '$');
  return out;
}

function sameLeaf(x: JsonNode, y: JsonNode): boolean {
  if (x.t !== y.t) return false;
  if (x.t === 'num' && y.t === 'num') {
    if (x.raw === y.raw) return true;
    // Past 15 digits JavaScript rounds: two such numbers are the same only as written.
    return Number(x.raw) === Number(y.raw) && !/\d{16}/.test(x.raw.replace('.', '') + y.raw.replace('.', ''));
  }
  if (x.t === 'str' && y.t === 'str') return x.v === y.v;
  if (x.t === 'bool' && y.t === 'bool') return x.v === y.v;
  // Two nulls; objects and arrays are walked, never compared here.
  return x.t === 'null';
}

/** `$.key`, or `$["odd key"]` when the key is not an identifier. */
function pathOf(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** A value in short: a scalar as JSON (a long string cut at `PREVIEW` characters), an object or array by its size. */
export function preview(node: JsonNode): string {
  const n = node.t === 'obj' ? node.entries.length : node.t === 'arr' ? node.items.length : -1;
  if (n >= 0) return node.t === 'obj' ? `{${n} ${n === 1 ? 'key' : 'keys'}}` : `[${n} ${n === 1 ? 'item' : 'items'}]`;
  const s = node.t === 'str' ? JSON.stringify(node.v) : node.t === 'num' ? node.raw : node.t === 'bool' ? String(node.v) : 'null';
  return s.length > PREVIEW ? `${s.slice(0, PREVIEW)}…` : s;
}

/** Whether two byte strings are the same. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
