import { z } from 'zod';
import type { ForwardOptions, MaskedSecret, RespondSettings } from '../common/types.js';
import { targetUrlSchema } from '../outbound/exchange.js';
import { SCHEME_LIST, isSchemeId, maskSecret, type SecretInput } from '../verify/index.js';
import { checkCustomSchemes, CUSTOM_SCHEME_ID, mergeSchemes, type CustomSchemeDef } from '../common/custom-scheme.js';
import { eventKeyHeaderSchema, eventKeyPointerSchema } from './event-identity.js';
import type { BinSettings, EventKeySettings, StoredSecret } from '../store/records.js';

export type { BinSettings, EventKeySettings, StoredSecret };
import { answerHeaderProblem, HTTP_TOKEN as HEADER_NAME } from '../common/http-syntax.js';
import {
  MAX_DELAY_MS,
  MAX_FAIL_FIRST,
  MAX_RANDOM_PATTERN,
  MAX_RESPOND_BODY,
  MAX_RESPOND_HEADERS,
  MAX_RETRY_AFTER_S,
  MAX_RULE_GLOB,
  MAX_SEQUENCE,
} from '../common/limits.js';

export { MAX_DELAY_MS, MAX_RESPOND_BODY };

/**
 * A record of user-chosen keys that refuses a `__proto__` key up front. zod
 * builds a record's output as a plain object, where assigning `__proto__`
 * sets the prototype instead of adding a key: `{"__proto__": "x", "a": "b"}`
 * lost the key, and `{"__proto__": {…}}` passed unchecked and emptied the
 * record. Refusing it names the problem; no header is called that.
 */
export function userRecord<T extends z.ZodType>(record: T) {
  return z
    .unknown()
    .refine((v) => v === null || typeof v !== 'object' || !Object.hasOwn(v, '__proto__'), '"__proto__" is not allowed as a key')
    .pipe(record);
}

/** Response headers as PATCH takes them: each one `answerHeaderProblem` lets through, each name once in any case, at most `MAX_RESPOND_HEADERS`. */
const headerMap = userRecord(
  z
    .record(z.string(), z.string())
    .superRefine((h, ctx) => {
      for (const [name, value] of Object.entries(h)) {
        const problem = answerHeaderProblem(name, value);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: [name] });
      }
    })
    .refine((h) => Object.keys(h).length <= MAX_RESPOND_HEADERS, `at most ${MAX_RESPOND_HEADERS} headers`)
    // HTTP names are case-insensitive: `X-A` and `x-a` would be one header sent twice, and which one wins unclear.
    .refine((h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length, 'each header name once, in any case'),
);

/** The most rules one bin holds. */
export const MAX_RULES = 50;
/**
 * The most characters of wildcard globs (`*` or `?` in them) across one
 * bin's rules. Every request from anyone is matched against them, at a cost
 * of (glob length × text length) for a 16 KiB header: 50 rules of 500
 * characters took ~100 ms a request, 2000 characters in all take ~10 ms.
 * Globs without a wildcard are compared whole, at no such cost, and do not count.
 */
export const MAX_RULE_GLOB_CHARS = 2000;

/** The characters of wildcard globs in `rules` (see `MAX_RULE_GLOB_CHARS`). */
function wildcardGlobChars(rules: readonly z.infer<typeof ruleSchema>[]): number {
  let total = 0;
  for (const { match } of rules) {
    for (const glob of [match.path, match.eventType, match.header?.value]) if (glob !== undefined && /[*?]/.test(glob)) total += glob.length;
  }
  return total;
}

const status = z.number().int().min(200, 'a status is 200–599').max(599, 'a status is 200–599');
const fault = z.enum(['reset', 'hang'], { message: 'a fault is "reset" or "hang"' });
const outcome = z.union([status, fault]);
const delayMs = z.number().int().min(0).max(MAX_DELAY_MS, `delayMs is at most ${MAX_DELAY_MS} (10 minutes)`);
const glob = z.string().min(1).max(MAX_RULE_GLOB);

const ruleSchema = z
  .object({
    match: z
      .object({
        method: z.string().regex(/^[A-Za-z]{1,20}$/, 'a method is letters only').optional(),
        path: glob.optional(),
        eventType: glob.optional(),
        header: z.object({ name: z.string().regex(HEADER_NAME, 'header names must be HTTP tokens'), value: glob.optional() }).strict().optional(),
      })
      .strict(),
    respond: z
      .object({ status, headers: headerMap, body: z.string().max(MAX_RESPOND_BODY), delayMs, fault: fault.nullable() })
      .partial()
      .strict(),
  })
  .strict();

/** `respond` as PATCH accepts it: every key optional, merged into the current one; `null` clears an optional feature. */
export const respondPatchSchema = z
  .object({
    status,
    headers: headerMap,
    body: z.string().max(MAX_RESPOND_BODY),
    delayMs,
    fault: fault.nullable(),
    failFirst: z.object({ count: z.number().int().min(1).max(MAX_FAIL_FIRST), status: outcome.default(500) }).strict().nullable(),
    sequence: z.array(outcome).min(1).max(MAX_SEQUENCE).nullable(),
    random: z
      .object({
        rate: z.number().min(0).max(1),
        status: outcome.default(500),
        seed: z.number().int().min(0).max(MAX_RANDOM_PATTERN).nullable().default(null),
      })
      .strict()
      .nullable(),
    retryAfter: z.number().int().min(0).max(MAX_RETRY_AFTER_S).nullable(),
    rules: z
      .array(ruleSchema)
      .max(MAX_RULES, `at most ${MAX_RULES} rules`)
      .superRefine((rules, ctx) => {
        const total = wildcardGlobChars(rules);
        if (total > MAX_RULE_GLOB_CHARS) {
          ctx.addIssue({
            code: 'custom',
            message: `the rules' globs with * or ? hold ${total} characters in all; at most ${MAX_RULE_GLOB_CHARS} are allowed, since every request is matched against them (a glob without a wildcard does not count)`,
          });
        }
      }),
  })
  .partial()
  .strict();

/** `eventKey` as PATCH accepts it: a header or a JSON pointer that names a bin's events, tried before the built-in keys. */
export const eventKeyPatchSchema = z
  .object({
    header: eventKeyHeaderSchema.nullable().default(null),
    pointer: eventKeyPointerSchema.nullable().default(null),
  })
  .strict();


/** Names of secrets: shown in verdicts instead of values. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** The most secrets one bin holds. */
export const MAX_SECRETS = 50;


/**
 * `secrets` as PATCH accepts it: the whole new list. An entry without `value`
 * keeps the value of the current secret of that name, so a client that only
 * ever saw masked values can rename, re-scope or reorder secrets.
 */
export const secretsPatchSchema = z
  .array(
    z
      .object({
        name: z.string().regex(SECRET_NAME, 'a secret name is 1–64 of letters, digits, _ . -'),
        value: z.string().min(1, 'a secret value must not be empty').max(4096).optional(),
        // A built-in id or a user's own scheme's: the route checks that the scheme exists.
        scheme: z
          .string()
          .refine((id) => isSchemeId(id) || CUSTOM_SCHEME_ID.test(id), `not a scheme id (${SCHEME_LIST}, or one of your own schemes)`)
          .nullable()
          .optional(),
      })
      .strict(),
  )
  .max(MAX_SECRETS, `at most ${MAX_SECRETS} secrets`)
  .refine((list) => new Set(list.map((s) => s.name)).size === list.length, 'secret names must be unique');

/** Applies a validated `secrets` patch; throws with a sentence when a kept value has no current secret. */
export function patchSecrets(current: StoredSecret[], patch: z.infer<typeof secretsPatchSchema>): StoredSecret[] {
  return patch.map((entry) => {
    const value = entry.value ?? current.find((s) => s.name === entry.name)?.value;
    if (value === undefined) throw new Error(`secret "${entry.name}" has no value: send one`);
    return { name: entry.name, value, scheme: entry.scheme ?? null };
  });
}

/** Masks a list of secrets for everything that leaves the server. */
export function maskSecrets(secrets: readonly { name: string; value: string; scheme?: string | null }[]): MaskedSecret[] {
  return secrets.map((s) => ({ name: s.name, value: maskSecret(s.value), scheme: s.scheme ?? null }));
}

/** The secrets that judge a bin's captures: the bin's own, then the global ones. */
export function secretsFor(settings: BinSettings, global: readonly SecretInput[]): SecretInput[] {
  return [...settings.secrets, ...global];
}

/** `schemes` as PATCH accepts it: the bin's whole new list of its own schemes, checked by the rules the inspector applies too. */
export const schemesPatchSchema = z.custom<CustomSchemeDef[]>().superRefine((list, ctx) => {
  const problem = checkCustomSchemes(list);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** The schemes that judge a bin's captures: its own, then the global ones it does not redefine. */
export function schemesFor(settings: BinSettings, global: readonly CustomSchemeDef[]): CustomSchemeDef[] {
  return mergeSchemes(settings.schemes ?? [], global);
}

/**
 * The first secret naming a scheme that is neither built in nor among
 * `schemes`, as a sentence, or null: a secret for a scheme nobody defines
 * would never be tried.
 */
export function unknownSecretScheme(secrets: readonly StoredSecret[], schemes: readonly CustomSchemeDef[]): string | null {
  const bad = secrets.find((s) => s.scheme !== null && !isSchemeId(s.scheme) && !schemes.some((d) => d.id === s.scheme));
  return bad ? `secret "${bad.name}": "${bad.scheme}" is not a scheme id (neither built in nor defined in this bin's schemes or --schemes)` : null;
}

/** `cors` as PATCH accepts it: true answers browsers' CORS preflights and lets pages read the bin's answers (see cors.ts). */
export const corsPatchSchema = z.boolean({ message: 'cors is true or false' });

/** The longest a forward waits for the app: past any provider's own timeout. */
export const MAX_FORWARD_TIMEOUT_MS = 120_000;

/** `forwardTo` as PATCH accepts it: an http(s) URL, or null to stop forwarding. */
export const forwardToPatchSchema = targetUrlSchema.nullable();

/** `forward` as PATCH accepts it: each key optional, merged into the current options. */
export const forwardPatchSchema = z
  .object({
    relay: z.boolean(),
    timeoutMs: z.number().int().min(100, 'timeoutMs is at least 100').max(MAX_FORWARD_TIMEOUT_MS, `timeoutMs is at most ${MAX_FORWARD_TIMEOUT_MS}`),
    insecure: z.boolean(),
  })
  .partial()
  .strict();

/** Settings as read: every key present. */
export type NormalizedSettings = Required<BinSettings>;

/** How a new bin forwards: its app's reply is stored, the bin answers itself, 10 s to wait, certificates verified. */
export function defaultForward(): ForwardOptions {
  return { relay: false, timeoutMs: 10_000, insecure: false };
}

/**
 * What a new bin answers: 200 `{"ok":true}`. `headers` holds only what the
 * user sets: the body's Content-Type is inferred when they set none (see
 * answer.ts), so changing the body to text needs no header.
 */
export function defaultRespond(): RespondSettings {
  return {
    status: 200,
    headers: {},
    body: '{"ok":true}',
    delayMs: 0,
    fault: null,
    failFirst: null,
    sequence: null,
    random: null,
    retryAfter: null,
    rules: [],
  };
}

/** Settings of a new bin. */
export function defaultSettings(): NormalizedSettings {
  return { respond: defaultRespond(), secrets: [], eventKey: null, forwardTo: null, forward: defaultForward(), cors: false, schemes: [] };
}

/**
 * Reads stored settings, filling what an older row lacks with defaults, so a
 * row written by an earlier version never breaks a newer one.
 */
export function normalizeSettings(stored: Partial<BinSettings> | undefined): NormalizedSettings {
  return {
    respond: { ...defaultRespond(), ...(stored?.respond ?? {}) },
    secrets: stored?.secrets ?? [],
    eventKey: stored?.eventKey ?? null,
    forwardTo: stored?.forwardTo ?? null,
    forward: { ...defaultForward(), ...(stored?.forward ?? {}) },
    cors: stored?.cors ?? false,
    schemes: stored?.schemes ?? [],
  };
}

/** Applies a validated `respond` patch: null resets to the default, keys merge. */
export function patchRespond(current: RespondSettings, patch: z.infer<typeof respondPatchSchema> | null): RespondSettings {
  if (patch === null) return defaultRespond();
  return { ...current, ...(patch as Partial<RespondSettings>) };
}
