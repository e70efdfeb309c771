-- The sender's outbox: deliveries hookbin makes (POST /api/send, resends of
-- captures) and every attempt of each, so pending retries survive a restart.
--
-- `sign` holds the signing secret itself (resolved from a configured secret's
-- name at enqueue, or given literally): timed schemes re-sign every attempt,
-- including attempts made after a restart. It is never served whole; the API
-- shows its name or a masked value. Bin secrets live in this file already.
CREATE TABLE outbox (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  id                TEXT NOT NULL UNIQUE,
  kind              TEXT NOT NULL,              -- send | resend
  source_capture_id TEXT,                       -- the capture a resend came from (may be deleted since)
  created_at        INTEGER NOT NULL,           -- ms since the epoch
  updated_at        INTEGER NOT NULL,
  state             TEXT NOT NULL,              -- pending | delivered | failed | cancelled
  next_at           INTEGER,                    -- when the next attempt is due; NULL once finished
  method            TEXT NOT NULL,
  url               TEXT NOT NULL,
  headers           TEXT NOT NULL,              -- JSON [[name, value], …] before signing
  sign              TEXT NOT NULL DEFAULT '[]', -- JSON [{scheme, secret, secretName}]
  sign_id           TEXT NOT NULL,              -- the delivery id schemes that send one sign with
  retry             TEXT NOT NULL,              -- JSON {preset, schedule, timeScale, timeoutMs}
  attempt_count     INTEGER NOT NULL DEFAULT 0,
  last_status       INTEGER,
  last_error        TEXT,
  body_size         INTEGER NOT NULL,
  stored_bytes      INTEGER NOT NULL,           -- body plus stored reply bytes, for retention by size
  body              BLOB NOT NULL               -- last: lists never read it
) STRICT;

-- Resuming after a restart reads only the pending ones.
CREATE INDEX outbox_pending ON outbox (state, next_at) WHERE state = 'pending';

CREATE TABLE outbox_attempts (
  outbox_seq         INTEGER NOT NULL REFERENCES outbox (seq) ON DELETE CASCADE,
  n                  INTEGER NOT NULL,          -- 1 for the first attempt
  at                 INTEGER NOT NULL,          -- ms since the epoch, when the request started
  duration_ms        INTEGER NOT NULL,
  status             INTEGER,                   -- the target's status; NULL when no reply came
  error              TEXT,                      -- refused | reset | timeout | dns | tls | other; NULL on a complete reply
  error_message      TEXT,
  request            TEXT NOT NULL,             -- JSON {method, url, headers} exactly as sent
  response_headers   TEXT,                      -- JSON pairs as received; NULL without a reply
  response_body      BLOB,                      -- the first 1 MiB of the reply
  response_size      INTEGER,                   -- bytes received (more than stored when truncated)
  response_truncated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (outbox_seq, n)
) STRICT;
