-- The capture an attempt of hookbin's own sender made, when it was delivered
-- to one of this hookbin's bins: the bin's reply names it in
-- `x-hookbin-capture-id`. The events view reads it back to judge hookbin's
-- own deliveries at the preset and time scale they were sent with. It is the
-- outbox's own record (not a header a stranger could put on a request), and
-- it counts only for a capture received while that attempt was out.
ALTER TABLE outbox_attempts ADD COLUMN capture_id TEXT;

CREATE INDEX outbox_attempts_capture ON outbox_attempts (capture_id) WHERE capture_id IS NOT NULL;

-- The capture the latest attempt made: a retry into a bin of hookbin names
-- it (X-Hookbin-Retry: after=…), the proof that `hookbin send`, whose outbox
-- is in its own process, gives the server of what it sent.
ALTER TABLE outbox ADD COLUMN last_capture_id TEXT;
