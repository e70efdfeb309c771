-- Signature verdicts, computed on the capture path and again whenever the
-- secrets that judge them change. `verdict` summarizes `signatures` for lists
-- and filters: NULL when the request carried no signature header.
ALTER TABLE captures ADD COLUMN signatures TEXT NOT NULL DEFAULT '[]';
ALTER TABLE captures ADD COLUMN verdict TEXT;

-- Small facts about the database itself, e.g. which global secrets the stored
-- verdicts were computed with.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
