-- A bin's capture count is no longer raised by a trigger row by row: the
-- capture writer (store/capture-writer.ts) and an import
-- (store/capture-import.ts), the only two paths that insert captures, add
-- what they stored once per transaction and bin. The trigger's UPDATE of
-- the bin's row on every insert, and the query of the count before it, were
-- two of the capture path's costliest statements. Deletes keep their trigger:
-- they come from many places (retention, the API, a cleared bin).
DROP TRIGGER IF EXISTS captures_count_insert;
