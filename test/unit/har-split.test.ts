/**
 * The HAR splitter gives each element of `log.entries` as its own bytes,
 * whatever the chunking, with brackets, quotes and escapes inside strings,
 * keys elsewhere named `entries`, and other fields before and after.
 */
import { describe, expect, it } from 'vitest';
import { createHarSplitter, HarSplitError } from '../../server/http/transfer/har-split.js';

function split(doc: string, chunkSize: number): unknown[] {
  const out: unknown[] = [];
  const splitter = createHarSplitter((bytes) => out.push(JSON.parse(bytes.toString('utf8'))));
  const bytes = Buffer.from(doc, 'utf8');
  for (let at = 0; at < bytes.byteLength; at += chunkSize) splitter.write(bytes.subarray(at, at + chunkSize));
  splitter.end();
  return out;
}

const entries = [
  { request: { url: 'http://x/b/y', postData: { text: '}{"][\\"\\\\' } }, _x: { entries: [1, 2] } },
  { request: { url: 'http://x/b/y/é€😀', headers: [{ name: 'a', value: '"]}' }] } },
  { nested: [[{}], { a: [] }] },
];
const doc = JSON.stringify({ entries: ['not these'], log: { version: '1.2', creator: { name: 'Chrome', entries: [] }, pages: [{ entries: [0] }], entries, comment: ']}' }, after: { entries: [9] } }, null, 1);

describe('createHarSplitter', () => {
  it('gives the entries of log.entries whole, in order, at every chunk size', () => {
    for (const size of [1, 2, 3, 7, 64, doc.length]) expect(split(doc, size)).toEqual(entries);
    expect(split('{"log":{"entries":[]}}', 5)).toEqual([]);
  });

  it('refuses what is not a HAR file, an entry that is not an object, and a file cut short', () => {
    const refusal = (text: string) => {
      try {
        split(text, 4);
      } catch (err) {
        expect(err).toBeInstanceOf(HarSplitError);
        return { message: (err as Error).message, entry: (err as HarSplitError).entry };
      }
      throw new Error('no refusal');
    };
    expect(refusal('hello')).toEqual({ message: expect.stringMatching(/nor a HAR file/), entry: false });
    expect(refusal('{"log":{}}')).toEqual({ message: 'not a HAR file: it has no log.entries', entry: false });
    expect(refusal('{"log":{"entries":[{},3]}}')).toEqual({ message: 'an entry is a JSON object', entry: true });
    expect(refusal('{"log":{"entries":[{"a":"}')).toEqual({ message: expect.stringMatching(/cut short/), entry: false });
  });
});
