/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `v0:<ts>:<body>` with
 * the signing secret, where `<ts>` is `X-Slack-Request-Timestamp`; Slack asks
 * receivers to refuse timestamps more than 5 minutes old (its SDKs accept
 * one ahead of the clock).
 */
import { PAST_ONLY } from '../crypto.js';
import type { Scheme } from '../types.js';
import { v0Scheme } from './v0.js';

/** The `slack` scheme (timed: 300 s behind, any time ahead as Slack's SDKs accept). */
export const slack: Scheme = v0Scheme({ id: 'slack', header: 'X-Slack-Signature', timestampHeader: 'X-Slack-Request-Timestamp', tolerance: PAST_ONLY });
