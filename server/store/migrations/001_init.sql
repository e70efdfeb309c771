-- Bins and their captures. Summary columns live in `captures` so that lists
-- never read a body; the bytes live apart in `bodies`.
CREATE TABLE bins (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,            -- ms since the epoch
  settings      TEXT NOT NULL DEFAULT '{}',  -- JSON, validated by the API
  capture_count INTEGER NOT NULL DEFAULT 0,  -- kept by the triggers below
  pruned_count  INTEGER NOT NULL DEFAULT 0   -- captures removed by retention
) STRICT;

-- AUTOINCREMENT: a seq is never reused, so a pagination cursor stays valid
-- after deletes.
CREATE TABLE captures (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT NOT NULL UNIQUE,
  bin_id         TEXT NOT NULL REFERENCES bins(id) ON DELETE CASCADE,
  received_at    INTEGER NOT NULL,           -- ms since the epoch
  method         TEXT NOT NULL,
  path           TEXT NOT NULL,
  query          TEXT NOT NULL,
  content_type   TEXT,
  body_size      INTEGER NOT NULL,           -- declared or received size
  stored_size    INTEGER NOT NULL,           -- bytes kept in `bodies`
  truncated      INTEGER NOT NULL,
  remote_address TEXT,
  status         INTEGER,                    -- what hookbin answered; NULL for a fault
  headers        TEXT NOT NULL,              -- JSON [[name, value], …] as received
  response       TEXT NOT NULL,              -- JSON, what hookbin answered
  meta           TEXT NOT NULL DEFAULT '{}'  -- JSON, e.g. httpVersion
) STRICT;

CREATE INDEX captures_bin_seq ON captures (bin_id, seq);

CREATE TABLE bodies (
  seq  INTEGER PRIMARY KEY REFERENCES captures (seq) ON DELETE CASCADE,
  data BLOB NOT NULL
) STRICT;

CREATE TRIGGER captures_count_insert AFTER INSERT ON captures BEGIN
  UPDATE bins SET capture_count = capture_count + 1 WHERE id = NEW.bin_id;
END;

CREATE TRIGGER captures_count_delete AFTER DELETE ON captures BEGIN
  UPDATE bins SET capture_count = capture_count - 1 WHERE id = OLD.bin_id;
END;
