/**
 * A HAR document cut into its `log.entries` as its bytes stream in, so an
 * import never holds the whole document (nor a string or an object tree of
 * it), only the entry being read. It follows JSON's structure (strings,
 * escapes, nesting) without building values: each entry's bytes are handed
 * on whole for `JSON.parse`, and whether the rest is well-formed JSON is
 * left to that and to the checks at the end.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/** The longest object key the splitter reads (it looks for `log` and `entries` only). */
const MAX_KEY = 32;

interface Level {
  kind: 'object' | 'array';
  /** The key whose value is being read (objects), once its colon is passed. */
  key: string | null;
  /** In an object: the next string is a key. */
  expectKey: boolean;
}

/** Why a document is not a HAR file; `entry` when it is about the entry being read, which the caller names by number. */
export class HarSplitError extends Error {
  constructor(
    message: string,
    readonly entry = false,
  ) {
    super(message);
  }
}

/**
 * A push splitter: `write` each chunk in order, then `end`. `onEntry` gets
 * every element of `log.entries` as its own bytes, in order. Throws
 * `HarSplitError` when an entry is not a JSON object, when the document
 * ends inside a value, or when it has no `log.entries` array.
 */
export function createHarSplitter(onEntry: (bytes: Buffer) => void): { write(chunk: Buffer): void; end(): void } {
  const stack: Level[] = [];
  let inString = false;
  let escaped = false;
  // The key being read (only short keys of the first two levels are kept).
  let key: number[] | null = null;
  let sawEntries = false;
  // The entry being read: its chunks so far, and where it starts in the current one.
  let parts: Buffer[] | null = null;
  let from = 0;

  /** True when the top of the stack is the array `log.entries`. */
  const inEntries = () =>
    stack.length === 3 && stack[2]!.kind === 'array' && stack[1]!.key === 'entries' && stack[0]!.key === 'log' && stack[1]!.kind === 'object' && stack[0]!.kind === 'object';

  function write(chunk: Buffer): void {
    for (let i = 0; i < chunk.byteLength; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (key !== null) {
            const top = stack[stack.length - 1]!;
            top.key = key.length <= MAX_KEY ? String.fromCharCode(...key) : '';
            top.expectKey = false;
            key = null;
          }
        } else if (key !== null && key.length <= MAX_KEY) key.push(b);
        continue;
      }
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      const top = stack[stack.length - 1];
      if (top === undefined && b !== 0x7b) throw new HarSplitError('not a hookbin export (whose first line is {"hookbin":"export",…}) nor a HAR file (it is not JSON: a HAR file is one JSON object)');
      if (inEntries() && parts === null && b !== COMMA && b !== 0x5d) {
        if (b !== 0x7b) throw new HarSplitError('an entry is a JSON object', true);
        parts = [];
        from = i;
      }
      if (b === QUOTE) {
        inString = true;
        // Keys are read only at the top two levels, where `log` and `entries` are.
        key = top?.kind === 'object' && top.expectKey && stack.length <= 2 ? [] : null;
        if (top?.kind === 'object' && top.expectKey && key === null) top.expectKey = false;
      } else if (b === COLON) {
        if (top?.kind === 'object') top.expectKey = false;
      } else if (b === COMMA) {
        if (top?.kind === 'object') {
          top.expectKey = true;
          top.key = null;
        }
      } else if (b === 0x7b || b === 0x5b) {
        stack.push({ kind: b === 0x7b ? 'object' : 'array', key: null, expectKey: b === 0x7b });
      } else if (b === 0x7d || b === 0x5d) {
        if (inEntries() && b === 0x5d) sawEntries = true;
        stack.pop();
        if (parts !== null && inEntries()) {
          parts.push(chunk.subarray(from, i + 1));
          const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          parts = null;
          onEntry(bytes);
        }
      }
    }
    if (parts !== null) {
      // The entry goes on in the next chunk: keep a copy of its part of this one.
      parts.push(Buffer.from(chunk.subarray(from)));
      from = 0;
    }
  }

  function end(): void {
    if (inString || stack.length > 0) throw new HarSplitError('not a whole HAR file: it ends inside a JSON value (cut short?)');
    if (!sawEntries) throw new HarSplitError('not a HAR file: it has no log.entries');
  }

  return { write, end };
}
