/**
 * Limits the server enforces and the inspector checks before sending, so a
 * form refuses what the API would: one definition both import.
 */

/** The longest request target (path and query) hookbin reads; longer ones get 414. */
export const MAX_URL_LENGTH = 8192;

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

// ------------------------------------------------------------ what a bin answers

/** The longest a bin may wait before answering: 10 minutes, past any provider's timeout. */
export const MAX_DELAY_MS = 600_000;
/** Response bodies a bin may be set to answer with, in characters. */
export const MAX_RESPOND_BODY = 1024 * 1024;
/** The most headers a bin's answer (or one rule's) sets. */
export const MAX_RESPOND_HEADERS = 64;
/** The longest value of one header a bin sets. */
export const MAX_RESPOND_HEADER_VALUE = 8192;
/** The most attempts `failFirst` fails. */
export const MAX_FAIL_FIRST = 100;
/** The most outcomes a `sequence` lists. */
export const MAX_SEQUENCE = 100;
/** The largest `Retry-After` a bin sends, in seconds: a day. */
export const MAX_RETRY_AFTER_S = 86_400;
/** The largest repeatable-random pattern number (`random.seed` in the API): an unsigned 32-bit number. */
export const MAX_RANDOM_PATTERN = 2 ** 32 - 1;
/** The longest glob of a rule (a path, event type or header value pattern). */
export const MAX_RULE_GLOB = 500;
/** The longest header name a bin's event key names. */
export const MAX_EVENT_KEY_HEADER = 256;
/** The longest JSON pointer a bin's event key gives. */
export const MAX_EVENT_KEY_POINTER = 1024;

// ------------------------------------------------------------ export and import

/** The largest file `POST /api/bins/{id}/import` reads (an NDJSON export or a HAR file): 256 MiB. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;
/** What `GET /api/bins/{id}/export?format=` writes and the import reads. */
export const TRANSFER_FORMATS = ['ndjson', 'har'] as const;
/** One of TRANSFER_FORMATS. */
export type TransferFormat = (typeof TRANSFER_FORMATS)[number];
/** The version of hookbin's NDJSON export this hookbin writes, and the only one it imports. */
export const EXPORT_VERSION = 1;
