import { validator } from 'hono/validator';
import type { Env, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.js';

/** One readable sentence from a zod failure: `field: problem; field: problem`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'invalid_request', `invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/**
 * Validates a JSON body. The body is parsed whatever its Content-Type (so
 * `curl -d` works); an empty body counts as `{}`; malformed JSON is a 400.
 * Hand-written rather than `validator('json')`, which skips bodies that are
 * not labelled JSON and would let `curl -d '{"id":"x"}'` pass as empty.
 */
export function jsonBody<S extends z.ZodType>(
  schema: S,
): MiddlewareHandler<Env, string, { in: { json: z.input<S> }; out: { json: z.output<S> } }> {
  return async (c, next) => {
    const text = await c.req.text();
    let parsed: unknown = {};
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
      }
    }
    c.req.addValidatedData('json', check(schema, parsed, 'body') as object);
    await next();
  };
}

/** Validates the query string (last value of each key). */
export function queryParams<S extends z.ZodType>(schema: S) {
  return validator('query', (value) => {
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(value)) flat[k] = Array.isArray(v) ? v[v.length - 1] : v;
    return check(schema, flat, 'query') as z.output<S>;
  });
}

/** Validates route parameters. */
export function pathParams<S extends z.ZodType>(schema: S) {
  return validator('param', (value) => check(schema, value, 'path') as z.output<S>);
}
