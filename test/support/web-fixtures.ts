/**
 * Fixtures of the inspector's tests in Node: capture summaries and bins as
 * the API returns them, and an in-memory API that pages like the server.
 */
import type { Bin, Capture, CapturePage, CaptureSummary } from '../../server/common/types.js';
import type { Api } from '../../web/src/api/http.js';

export const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** A capture summary `n` seconds after T0 (ids sort like the server's: time first). */
export function cap(n: number, over: Partial<CaptureSummary> = {}): CaptureSummary {
  return {
    id: `c${String(n).padStart(6, '0')}`,
    binId: 'bin1',
    receivedAt: new Date(T0 + n * 1000).toISOString(),
    method: 'POST',
    path: `/hook/${n}`,
    query: '',
    contentType: 'application/json',
    bodySize: 10,
    truncated: false,
    remoteAddress: '127.0.0.1',
    status: 200,
    fault: null,
    delayMs: 0,
    verdict: null,
    event: { key: `evt-${n}`, type: null, attempt: 1 },
    provider: null,
    ...over,
  };
}

export function bin(id: string, over: Partial<Bin> = {}): Bin {
  return {
    id,
    name: id,
    url: `http://127.0.0.1:7777/b/${id}`,
    createdAt: '2026-11-23T09:00:00.000Z',
    captureCount: 0,
    prunedCount: 0,
    respond: { status: 200, headers: {}, body: '{"ok":true}', delayMs: 0, fault: null, failFirst: null, sequence: null, random: null, retryAfter: null, rules: [] },
    secrets: [],
    eventKey: null,
    forwardTo: null,
    forward: { relay: false, timeoutMs: 10_000, insecure: false },
    cors: false,
    schemes: [],
    ...over,
  };
}

export const ids = (items: readonly CaptureSummary[]) => items.map((c) => c.id);
export const newestFirst = (...ns: number[]) => ns.map((n) => cap(n).id);

/** An in-memory server: captures newest first, pages by a seq cursor like the real one. */
export function fakeApi(initial: CaptureSummary[], bins: Bin[] = [bin('bin1')]) {
  const server = { captures: [...initial], bins: [...bins] };
  const seq = new Map<string, number>();
  let nextSeq = 1;
  const add = (c: CaptureSummary) => {
    seq.set(c.id, nextSeq++);
    server.captures.unshift(c);
  };
  for (const c of [...initial].reverse()) seq.set(c.id, nextSeq++);
  const calls: string[] = [];
  /** Runs while a page request is in flight, after the server took its snapshot. */
  const hooks: { duringList?: () => void } = {};
  const api: Api = {
    listBins: async () => server.bins.map((b) => ({ ...b, captureCount: server.captures.filter((c) => c.binId === b.id).length })),
    createBin: async () => {
      throw new Error('not used');
    },
    updateBin: async () => {
      throw new Error('not used');
    },
    deleteBin: async () => undefined,
    listCaptures: async (binId, { limit, before, verdict, q }): Promise<CapturePage> => {
      calls.push(`list ${before ?? '-'}${verdict ? ` ${verdict}` : ''}${q ? ` q=${q}` : ''}`);
      // A search here reads the path only (hookbin reads bodies and headers too).
      const all = server.captures.filter(
        (c) =>
          c.binId === binId &&
          (before === undefined || seq.get(c.id)! < Number(before)) &&
          (!verdict || (verdict === 'unsigned' ? c.verdict === null : c.verdict === verdict)) &&
          (!q || q.split(/\s+/).every((w) => c.path.toLowerCase().includes(w.toLowerCase()))),
      );
      const page = all.slice(0, limit);
      const hook = hooks.duringList;
      hooks.duringList = undefined;
      hook?.();
      return { captures: page, next: all.length > limit ? String(seq.get(page.at(-1)!.id)) : null };
    },
    getCapture: async (id) => {
      calls.push(`get ${id}`);
      return { ...server.captures.find((c) => c.id === id)! } as unknown as Capture;
    },
    deleteCapture: async (id) => {
      server.captures = server.captures.filter((c) => c.id !== id);
    },
    clearBin: async () => {
      server.captures = [];
    },
    getBody: async () => ({ bytes: new Uint8Array(), decoded: null, truncated: false }),
    getInfo: async () => ({ version: 'test', globalSecrets: [] }),
    listPresets: async () => [],
    listEvents: async () => ({ events: [], next: null }),
  };
  return { api, server, add, calls, hooks };
}
