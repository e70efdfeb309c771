/**
 * `X-MakePlans-Signature: sha256=<hex>` — HMAC-SHA256 of the raw body with
 * the account secret (Makeplans' docs).
 */
import { bodyHmacScheme } from './body-hmac.js';

/** The `makeplans` scheme (`sha256=` + hex HMAC-SHA256 of the body). */
export const makeplans = bodyHmacScheme('makeplans', { name: 'X-MakePlans-Signature', algorithm: 'sha256', encoding: 'hex', label: 'sha256=' });
