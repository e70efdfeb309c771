-- A bin's capture count is no longer lowered by a trigger row by row either:
-- a bin at its retention limit prunes a capture for every one it stores,
-- and the trigger's UPDATE of the bin's row for each pruned capture cost
-- about 3 µs of the capture path's time. Every path that deletes captures
-- lowers the count itself, in the statement or transaction that deletes:
-- retention with the pruned count (store/retention.ts), deleting one capture
-- and clearing a bin (store/captures.ts). Deleting a bin takes its row with it.
DROP TRIGGER IF EXISTS captures_count_delete;
