/**
 * The public JSON shapes of the control API (see design.md, "Public contract").
 * The inspector imports these types; nothing here has runtime code.
 */

import type { SchemeId, SignatureStatus, SignatureVerdict } from './verify/types.js';

export type { SchemeId, SignatureStatus, SignatureVerdict };

/** A header as received or sent: `[name, value]`, name case preserved. */
export type HeaderPair = [name: string, value: string];

/** A signing secret as the API shows it: the value masked (`whsec_…c123`), never whole. */
export interface MaskedSecret {
  name: string;
  value: string;
  /** When set, the secret is only tried for this scheme. */
  scheme: SchemeId | null;
}

/** A capture's signature verdict in one word: the best of its `signatures`' statuses. */
export type Verdict = SignatureStatus;

/** What a bin answers to every request (issue 5 adds faults, sequences and rules). */
export interface RespondSettings {
  /** HTTP status, 200–599. */
  status: number;
  /** Extra response headers, name → value. */
  headers: Record<string, string>;
  /** Response body text. */
  body: string;
}

/** A bin as the API returns it. */
export interface Bin {
  id: string;
  name: string;
  /** Absolute ingress URL, built from the Host the client used. */
  url: string;
  /** ISO-8601 with milliseconds. */
  createdAt: string;
  captureCount: number;
  /** How many captures retention removed from this bin. */
  prunedCount: number;
  respond: RespondSettings;
  /** The bin's own signing secrets, masked; tried before the global ones. */
  secrets: MaskedSecret[];
}

/** What hookbin answered to a captured request. */
export interface CaptureResponse {
  status: number;
  headers: HeaderPair[];
  body: string;
  delayMs: number;
  fault: null;
}

/** One capture in a list: no headers, no body. */
export interface CaptureSummary {
  id: string;
  binId: string;
  /** ISO-8601 with milliseconds. */
  receivedAt: string;
  method: string;
  /** The path after `/b/{binId}`, raw (percent-encoding kept); "" when none. */
  path: string;
  /** The raw query string without `?`; "" when none. */
  query: string;
  contentType: string | null;
  /** Declared (Content-Length) or received size in bytes. */
  bodySize: number;
  /** True when only the first bytes were kept (body over the size limit). */
  truncated: boolean;
  remoteAddress: string | null;
  /** The status hookbin answered. */
  status: number | null;
  /** The best signature status of the capture, or null when it carried no signature header. */
  verdict: Verdict | null;
}

/** The whole capture, as `GET /api/captures/{id}` returns it. */
export interface Capture extends CaptureSummary {
  /** Header pairs exactly as received: order, case and duplicates kept. */
  headers: HeaderPair[];
  httpVersion: string | null;
  /** Bytes stored (equals bodySize unless truncated). */
  storedSize: number;
  /** The body as text when it is valid UTF-8, else null (see bodyBase64). */
  body: string | null;
  /** The stored body bytes, base64. */
  bodyBase64: string;
  response: CaptureResponse;
  /**
   * One verdict per scheme whose header is present, judged now with the
   * current secrets as of the capture's arrival time; `diagnosis` says why
   * one is not valid when hookbin can tell.
   */
  signatures: SignatureVerdict[];
  /** Event grouping (filled by the retry timeline, issue 5). */
  event: null;
}

/** A page of captures, newest first; pass `next` as `before` for the next page. */
export interface CapturePage {
  captures: CaptureSummary[];
  next: string | null;
}

/** The JSON error body of every failed API call. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** Messages the inspector sends on `/api/ws`. */
export type ClientMessage =
  /** Replace the set of bins whose capture events this socket receives; `"*"` means every bin. */
  | { type: 'subscribe'; bins: string[] }
  /** Keep-alive from the client; answered with `pong`. */
  | { type: 'ping' };

/**
 * Messages the server sends on `/api/ws`: small summaries only; bodies and
 * headers travel over HTTP. Bin events go to every socket, capture events only
 * to sockets subscribed to that bin.
 */
export type ServerMessage =
  | { type: 'hello'; version: string; heartbeatMs: number }
  /** Sent every `heartbeatMs`; a client that hears nothing for twice that reconnects. */
  | { type: 'heartbeat' }
  | { type: 'subscribed'; bins: string[] }
  | { type: 'capture.created'; capture: CaptureSummary; pruned: number }
  | { type: 'capture.deleted'; binId: string; id: string }
  | { type: 'captures.cleared'; binId: string }
  | { type: 'bin.created'; bin: Bin }
  | { type: 'bin.updated'; bin: Bin }
  | { type: 'bin.deleted'; binId: string }
  /** Stored verdicts changed because secrets changed: refetch the list (`binId` null: every bin). */
  | { type: 'captures.reverified'; binId: string | null }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };
