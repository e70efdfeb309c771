/** What the inspector and scripts ask of hookbin itself: health, its version and global settings, the retry presets, the API's description. */
import { Hono } from 'hono';
import { maskSecrets } from '../../capture/settings.js';
import type { GlobalForward } from '../../outbound/forward.js';
import { displayUrl } from '../../outbound/exchange.js';
import { PRESETS } from '../../retries/presets.js';
import type { SecretInput } from '../../verify/index.js';
import type { CustomSchemeDef } from '../../common/custom-scheme.js';
import { openApiDocument } from '../openapi.js';

/** What the meta routes need. */
export interface MetaDeps {
  version: string;
  /** Secrets from the config; shown masked. */
  globalSecrets: readonly SecretInput[];
  /** Users' own schemes from `--schemes FILE` (definitions hold no secret). */
  globalSchemes?: readonly CustomSchemeDef[];
  /** `--forward` (and its options), or null. */
  globalForward: GlobalForward | null;
  /** `--public-url`, or null. */
  publicUrl: string | null;
}

/** `/health` (open without the token), `/info`, `/presets` and `/openapi.json` (behind the token, like the API it describes). */
export function createMetaRoutes(deps: MetaDeps) {
  return new Hono()
    .get('/health', (c) => c.json({ ok: true as const, version: deps.version }))
    .get('/info', (c) =>
      c.json({
        version: deps.version,
        publicUrl: deps.publicUrl,
        globalSecrets: maskSecrets(deps.globalSecrets),
        globalSchemes: deps.globalSchemes ?? [],
        forward: deps.globalForward ? { url: displayUrl(deps.globalForward.url), relay: deps.globalForward.relay, insecure: deps.globalForward.insecure } : null,
      }),
    )
    .get('/presets', (c) => c.json({ presets: PRESETS }))
    .get('/openapi.json', (c) => c.json(openApiDocument(deps.version)));
}
