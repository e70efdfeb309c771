import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Context } from 'hono';
import { errorBody, INTERNAL_ERROR_MESSAGE } from '../common/error-body.js';

/** A failure with a stable machine-readable `code`, formatted once by `onError`. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(status, { message });
  }
}

const CODES: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
};

export { errorBody };

/** A JSON error response; the one place error bodies are built. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json(errorBody(code, message), status);
}

/**
 * The app's `onError`: `ApiError`/`HTTPException` keep their status and
 * message; anything else is a 500 whose details go to the log, not the client.
 */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return errorResponse(c, err.status as ContentfulStatusCode, err.code, err.message);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return errorResponse(c, status, CODES[status] ?? 'error', err.message || 'request failed');
  }
  console.error('hookbin: unexpected error', err);
  return errorResponse(c, 500, 'internal', INTERNAL_ERROR_MESSAGE);
}

/** A start failure the CLI reports as one sentence (exit 1): a port in use, an unwritable or locked data dir. */
export class StartError extends Error {}
