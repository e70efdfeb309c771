/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 of
 * `v0:<x-zm-request-timestamp>:<body>` keyed by the app's secret token as
 * text (Slack's shape under Zoom's names). Zoom publishes no library and no
 * tolerance, so hookbin keeps its 300 s either way. The URL-validation
 * challenge Zoom sends before enabling an endpoint is answered in
 * capture/zoom-challenge.ts.
 */
import type { Scheme } from '../types.js';
import { v0Scheme } from './v0.js';

/** The `zoom` scheme (timed, 300 s either way). */
export const zoom: Scheme = v0Scheme({ id: 'zoom', header: 'x-zm-signature', timestampHeader: 'x-zm-request-timestamp' });
