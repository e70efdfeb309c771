-- Bodies over one part (1 MiB) are stored in parts. SQLite copies a blob it
-- is given and then copies it again into the record it builds, so a 50 MiB
-- body written whole needs 100 MiB more memory for the moment of the write;
-- written in parts it needs 2 MiB. `bodies.data` holds the first part (all
-- of a small body); the rest follow here in order, and
-- `captures.stored_size` says how many bytes there are in all.
CREATE TABLE body_parts (
  seq  INTEGER NOT NULL REFERENCES captures (seq) ON DELETE CASCADE,
  part INTEGER NOT NULL,   -- 1, 2, … (part 0 is bodies.data)
  data BLOB NOT NULL,
  PRIMARY KEY (seq, part)
) STRICT;
