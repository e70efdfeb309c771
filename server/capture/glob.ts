/**
 * Rule globs (`path`, `eventType`, a header's `value`): `**` any characters,
 * `*` any characters but `/`, `?` one character but `/`, everything else
 * literal (case-sensitive, no escapes). The whole text must match.
 *
 * Matched by simulating the glob's NFA with one bit per state, never by a
 * backtracking RegExp: the text comes from anonymous senders, and a rule
 * such as `*-*-*-*-*` against a 400-byte header made a RegExp backtrack for
 * minutes. Here the cost is O(text length × glob length / 32) whatever the
 * glob and text are. Pure and dependency-free, so the browser may import it.
 */

const SLASH = 0x2f;

/** A compiled glob: whether a text matches it. */
export type GlobMatcher = (text: string) => boolean;

/** One step of a glob: a literal code unit, `?`, `*` (within a segment) or `**` (across). */
type Token = { kind: 'lit'; code: number } | { kind: 'one' } | { kind: 'seg' } | { kind: 'any' };

/** Splits a glob into tokens; a run of stars is one star (`**` if any pair in it, else `*`). */
function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      // A run of stars: `*` alone, or `**` when the run has two or more (`***` matches what `**` does).
      const start = i;
      while (glob[i + 1] === '*') i++;
      tokens.push(i > start ? { kind: 'any' } : { kind: 'seg' });
    } else if (ch === '?') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'lit', code: glob.charCodeAt(i) });
  }
  return tokens;
}

/**
 * Compiles a glob. States 0..n (n tokens): state i means "the first i tokens
 * are matched". A star state loops on the characters it allows and also
 * stands for the state after it (its empty match); every other token moves
 * one state on. Stars never follow each other after `tokenize`, so one
 * shift makes the empty-match closure.
 */
export function compileGlob(glob: string): GlobMatcher {
  const tokens = tokenize(glob);
  // A glob without wildcards is a plain comparison (the NFA would say the same, slower).
  // Stryker disable next-line all: equivalent, a shortcut
  if (tokens.every((t) => t.kind === 'lit')) return (text) => text === glob;
  const states = tokens.length + 1;
  const words = Math.ceil(states / 32);
  const mask = () => new Uint32Array(words);
  const set = (m: Uint32Array, i: number) => (m[i >>> 5]! |= 1 << (i & 31));

  const starMask = mask();
  const loopSlash = mask(); // star states that loop on `/`: `**`
  const loopOther = mask(); // star states that loop on anything else: `*` and `**`
  const advanceOther = mask(); // `?` states: they advance on any character but `/`
  const literal = new Map<number, Uint32Array>(); // states that advance on one code unit
  tokens.forEach((t, i) => {
    if (t.kind === 'any' || t.kind === 'seg') {
      set(starMask, i);
      set(loopOther, i);
      if (t.kind === 'any') set(loopSlash, i);
    } else if (t.kind === 'one') set(advanceOther, i);
    else {
      let m = literal.get(t.code);
      if (!m) literal.set(t.code, (m = mask()));
      set(m, i);
    }
  });
  // A literal state advances on its code unit; a `?` on anything but `/`.
  for (const [code, m] of literal) if (code !== SLASH) for (let w = 0; w < words; w++) m[w]! |= advanceOther[w]!;
  const advanceSlash = literal.get(SLASH) ?? mask();

  const start = mask();
  set(start, 0);
  // A star may match nothing, so a glob that starts with one also starts past it (stars never follow each other).
  if (tokens[0]!.kind !== 'lit' && tokens[0]!.kind !== 'one') set(start, 1);
  const finalWord = tokens.length >>> 5;
  const finalBit = 1 << (tokens.length & 31);

  // Stryker disable next-line ConditionalExpression: equivalent, the general matcher gives the same answers, slower
  if (words === 1) return matchOneWord(start[0]!, starMask[0]!, advanceSlash[0]!, advanceOther[0]!, loopSlash[0]!, loopOther[0]!, literal, finalBit);

  // Code units below 128 find their advance mask by index, not through the map.
  const ascii: Uint32Array[] = Array.from({ length: 128 }, (_, code) => (code === SLASH ? advanceSlash : (literal.get(code) ?? advanceOther)));
  return (text) => {
    let current = start.slice();
    let next = mask();
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const advance = code < 128 ? ascii[code]! : (literal.get(code) ?? advanceOther);
      const loop = code === SLASH ? loopSlash : loopOther;
      let carry = 0;
      let starCarry = 0;
      let alive = 0;
      // One pass: move on, loop, and add the state after each active star (a star may match nothing).
      for (let w = 0; w < words; w++) {
        const moved = current[w]! & advance[w]!;
        let word = ((moved << 1) | carry) | (current[w]! & loop[w]!);
        carry = moved >>> 31;
        const stars = word & starMask[w]!;
        word |= (stars << 1) | starCarry;
        starCarry = stars >>> 31;
        next[w] = word;
        alive |= word;
      }
      // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, an early exit (no state comes back once all are gone; the answer is false either way)
      if (alive === 0) return false;
      [current, next] = [next, current];
    }
    return (current[finalWord]! & finalBit) !== 0;
  };
}

/**
 * The matcher of a glob of at most 31 tokens (most rules): the same
 * simulation on one 32-bit number, without arrays. Literal code units below
 * 128 are looked up in a table rather than the map.
 */
function matchOneWord(
  start: number,
  stars: number,
  advanceSlash: number,
  advanceOther: number,
  loopSlash: number,
  loopOther: number,
  literal: ReadonlyMap<number, Uint32Array>,
  finalBit: number,
): GlobMatcher {
  const ascii = new Int32Array(128).fill(advanceOther);
  for (const [code, m] of literal) if (code < 128) ascii[code] = m[0]!;
  ascii[SLASH] = advanceSlash;
  return (text) => {
    let current = start;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const advance = code < 128 ? ascii[code]! : (literal.get(code)?.[0] ?? advanceOther);
      let next = ((current & advance) << 1) | (current & (code === SLASH ? loopSlash : loopOther));
      next |= (next & stars) << 1;
      // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, an early exit (no state comes back once all are gone; the answer is false either way)
      if (next === 0) return false;
      current = next;
    }
    return (current & finalBit) !== 0;
  };
}

const cache = new Map<string, GlobMatcher>();

/** Whether `text` matches `glob` as a whole. Compiled globs are cached: rules are matched on every request. */
export function matchGlob(glob: string, text: string): boolean {
  let m = cache.get(glob);
  if (!m) {
    // Stryker disable next-line all: equivalent, a bound on the cache's memory
    if (cache.size >= 1000) cache.clear();
    m = compileGlob(glob);
    cache.set(glob, m);
  }
  return m(text);
}
