-- Full-text search over captures (GET /api/bins/{id}/captures?q=). One row per
-- capture, its rowid the capture's seq, holding the text a search reads: the
-- request line, the query decoded, the header pairs, and the first 64 KiB of
-- the body's text (decoded when compressed; none for a body that is not
-- text). The trigram tokenizer matches any piece of 3 characters or more,
-- case-insensitively, so a value deep in a JSON body (cus_9f8a7) is found by
-- any part of it. Contentless: the text is not kept twice, and
-- contentless_delete lets a row go without its text.
--
-- The capture path does not write here: store/search.ts indexes committed
-- captures in the background, in seq order, and `meta`'s
-- 'search.indexedTo' says how far it got (absent: nothing yet, so a database
-- from before this migration is indexed from its oldest capture on).
CREATE VIRTUAL TABLE capture_text USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1);

-- A capture's text goes with it (deleted, cleared with its bin, or pruned), but
-- not inside the capture path's transaction: removing a row from an FTS5 index
-- costs about a millisecond a transaction, so pruning an indexed capture would
-- slow every capture of a full bin. Its seq is queued here instead (only when
-- it may have been indexed), and the indexer removes the queued rows in
-- batches soon after; searches join `captures`, so they never show them.
CREATE TABLE capture_text_gone (
  seq INTEGER PRIMARY KEY
) STRICT;

CREATE TRIGGER captures_text_delete AFTER DELETE ON captures
WHEN OLD.seq <= CAST(coalesce((SELECT value FROM meta WHERE key = 'search.indexedTo'), '0') AS INTEGER)
BEGIN
  INSERT OR IGNORE INTO capture_text_gone (seq) VALUES (OLD.seq);
END;
