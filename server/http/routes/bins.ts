/** Bins (mounted at `/api/bins`): create, list, read, change (answer, secrets, event key, forwarding) and delete. */
import type { CustomSchemeDef } from '../../common/custom-scheme.js';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  corsPatchSchema,
  defaultSettings,
  eventKeyPatchSchema,
  forwardPatchSchema,
  forwardToPatchSchema,
  normalizeSettings,
  patchRespond,
  patchSecrets,
  respondPatchSchema,
  secretsFor,
  schemesFor,
  schemesPatchSchema,
  unknownSecretScheme,
  secretsPatchSchema,
} from '../../capture/settings.js';
import { reverify } from '../../capture/verdicts.js';
import { AS_RECEIVED, type PublicUrlPolicy } from '../../capture/public-url.js';
import { newBinId } from '../../store/ids.js';
import { BinExistsError, type Bins, type Captures } from '../../store/index.js';
import type { SecretInput } from '../../verify/index.js';
import { ApiError } from '../errors.js';
import { binJson } from '../present.js';
import { jsonBody } from '../validate.js';
import { binIdSchema, binNotFound, binParam, originOf, type Publish } from './params.js';

/** What the bin routes need. */
export interface BinDeps {
  /** Bins, and the captures a change of secrets judges again. */
  store: Bins & Pick<Captures, 'capturesToVerify' | 'setVerdicts'>;
  now: () => number;
  /** Secrets from the config, tried on every bin after the bin's own. */
  globalSecrets: readonly SecretInput[];
  /** Users' own schemes from `--schemes FILE`. */
  globalSchemes?: readonly CustomSchemeDef[];
  publish: Publish;
  /** `--public-url` names bin URLs; URL-signed verdicts are re-judged with this policy. */
  urls?: PublicUrlPolicy;
}

const nameSchema = z.string().trim().min(1, 'a name must not be empty').max(200);
/** `POST /api/bins`: an optional id and name (also described by openapi.ts). */
export const createBinBody = z.object({ id: binIdSchema.optional(), name: nameSchema.optional() }).strict();
/** `PATCH /api/bins/{binId}`: any of a bin's settings (also described by openapi.ts). */
export const patchBinBody = z
  .object({
    name: nameSchema.optional(),
    respond: respondPatchSchema.nullable().optional(),
    secrets: secretsPatchSchema.optional(),
    eventKey: eventKeyPatchSchema.nullable().optional(),
    forwardTo: forwardToPatchSchema.optional(),
    forward: forwardPatchSchema.optional(),
    cors: corsPatchSchema.optional(),
    schemes: schemesPatchSchema.optional(),
  })
  .strict();

/** The bin routes, mounted at `/bins`. */
export function createBinRoutes(deps: BinDeps) {
  const urls = deps.urls ?? AS_RECEIVED;
  // Bin URLs are those providers are given: the public URL when set, else where the client reached hookbin.
  const binOrigin = (requestUrl: string) => urls.publicUrl ?? originOf(requestUrl);
  const { store } = deps;
  return new Hono()
    .post('/', jsonBody(createBinBody), (c) => {
      const input = c.req.valid('json');
      const id = input.id ?? newBinId();
      try {
        const bin = binJson(store.createBin({ id, name: input.name ?? id, createdAt: deps.now(), settings: defaultSettings() }), binOrigin(c.req.url));
        deps.publish({ type: 'bin.created', bin });
        return c.json(bin, 201);
      } catch (err) {
        if (err instanceof BinExistsError) throw new ApiError(409, 'bin_exists', `the bin id "${id}" is taken`);
        throw err;
      }
    })
    .get('/', (c) => {
      const origin = binOrigin(c.req.url);
      return c.json({ bins: store.listBins().map((b) => binJson(b, origin)) });
    })
    .get('/:binId', binParam, (c) => {
      const { binId } = c.req.valid('param');
      const bin = store.getBin(binId);
      if (!bin) throw binNotFound(binId);
      return c.json(binJson(bin, binOrigin(c.req.url)));
    })
    .patch('/:binId', binParam, jsonBody(patchBinBody), async (c) => {
      const { binId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const bin = store.getBin(binId);
      if (!bin) throw binNotFound(binId);
      const settings = normalizeSettings(bin.settings);
      if (patch.respond !== undefined) settings.respond = patchRespond(settings.respond, patch.respond);
      if (patch.eventKey !== undefined) settings.eventKey = patch.eventKey;
      if (patch.forwardTo !== undefined) settings.forwardTo = patch.forwardTo;
      if (patch.forward !== undefined) settings.forward = { ...settings.forward, ...patch.forward };
      if (patch.cors !== undefined) settings.cors = patch.cors;
      if (patch.schemes !== undefined) settings.schemes = patch.schemes;
      if (patch.secrets !== undefined) {
        try {
          settings.secrets = patchSecrets(settings.secrets, patch.secrets);
        } catch (err) {
          throw new ApiError(400, 'invalid_secrets', (err as Error).message);
        }
      }
      const schemes = schemesFor(settings, deps.globalSchemes ?? []);
      if (patch.secrets !== undefined || patch.schemes !== undefined) {
        const unknown = unknownSecretScheme(settings.secrets, schemes);
        if (unknown !== null) throw new ApiError(400, 'invalid_secrets', unknown);
      }
      const updated = store.updateBin(binId, { name: patch.name, settings });
      if (!updated) throw binNotFound(binId);
      if (patch.secrets !== undefined || patch.schemes !== undefined) {
        // The answer waits for the stored verdicts, so a client that refetches
        // after it sees them judged by the new secrets.
        await reverify(store, binId, () => secretsFor(settings, deps.globalSecrets), urls, () => schemes);
        deps.publish({ type: 'captures.reverified', binId }, binId);
      }
      const json = binJson(updated, binOrigin(c.req.url));
      deps.publish({ type: 'bin.updated', bin: json });
      return c.json(json);
    })
    .delete('/:binId', binParam, (c) => {
      const { binId } = c.req.valid('param');
      if (!store.deleteBin(binId)) throw binNotFound(binId);
      deps.publish({ type: 'bin.deleted', binId });
      return c.body(null, 204);
    });
}
