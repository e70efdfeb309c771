-- A capture's X-Hookbin-Retry header (common/retry-claim.ts), kept apart from
-- its headers when it is stored: the events view reads it for every attempt it
-- lists, and finding it in the headers' JSON then (a LIKE, then json_each over
-- every header) cost seconds on a bin a stranger filled with captures of
-- thousands of headers each. Null for a capture without one, or one stored
-- before this column (the header is new; such captures are judged as before it).
ALTER TABLE captures ADD COLUMN retry_claim TEXT;
