/**
 * A JSON parser for the tree view that shows the document as sent: numbers
 * keep their literal text (no `12345678901234567890` → `…000` rounding),
 * duplicate keys stay, key order stays. Strings are decoded as JSON says.
 */

export type JsonNode =
  | { t: 'obj'; entries: [key: string, value: JsonNode][] }
  | { t: 'arr'; items: JsonNode[] }
  | { t: 'str'; v: string }
  | { t: 'num'; raw: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(`${message} at offset ${at}`);
  }
}

/** The deepest nesting the tree view parses (deeper documents show as raw text). */
export const MAX_JSON_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses `text` (a leading BOM allowed) or throws `JsonSyntaxError`. */
export function parseJson(text: string): JsonNode {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const ws = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    }
  };

  const str = (): string => {
    const start = i;
    i++; // opening quote
    let escaped = false;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) break;
      else if (c < 0x20) throw new JsonSyntaxError('control character in string', i);
    }
    if (i >= n) throw new JsonSyntaxError('unterminated string', start);
    i++; // closing quote
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      throw new JsonSyntaxError('bad escape in string', start);
    }
  };

  const value = (depth: number): JsonNode => {
    if (depth > MAX_JSON_DEPTH) throw new JsonSyntaxError('nested too deep', i);
    ws();
    if (i >= n) throw new JsonSyntaxError('unexpected end', i);
    const c = text[i]!;
    if (c === '{') {
      i++;
      const entries: [string, JsonNode][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new JsonSyntaxError('expected a key', i);
        const key = str();
        ws();
        if (text[i] !== ':') throw new JsonSyntaxError('expected ":"', i);
        i++;
        entries.push([key, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'obj', entries };
        }
        throw new JsonSyntaxError('expected "," or "}"', i);
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'arr', items };
        }
        throw new JsonSyntaxError('expected "," or "]"', i);
      }
    }
    if (c === '"') return { t: 'str', v: str() };
    if (text.startsWith('true', i)) {
      i += 4;
      return { t: 'bool', v: true };
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return { t: 'bool', v: false };
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return { t: 'null' };
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return { t: 'num', raw: m[0] };
    }
    throw new JsonSyntaxError(`unexpected "${c}"`, i);
  };

  const root = value(0);
  ws();
  if (i < n) throw new JsonSyntaxError('unexpected text after the document', i);
  return root;
}

/** The tree, or null when `text` is not one JSON document. */
export function tryParseJson(text: string): JsonNode | null {
  try {
    return parseJson(text);
  } catch {
    return null;
  }
}

/** True when a body with this Content-Type (or that looks like it) may be JSON. */
export function looksLikeJson(contentType: string | null, text: string): boolean {
  if (contentType && /[/+]json\b/i.test(contentType)) return true;
  const m = /^\ufeff?[\s]*([[{])/.exec(text);
  return m !== null;
}
