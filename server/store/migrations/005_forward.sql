-- Live forwarding: the developer's app's reply to a forwarded capture (JSON
-- {url, at, status, headers, bodyBase64, size, truncated, durationMs, error,
-- errorMessage, relayed}), NULL when the capture was not forwarded.
ALTER TABLE captures ADD COLUMN forward TEXT;
