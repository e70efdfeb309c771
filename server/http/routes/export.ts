/**
 * A bin's captures out and back in (mounted at `/bins`): `GET
 * /:binId/export?format=ndjson|har` streams them, oldest first, a bounded
 * batch at a time; `POST /:binId/import` reads an NDJSON export or a HAR
 * file, checks every capture, re-judges its signatures with this bin's
 * secrets, and stores them all in one transaction (or none), holding about
 * one batch in memory however large the file (store/capture-import.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Hono } from 'hono';
import { z } from 'zod';
import type { CustomSchemeDef } from '../../common/custom-scheme.js';
import { MAX_IMPORT_BYTES, TRANSFER_FORMATS, type TransferFormat } from '../../common/limits.js';
import { eventIdentity } from '../../capture/event-identity.js';
import { detectProvider } from '../../capture/provider.js';
import { AS_RECEIVED, type PublicUrlPolicy } from '../../capture/public-url.js';
import { headerValue } from '../../capture/read.js';
import { normalizeSettings, schemesFor, secretsFor, type NormalizedSettings } from '../../capture/settings.js';
import { judgeRequest, storedRequestLine } from '../../capture/verdicts.js';
import { newCaptureId } from '../../store/ids.js';
import { BinGoneError, type Bins, type CaptureImport, type CaptureWalk, type ImportedCapture, type WalkLimits } from '../../store/index.js';
import type { SecretInput } from '../../verify/index.js';
import { ApiError } from '../errors.js';
import { binJson } from '../present.js';
import { queryParams } from '../validate.js';
import { harEntry, harPrefix, HAR_SUFFIX } from '../transfer/har.js';
import { ndjsonHeader, ndjsonLine } from '../transfer/ndjson.js';
import { readImport } from '../transfer/read-import.js';
import type { Draft } from '../transfer/draft.js';
import { binNotFound, binParam, originOf, type Publish } from './params.js';

/** What the export and import routes need. */
export interface TransferDeps {
  store: Pick<Bins, 'getBin'> & CaptureWalk & CaptureImport;
  now: () => number;
  version: string;
  /** The largest body one capture may carry (`--max-body`): imports hold to it too. */
  maxBody: number;
  globalSecrets: readonly SecretInput[];
  globalSchemes?: readonly CustomSchemeDef[];
  publish: Publish;
  urls?: PublicUrlPolicy;
  /** How much one batch of an export reads from the store; the default unless a test asks for less. */
  walk?: WalkLimits;
}

/** An export reads at most 100 captures, or 8 MiB of bodies past the first, from the store at a time. */
export const EXPORT_BATCH: WalkLimits = { limit: 100, maxBytes: 8 * 1024 * 1024 };

const FORMAT_RULE = `format is one of ${TRANSFER_FORMATS.join(', ')}`;
const formatQuery = z.object({ format: z.enum(TRANSFER_FORMATS, { message: FORMAT_RULE }).optional() });

/** An import is judged and staged this many captures (or bytes of bodies) at a time, a turn of the event loop between. */
const STAGE_BATCH: WalkLimits = { limit: 500, maxBytes: 8 * 1024 * 1024 };

/** `hookbin-<bin>-<YYYY-MM-DD>.<ext>`: a bin id is already safe in a file name. */
function fileName(binId: string, now: number, format: TransferFormat): string {
  return `hookbin-${binId}-${new Date(now).toISOString().slice(0, 10)}.${format}`;
}

/** Is this the import route, whose body is bounded by MAX_IMPORT_BYTES rather than the API's own limit? */
export function isImportPath(path: string): boolean {
  return /^\/api\/bins\/[^/]+\/import\/?$/.test(path);
}

/**
 * The export as a pulled stream: the header first, then one bounded batch of
 * captures per pull (the next is read only when the client has taken the
 * last), then the end. Captures with `seq` past `until` are left out.
 */
function exportStream(
  store: CaptureWalk,
  o: { binId: string; until: number; format: TransferFormat; walk: WalkLimits; binUrl: string; header: () => string },
): ReadableStream<Uint8Array> {
  let after = 0;
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(Buffer.from(o.header()));
        return;
      }
      const batch = store.walkCaptures(o.binId, after, o.until, o.walk);
      if (batch.length === 0) {
        if (o.format === 'har') controller.enqueue(Buffer.from(HAR_SUFFIX));
        controller.close();
        return;
      }
      after = batch[batch.length - 1]!.seq;
      const parts: string[] = [];
      for (const capture of batch) {
        parts.push(o.format === 'ndjson' ? ndjsonLine(capture) : `${first ? '' : ',\n'}${harEntry(capture, o.binUrl)}`);
        first = false;
      }
      controller.enqueue(Buffer.from(parts.join('')));
    },
  });
}

/**
 * The drafts as captures of `binId`: new ids, the provider read from their
 * headers, and verdicts judged with the bin's secrets and schemes as of
 * each one's arrival (the capture path's `judgeRequest`).
 */
function judged(drafts: readonly Draft[], binId: string, secrets: readonly SecretInput[], schemes: readonly CustomSchemeDef[], urls: PublicUrlPolicy): ImportedCapture[] {
  return drafts.map((d) => ({
    ...d,
    id: newCaptureId(d.receivedAt),
    contentType: headerValue(d.headers, 'content-type'),
    provider: detectProvider(d.headers),
    ...judgeRequest(d.headers, d.body, d.receivedAt, secrets, storedRequestLine({ binId, ...d }, urls), schemes),
  }));
}

/**
 * Reads an import into a new stage of the store, a batch at a time (judged,
 * staged, then a turn of the event loop for live captures), and commits it
 * whole; a refusal anywhere drops the stage, so nothing is half imported.
 */
async function importInto(
  store: CaptureImport,
  body: ReadableStream<Uint8Array> | null,
  o: { binId: string; format: TransferFormat | undefined; maxBody: number; settings: NormalizedSettings; secrets: readonly SecretInput[]; schemes: readonly CustomSchemeDef[]; urls: PublicUrlPolicy },
): Promise<{ format: TransferFormat; imported: number; pruned: number }> {
  const eventOptions = { keyHeader: o.settings.eventKey?.header, keyPointer: o.settings.eventKey?.pointer };
  const stage = store.stageImport();
  let batch: Draft[] = [];
  let batchBytes = 0;
  const flush = async () => {
    stage.add(judged(batch, o.binId, o.secrets, o.schemes, o.urls));
    batch = [];
    batchBytes = 0;
    await nextTurn();
  };
  try {
    const read = await readImport(body, {
      format: o.format,
      maxBytes: MAX_IMPORT_BYTES,
      maxBody: o.maxBody,
      identify: (headers, bytes) => {
        const id = eventIdentity(headers, bytes, eventOptions);
        return { key: id.key, type: id.type };
      },
      take: (draft) => {
        batch.push(draft);
        batchBytes += draft.body.byteLength;
        if (batch.length >= STAGE_BATCH.limit || batchBytes >= STAGE_BATCH.maxBytes) return flush();
      },
    });
    if (batch.length > 0) await flush();
    return { format: read.format, ...stage.commit(o.binId) };
  } finally {
    stage.discard();
  }
}

/** The export and import routes, mounted at `/bins`. */
export function createTransferRoutes(deps: TransferDeps) {
  const { store } = deps;
  const urls = deps.urls ?? AS_RECEIVED;
  const walk = deps.walk ?? EXPORT_BATCH;
  const binOrigin = (requestUrl: string) => urls.publicUrl ?? originOf(requestUrl);
  return new Hono()
    .get('/:binId/export', binParam, queryParams(formatQuery), (c) => {
      const { binId } = c.req.valid('param');
      const format = c.req.valid('query').format ?? 'ndjson';
      const bin = store.getBin(binId);
      if (!bin) throw binNotFound(binId);
      const now = deps.now();
      // Captures arriving during the export are left for the next one: it ends.
      const until = store.lastSeq(binId);
      const binUrl = `${binOrigin(c.req.url)}/b/${binId}`;
      const stream = exportStream(store, { binId, until, format, walk, binUrl, header: () => (format === 'har' ? harPrefix(deps.version) : ndjsonHeader(bin, now)) });
      return c.body(stream, 200, {
        'content-type': format === 'har' ? 'application/json; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="${fileName(binId, now, format)}"`,
        'cache-control': 'no-store',
      });
    })
    .post('/:binId/import', binParam, queryParams(formatQuery), async (c) => {
      const { binId } = c.req.valid('param');
      const { format } = c.req.valid('query');
      const bin = store.getBin(binId);
      if (!bin) throw binNotFound(binId);
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > MAX_IMPORT_BYTES) {
        c.header('Connection', 'close');
        throw new ApiError(413, 'payload_too_large', `imports are limited to ${MAX_IMPORT_BYTES / (1024 * 1024)} MiB`);
      }
      const settings = normalizeSettings(bin.settings);
      const secrets = secretsFor(settings, deps.globalSecrets);
      const schemes = schemesFor(settings, deps.globalSchemes ?? []);
      let result;
      try {
        result = await importInto(store, c.req.raw.body, { binId, format, maxBody: deps.maxBody, settings, secrets, schemes, urls });
      } catch (err) {
        if (err instanceof BinGoneError) throw binNotFound(binId);
        // Refused before the body ended: its unread rest makes the connection unusable.
        c.header('Connection', 'close');
        throw err;
      }
      deps.publish({ type: 'captures.imported', binId, imported: result.imported, pruned: result.pruned }, binId);
      const updated = store.getBin(binId);
      if (!updated) throw binNotFound(binId);
      const json = binJson(updated, binOrigin(c.req.url));
      deps.publish({ type: 'bin.updated', bin: json });
      return c.json({ ...result, bin: json });
    });
}
