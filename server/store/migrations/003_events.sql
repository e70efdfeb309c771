-- Event grouping: which provider event a capture delivers, and which attempt
-- of it. `attempt` is fixed when the capture is stored (it decides answers
-- such as failFirst), so later deletes never renumber history.
ALTER TABLE captures ADD COLUMN event_key TEXT NOT NULL DEFAULT '';
ALTER TABLE captures ADD COLUMN event_type TEXT;
ALTER TABLE captures ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;

-- Counting earlier attempts and listing an event's attempts both read this.
CREATE INDEX captures_bin_event ON captures (bin_id, event_key, seq);
