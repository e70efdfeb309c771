/** Captures: a bin's list (and clearing it), one capture with its verdicts, its body (stored or decoded, with ranges), deleting one. */
import { Hono } from 'hono';
import { z } from 'zod';
import { normalizeSettings, schemesFor, secretsFor } from '../../capture/settings.js';
import type { CustomSchemeDef } from '../../common/custom-scheme.js';
import { explainRequest, storedRequestLine } from '../../capture/verdicts.js';
import { AS_RECEIVED, type PublicUrlPolicy } from '../../capture/public-url.js';
import { INLINE_BODY_BYTES } from '../../common/body-inline.js';
import type { Capture, CapturePage } from '../../common/types.js';
import { MAX_SEARCH_LENGTH, parseSearch } from '../../common/search.js';
import { ApiError } from '../errors.js';
import type { Bins, Bodies, CaptureRecord, CaptureSummaryRecord, Captures, Search } from '../../store/index.js';
import { customDetect, SCHEMES, type SecretInput } from '../../verify/index.js';
import { captureJson, summaryJson } from '../present.js';
import { queryParams } from '../validate.js';
import { bodyPrefix, decodedBody, storedBody } from './bodies.js';
import { binNotFound, binParam, captureNotFound, captureParam, pageQuery, type Publish } from './params.js';

/** What the capture routes need. */
export interface CaptureDeps {
  store: Pick<Bins, 'getBin'> & Captures & Bodies & Pick<Search, 'searchCaptures'>;
  /** Secrets from the config, tried on every bin after the bin's own. */
  globalSecrets: readonly SecretInput[];
  /** Users' own schemes from `--schemes FILE`. */
  globalSchemes?: readonly CustomSchemeDef[];
  publish: Publish;
  /** How the URL a provider signed is rebuilt for URL-signed schemes; as received when absent. */
  urls?: PublicUrlPolicy;
}

/** `?q=`: a search (common/search.ts says its syntax) on top of the page query. */
const listQuery = pageQuery.extend({
  q: z.string().max(MAX_SEARCH_LENGTH, `q is at most ${MAX_SEARCH_LENGTH} characters`).optional(),
});

const bodyQuery = z.object({ decoded: z.enum(['true', 'false', '1', '0']).optional() });

/**
 * The capture's verdicts as of now's secrets, with a diagnosis for each that
 * is not valid. A truncated body was never the signed one: say so instead of
 * guessing at re-serialization.
 */
function explainCapture(record: CaptureRecord, body: Buffer, secrets: readonly SecretInput[], urls: PublicUrlPolicy, schemes: readonly CustomSchemeDef[]): Capture['signatures'] {
  return explainRequest(record.headers, body, record.receivedAt, secrets, storedRequestLine(record, urls), schemes).map((v) =>
    record.truncated && v.status === 'invalid'
      ? { ...v, diagnosis: `Only the first ${body.length} of ${record.bodySize} bytes were kept (the body was over --max-body), so the signature cannot match the stored bytes.` }
      : v,
  );
}

/** The capture routes: `/bins/:binId/captures` and `/captures/:id…`. */
export function createCaptureRoutes(deps: CaptureDeps) {
  const { store } = deps;
  return new Hono()
    .get('/bins/:binId/captures', binParam, queryParams(listQuery), async (c) => {
      const { binId } = c.req.valid('param');
      const { limit, before, verdict, q } = c.req.valid('query');
      const search = parseSearch(q ?? '');
      if (!search.ok) throw new ApiError(400, 'invalid_search', search.message);
      if (!store.getBin(binId)) throw binNotFound(binId);
      const opts = { limit: limit ?? 50, before, verdict };
      // No words (absent, or only spaces): the plain list.
      const page: { captures: CaptureSummaryRecord[]; next: number | null; pending?: number } =
        search.terms.length > 0 ? await store.searchCaptures(binId, { ...opts, terms: search.terms }) : store.listCaptures(binId, opts);
      const body: CapturePage = { captures: page.captures.map(summaryJson), next: page.next === null ? null : String(page.next) };
      if (page.pending) body.pending = page.pending;
      return c.json(body);
    })
    .delete('/bins/:binId/captures', binParam, (c) => {
      const { binId } = c.req.valid('param');
      if (!store.getBin(binId)) throw binNotFound(binId);
      const deleted = store.clearCaptures(binId);
      deps.publish({ type: 'captures.cleared', binId }, binId);
      return c.json({ deleted });
    })
    .get('/captures/:id', captureParam, (c) => {
      const { id } = c.req.valid('param');
      const record = store.getCapture(id);
      if (!record) throw captureNotFound(id);
      // A signature is judged over every byte; without a signature header the inline part is all this needs.
      // A signature in the body (Mailgun) shows only in the verdicts stored on the capture path, judged with the body.
      const bin = store.getBin(record.binId);
      const schemes = schemesFor(normalizeSettings(bin?.settings), deps.globalSchemes ?? []);
      const signed = record.signatures.length > 0 || SCHEMES.some((s) => s.detect(record.headers)) || schemes.some((d) => customDetect(d, record.headers) !== null);
      const body = signed ? store.getBody(id)?.data : bodyPrefix(store, id, INLINE_BODY_BYTES + 1);
      if (!body) throw captureNotFound(id);
      const secrets = secretsFor(normalizeSettings(bin?.settings), deps.globalSecrets);
      return c.json(captureJson(record, body, signed ? explainCapture(record, body, secrets, deps.urls ?? AS_RECEIVED, schemes) : []));
    })
    .get('/captures/:id/body', captureParam, queryParams(bodyQuery), async (c) => {
      const { id } = c.req.valid('param');
      const { decoded } = c.req.valid('query');
      const range = c.req.header('range');
      return decoded === 'true' || decoded === '1' ? decodedBody(store, id, range) : storedBody(store, id, range);
    })
    .delete('/captures/:id', captureParam, (c) => {
      const { id } = c.req.valid('param');
      const binId = store.deleteCapture(id);
      if (!binId) throw captureNotFound(id);
      deps.publish({ type: 'capture.deleted', binId, id }, binId);
      return c.body(null, 204);
    });
}
