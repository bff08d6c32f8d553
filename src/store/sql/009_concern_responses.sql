-- A substantive response to a formal concern in three parts
-- (docs/concerns.md): what was decided, what was done or not done, and
-- why. They are columns of the respond event, so the history stays one
-- append-only table (concern_event_no_update and concern_event_no_delete
-- cover them). From this version on, the event's `text` of a response is
-- an optional note beside the parts ('' when there is none); responses
-- recorded before it hold their whole answer in `text` and no parts.
ALTER TABLE concern_event ADD COLUMN decision TEXT; -- respond: what was decided
ALTER TABLE concern_event ADD COLUMN actions TEXT;  -- respond: what was done or not done
ALTER TABLE concern_event ADD COLUMN reasons TEXT;  -- respond: why

-- Every response from now on carries all three parts, and no other event
-- carries any. The engine checks them first, with messages naming the part
-- (concern_response_check); this is the floor under it.
CREATE TRIGGER concern_event_response_parts BEFORE INSERT ON concern_event
WHEN NEW.event = 'respond' AND (NEW.decision IS NULL OR trim(NEW.decision) = ''
    OR NEW.actions IS NULL OR trim(NEW.actions) = '' OR NEW.reasons IS NULL OR trim(NEW.reasons) = '')
BEGIN SELECT RAISE(ABORT, 'a response says what was decided, what was done or not done, and why'); END;
CREATE TRIGGER concern_event_parts_only_respond BEFORE INSERT ON concern_event
WHEN NEW.event <> 'respond' AND (NEW.decision IS NOT NULL OR NEW.actions IS NOT NULL OR NEW.reasons IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'only a response has a decision, actions and reasons'); END;
