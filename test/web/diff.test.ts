/**
 * Comparing two captures (web/src/features/captures/diff.ts): the line diff
 * (Myers, bounded), its side-by-side rows, header pairs by name with
 * duplicates kept, and JSON by structure.
 */
import { describe, expect, it } from 'vitest';
import { changeSpan, diffHeaders, diffJson, diffLines, preview, sameBytes, sideBySide, type LineOp } from '../../web/src/features/captures/diff.js';
import { parseJson } from '../../web/src/features/captures/json.js';

const compact = (ops: LineOp[]) => ops.map((o) => `${o.op}${o.text}`);
/** Applying the ops' kept and removed lines gives `a`; kept and added give `b`. */
function sides(ops: LineOp[]) {
  return { a: ops.filter((o) => o.op !== '+').map((o) => o.text), b: ops.filter((o) => o.op !== '-').map((o) => o.text) };
}

describe('line diff', () => {
  it('empty, identical and all-changed texts', () => {
    expect(diffLines('', '')).toEqual({ ops: [], capped: false, tooDifferent: false });
    expect(compact(diffLines('', 'a\nb').ops)).toEqual(['+a', '+b']);
    expect(compact(diffLines('a\nb', '').ops)).toEqual(['-a', '-b']);
    const same = diffLines('x\ny\nz', 'x\ny\nz');
    expect(same.ops.every((o) => o.op === '=')).toBe(true);
    expect(same.ops.map((o) => [o.a, o.b])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(compact(diffLines('a\nb', 'c\nd').ops).sort()).toEqual(['+c', '+d', '-a', '-b']);
  });

  it('finds a shortest edit script and numbers the lines of each side', () => {
    const d = diffLines('a\nb\nc\na\nb\nb\na', 'c\nb\na\nb\na\nc');
    expect(sides(d.ops)).toEqual({ a: 'a b c a b b a'.split(' '), b: 'c b a b a c'.split(' ') });
    // Myers' example: 5 edits is the shortest for these two.
    expect(d.ops.filter((o) => o.op !== '=').length).toBe(5);
    for (const o of d.ops) {
      if (o.op !== '+') expect('a b c a b b a'.split(' ')[o.a! - 1]).toBe(o.text);
      if (o.op !== '-') expect('c b a b a c'.split(' ')[o.b! - 1]).toBe(o.text);
    }
  });

  it('keeps the common head and tail around one changed line', () => {
    const a = ['{', '  "attempt": 1,', '  "id": "evt_1"', '}'].join('\n');
    const b = ['{', '  "attempt": 2,', '  "id": "evt_1"', '}'].join('\n');
    expect(compact(diffLines(a, b).ops)).toEqual(['={', '-  "attempt": 1,', '+  "attempt": 2,', '=  "id": "evt_1"', '=}']);
    // A trailing newline is a line of its own.
    expect(compact(diffLines('a', 'a\n').ops)).toEqual(['=a', '+']);
  });

  it('is bounded: lines past the cap are left out, too many edits are not aligned', () => {
    const many = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const capped = diffLines(many, many, 10);
    expect(capped.capped).toBe(true);
    expect(capped.ops).toHaveLength(10);
    const a = Array.from({ length: 40 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 40 }, (_, i) => `b${i}`).join('\n');
    const far = diffLines(`head\n${a}\ntail`, `head\n${b}\ntail`, 1000, 10);
    expect(far.tooDifferent).toBe(true);
    expect(sides(far.ops)).toEqual({ a: ['head', ...a.split('\n'), 'tail'], b: ['head', ...b.split('\n'), 'tail'] });
    // Past the bound nothing is aligned: the whole first text removed, then the second added.
    expect(far.ops.map((o) => o.op).join('')).toBe('-'.repeat(42) + '+'.repeat(42));
    // Within the bound the same texts are aligned.
    expect(diffLines(`head\n${a}\ntail`, `head\n${b}\ntail`, 1000, 100).tooDifferent).toBe(false);
  });

  it('takes a large body with a few changes quickly enough to be bounded by its edits, not its size', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `{"n":${i}}`);
    const changed = [...lines];
    changed[5000] = '{"n":"five thousand"}';
    changed.splice(7000, 1);
    const d = diffLines(lines.join('\n'), changed.join('\n'));
    expect(d.tooDifferent).toBe(false);
    expect(compact(d.ops.filter((o) => o.op !== '='))).toEqual(['-{"n":5000}', '+{"n":"five thousand"}', '-{"n":7000}']);
  });
});

describe('side by side', () => {
  it('pairs a removed run with the added run after it, and folds long unchanged runs', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'old', 'gone'].join('\n');
    const b = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'new'].join('\n');
    const rows = sideBySide(diffLines(a, b).ops, 2);
    expect(rows.map((r) => r.t)).toEqual(['same', 'same', 'fold', 'same', 'same', 'changed', 'removed']);
    expect(rows[2]).toEqual({ t: 'fold', n: 5 });
    expect(rows[5]).toEqual({ t: 'changed', a: 'old', an: 10, b: 'new', bn: 10 });
    expect(rows[6]).toEqual({ t: 'removed', a: 'gone', an: 11 });
    expect(sideBySide(diffLines('x', 'x\ny').ops)).toEqual([
      { t: 'same', a: 'x', an: 1, b: 'x', bn: 1 },
      { t: 'added', b: 'y', bn: 2 },
    ]);
  });

  it('marks where a changed line differs', () => {
    expect(changeSpan('{"attempt":1,"id":"x"}', '{"attempt":2,"id":"x"}')).toEqual({ head: 11, tail: 10 });
    expect(changeSpan('aaa', 'aaaa')).toEqual({ head: 3, tail: 0 });
    expect(changeSpan('', '')).toEqual({ head: 0, tail: 0 });
  });
});

describe('headers', () => {
  it('compares by name, case-insensitively and order-insensitively', () => {
    const rows = diffHeaders(
      [
        ['Content-Type', 'application/json'],
        ['X-GitHub-Delivery', 'd1'],
        ['X-Old', 'gone'],
      ],
      [
        ['x-new', 'here'],
        ['content-type', 'application/json'],
        ['X-GitHub-Delivery', 'd2'],
      ],
    );
    expect(rows).toEqual([
      { name: 'Content-Type', t: 'same', a: 'application/json', b: 'application/json' },
      { name: 'X-GitHub-Delivery', t: 'changed', a: 'd1', b: 'd2' },
      { name: 'X-Old', t: 'removed', a: 'gone', b: undefined },
      { name: 'x-new', t: 'added', a: undefined, b: 'here' },
    ]);
  });

  it('keeps duplicates: each value counts as many times as it was sent', () => {
    const rows = diffHeaders(
      [
        ['Via', 'a'],
        ['Via', 'b'],
        ['Via', 'a'],
      ],
      [
        ['Via', 'a'],
        ['Via', 'c'],
      ],
    );
    expect(rows.map((r) => `${r.t} ${r.a ?? '-'} ${r.b ?? '-'}`)).toEqual(['same a a', 'changed b c', 'removed a -']);
    expect(diffHeaders([], [])).toEqual([]);
  });
});

describe('JSON by structure', () => {
  it('lists changed, added and removed paths', () => {
    const d = diffJson('{"data":{"attempt":1,"old":true},"id":"e1"}', '{"data":{"attempt":2,"new":[1]},"id":"e1"}')!;
    expect(d.changes).toEqual([
      { t: 'changed', path: '$.data.attempt', a: '1', b: '2' },
      { t: 'removed', path: '$.data.old', a: 'true' },
      { t: 'added', path: '$.data.new', b: '[1 item]' },
    ]);
  });

  it('compares arrays by index, nested', () => {
    const d = diffJson('{"items":[{"n":1},{"n":2}]}', '{"items":[{"n":1},{"n":3},{"n":4}]}')!;
    expect(d.changes).toEqual([
      { t: 'changed', path: '$.items[1].n', a: '2', b: '3' },
      { t: 'added', path: '$.items[2]', b: '{1 key}' },
    ]);
    expect(diffJson('[1,2,3]', '[1]')!.changes.map((c) => c.path)).toEqual(['$[1]', '$[2]']);
  });

  it('finds nothing when only key order, spacing or a number’s spelling differ', () => {
    const d = diffJson('{"a":1,"b":{"c":[1,2]}}', '{\n  "b": { "c": [1, 2.0] },\n  "a": 1e0\n}')!;
    expect(d.changes).toEqual([]);
    expect(diffJson('{"a":1}', '{"a":1}')).toEqual({ changes: [], more: 0 });
  });

  it('tells types, long numbers and odd keys apart', () => {
    expect(diffJson('{"a":1}', '{"a":"1"}')!.changes).toEqual([{ t: 'changed', path: '$.a', a: '1', b: '"1"' }]);
    expect(diffJson('{"a":null}', '{"a":false}')!.changes).toHaveLength(1);
    // Equal as JavaScript numbers, yet not the same: hookbin keeps what was sent.
    expect(diffJson('12345678901234567890', '12345678901234567891')!.changes).toHaveLength(1);
    expect(diffJson('{"a b":1,"é":2}', '{"a b":2,"é":3}')!.changes.map((c) => c.path)).toEqual(['$["a b"]', '$["é"]']);
    expect(diffJson('{"k":1,"k":2}', '{"k":1,"k":3}')!.changes).toEqual([{ t: 'changed', path: '$.k', a: '2', b: '3' }]);
  });

  it('is null when either body is not JSON', () => {
    expect(diffJson('not json', '{}')).toBeNull();
    expect(diffJson('{}', '')).toBeNull();
    expect(diffJson('a=1&b=2', 'a=1&b=3')).toBeNull();
  });

  it('is bounded: paths past the cap are counted, values are cut short', () => {
    const a = JSON.stringify(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])));
    const d = diffJson(a, '{}', 10)!;
    expect(d.changes).toHaveLength(10);
    expect(d.more).toBe(20);
    const long = preview(parseJson(JSON.stringify('x'.repeat(1000))));
    expect(long.length).toBe(81);
    expect(long.endsWith('…')).toBe(true);
    expect(preview(parseJson(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => i))))).toBe('[20000 items]');
    expect(preview(parseJson('{"a":{"b":1},"c":2}'))).toBe('{2 keys}');
  });
});

describe('bytes', () => {
  it('tells identical bytes', () => {
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(sameBytes(new Uint8Array([]), new Uint8Array([1]))).toBe(false);
  });
});
