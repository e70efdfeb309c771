-- A delivery may skip verifying its target's TLS certificate: a developer's
-- app on https://localhost with a self-signed certificate. Off unless asked
-- for, per delivery, so that it holds for retries made after a restart too.
ALTER TABLE outbox ADD COLUMN insecure INTEGER NOT NULL DEFAULT 0;
