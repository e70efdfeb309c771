import type { ApiErrorBody } from './types.js';

/** The JSON error body every API failure uses, and the answers hookbin gives on a bin's behalf (404, 413, a relay that failed). */
export function errorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** What a client is told of a failure hookbin did not expect (the details go to its log). */
export const INTERNAL_ERROR_MESSAGE = 'hookbin hit an unexpected error; the request was not completed';
