-- A bin's respond.headers used to start as {"content-type":"application/json"},
-- hookbin's default rather than the user's choice, so a text body set later
-- still went out labelled JSON. The Content-Type is now inferred from the
-- body when the user sets none: bins still holding exactly the old default
-- lose it, and their answers are typed by their bodies ({"ok":true} stays JSON).
UPDATE bins
SET settings = json_set(settings, '$.respond.headers', json('{}'))
WHERE json_valid(settings)
  AND json_extract(settings, '$.respond.headers') = '{"content-type":"application/json"}';
