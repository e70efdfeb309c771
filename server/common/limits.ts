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

/**
 * Bin ids and custom bin slugs: lowercase letters, digits, `_` and `-`, 1–64
 * characters. The API refuses any other; the inspector says so before
 * offering to make a bin an address names.
 */
export const BIN_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;
/** The rule of BIN_ID_PATTERN in words, as the API and the inspector say it. */
export const BIN_ID_RULE = 'a bin id is 1–64 of a-z, 0-9, _ and -';
