/**
 * `POST /api/check` (mounted under `/api`, behind the token guard): hookbin
 * plays the provider against the user's endpoint and answers with the
 * report (outbound/check.ts). Inputs are validated here; a secret may be the
 * NAME of one of the bin's secrets or of `--secret`, as in `/api/send`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { normalizeSettings } from '../../capture/settings.js';
import { CUSTOM_SCHEME_ID, mergeSchemes, type CustomSchemeDef } from '../../common/custom-scheme.js';
import { MAX_CHECK_TIMEOUT_MS, runChecks } from '../../outbound/check.js';
import { parseHeaderLine } from '../../outbound/check-deliveries.js';
import { targetUrlSchema } from '../../outbound/exchange.js';
import { resolveSecret, SendInputError } from '../../outbound/sender.js';
import { TEMPLATE_IDS } from '../../outbound/templates.js';
import { BIN_ID_PATTERN } from '../../store/ids.js';
import type { Bins } from '../../store/index.js';
import { isSchemeId, SCHEME_LIST, type SecretInput } from '../../verify/index.js';
import { ApiError } from '../errors.js';
import { jsonBody } from '../validate.js';

/** What the check route needs. */
export interface CheckDeps {
  /** The bins whose secrets and schemes a check may name. */
  store: Pick<Bins, 'getBin'>;
  /** Secrets from the config, found by name after a bin's own. */
  globalSecrets: readonly SecretInput[];
  /** Users' own schemes from `--schemes FILE`. */
  globalSchemes?: readonly CustomSchemeDef[];
}

/** Check runs at once; more are refused (each holds the endpoint and a request of this API for seconds). */
export const MAX_CHECKS_AT_ONCE = 2;

/** `POST /api/check` (also described by openapi.ts). */
export const checkBody = z
  .object({
    /** The endpoint to check. */
    to: targetUrlSchema,
    scheme: z.string().refine((id) => isSchemeId(id) || CUSTOM_SCHEME_ID.test(id), `not a scheme id (${SCHEME_LIST}, or one of your own schemes)`),
    /** The NAME of a configured secret (the bin's, then `--secret`), or else the secret value itself. */
    secret: z.string().min(1, 'a secret must not be empty').max(4096),
    template: z.string().refine((t) => TEMPLATE_IDS.includes(t), `template is one of ${TEMPLATE_IDS.join(', ')}`).optional(),
    /** Whose secrets and schemes `secret` and `scheme` are looked up in, before the global ones. */
    bin: z.string().regex(BIN_ID_PATTERN, 'not a bin id').optional(),
    timeoutMs: z.number().int().min(1).max(MAX_CHECK_TIMEOUT_MS, `timeoutMs is at most ${MAX_CHECK_TIMEOUT_MS}`).optional(),
    /** The URL the provider is configured with (a tunnel's): URL-signed schemes sign it instead of `to`. */
    publicUrl: targetUrlSchema.optional(),
    /** `Name: value`: a header the endpoint answers with a failure; with it the retry check runs. */
    retryHeader: z
      .string()
      .max(2048)
      .refine((h) => typeof parseHeaderLine(h) !== 'string', "retryHeader must be 'Name: value' (an HTTP token, a value without line breaks)")
      .optional(),
    /** https only: do not verify the endpoint's certificate (a self-signed local app). */
    insecure: z.boolean().optional(),
  })
  .strict();

/** The check route: `/check`. */
export function createCheckRoutes(deps: CheckDeps) {
  let running = 0;
  return new Hono().post('/check', jsonBody(checkBody), async (c) => {
    const input = c.req.valid('json');
    const bin = input.bin === undefined ? undefined : deps.store.getBin(input.bin);
    if (input.bin !== undefined && !bin) throw new ApiError(404, 'bin_not_found', `there is no bin "${input.bin}"`);
    const settings = bin ? normalizeSettings(bin.settings) : null;
    let custom: CustomSchemeDef | undefined;
    if (!isSchemeId(input.scheme)) {
      custom = mergeSchemes(settings?.schemes ?? [], deps.globalSchemes ?? []).find((d) => d.id === input.scheme);
      if (!custom) {
        throw new ApiError(400, 'invalid_request', `scheme "${input.scheme}" is neither built in nor defined in ${input.bin === undefined ? '' : `bin "${input.bin}"'s schemes or `}--schemes; to check with a bin's own scheme, pass bin`);
      }
    }
    const sign = resolveSecret(input.scheme, input.secret, [...(settings?.secrets ?? []), ...deps.globalSecrets], custom);
    if (running >= MAX_CHECKS_AT_ONCE) throw new ApiError(429, 'check_busy', `${MAX_CHECKS_AT_ONCE} checks are running; try again when one has finished`);
    running++;
    try {
      const retryHeader = input.retryHeader === undefined ? null : parseHeaderLine(input.retryHeader);
      const report = await runChecks({
        to: input.to,
        scheme: input.scheme,
        custom,
        secret: sign.secret,
        secretName: sign.secretName,
        template: input.template,
        timeoutMs: input.timeoutMs,
        publicUrl: input.publicUrl ?? null,
        retryHeader: typeof retryHeader === 'string' ? null : retryHeader,
        insecure: input.insecure === true,
      });
      return c.json(report, 200);
    } catch (err) {
      if (err instanceof SendInputError) throw new ApiError(422, 'cannot_sign', err.message);
      throw err;
    } finally {
      running--;
    }
  });
}
