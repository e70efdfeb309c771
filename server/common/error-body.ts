import type { ApiErrorBody } from './types.js';

/** The JSON error body every API failure uses, and the answers hookbin gives on a bin's behalf (404, 413, a relay that failed). */
export function errorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}
