/**
 * Limits the server enforces and the inspector checks before sending, so a
 * form refuses what the API would: one definition both import.
 */

/** The longest wait before one attempt of a delivery, before scaling: 7 days (past any provider's longest gap). */
export const MAX_WAIT_MS = 7 * 24 * 3600 * 1000;
/** The most attempts one delivery makes. */
export const MAX_ATTEMPTS = 50;
/** The longest target URL the sender and forwarding accept. */
export const MAX_TARGET_URL_LENGTH = 4096;
