/** What the control-plane routes share: ids in paths, page queries, the 404s they answer, and how they tell live clients. */
import { z } from 'zod';
import type { ServerMessage } from '../../common/types.js';
import { BIN_ID_PATTERN, BIN_ID_RULE } from '../../common/limits.js';
import { ApiError } from '../errors.js';
import { pathParams } from '../validate.js';

/** Tells live clients what changed; called after the store committed it. */
export type Publish = (message: ServerMessage, binId?: string) => void;

/** The most items one page returns. */
export const MAX_PAGE = 1000;

/** A bin id in a path or a body. */
export const binIdSchema = z.string().regex(BIN_ID_PATTERN, BIN_ID_RULE);
/** `:binId` in a path. */
export const binParam = pathParams(z.object({ binId: binIdSchema }));
/** `:id` of a capture in a path. */
export const captureParam = pathParams(z.object({ id: z.string().regex(/^[0-9a-z]{1,64}$/, 'not a capture id') }));
/** `:id` of a delivery (or a capture to resend) in a path. */
export const idParam = pathParams(z.object({ id: z.string().regex(/^[0-9a-z]{1,64}$/, 'not an id') }));

const VERDICTS = ['valid', 'invalid', 'expired', 'malformed', 'no-secret', 'unsigned'] as const;
/** `?limit&before&verdict` of a list: a page size, the previous page's `next` cursor, and a verdict filter. */
export const pageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `limit is a whole number from 1 to ${MAX_PAGE}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE, `limit is a whole number from 1 to ${MAX_PAGE}`)
    .optional(),
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'before is the "next" cursor of a previous page')
    .transform(Number)
    .optional(),
  verdict: z.enum(VERDICTS, { message: `verdict is one of ${VERDICTS.join(', ')}` }).optional(),
});

/** The scheme and host the client used, for the URLs the API writes. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** 404 for a bin id no bin has. */
export function binNotFound(id: string): ApiError {
  return new ApiError(404, 'bin_not_found', `there is no bin "${id}"`);
}

/** 503 for a send, resend or cancel while the sender is not running. */
export function senderUnavailable(): ApiError {
  return new ApiError(503, 'sender_unavailable', 'the sender is not running');
}

/** 404 for a capture id no capture has. */
export function captureNotFound(id: string): ApiError {
  return new ApiError(404, 'capture_not_found', `there is no capture "${id}"`);
}
