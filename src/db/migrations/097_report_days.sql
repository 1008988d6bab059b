-- Reports (issue 13, bench goals): a per-day rollup, so a 30- or 90-day report reads about
-- days x numbers x agents rows instead of every conversation of the range.
--
-- report_days: one row per portal, business-local day the conversation started (in the portal's
-- time zone of report_day_zones), number and agent holding it now (0 = unassigned), with counts and
-- sums (averages are sums / counts at read time, never averaged averages).
-- report_day_changes: what changed since, appended by a trigger on report_conversations (one row per
-- change, signed; never updated, so concurrent writers never wait on each other). Readers add the
-- changes to the days; a read folds them into report_days now and then (src/reports/days.ts).
CREATE TABLE report_day_zones (
  portal_id  BIGINT PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
  time_zone  TEXT NOT NULL,        -- the zone report_days' dates are in; another zone rebuilds them
  built_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE report_days (
  portal_id                   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  day                         DATE NOT NULL,
  phone_number_id             TEXT NOT NULL,
  agent_id                    BIGINT NOT NULL,  -- 0: nobody holds them; no foreign key (a deleted agent's move to 0 through the trigger)
  conversations               INT NOT NULL,
  open                        INT NOT NULL,
  resolved                    INT NOT NULL,
  answered                    INT NOT NULL,
  unanswered                  INT NOT NULL,
  first_response_sum          BIGINT NOT NULL,
  first_response_n            INT NOT NULL,
  first_response_business_sum BIGINT NOT NULL,
  first_response_business_n   INT NOT NULL,
  resolution_sum              BIGINT NOT NULL,
  resolution_n                INT NOT NULL,
  PRIMARY KEY (portal_id, day, phone_number_id, agent_id)
);

CREATE TABLE report_day_changes (
  portal_id                   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  started_at                  TIMESTAMPTZ NOT NULL,  -- the day is taken in the zone at read time
  phone_number_id             TEXT NOT NULL,
  agent_id                    BIGINT NOT NULL,
  conversations               INT NOT NULL,
  open                        INT NOT NULL,
  resolved                    INT NOT NULL,
  answered                    INT NOT NULL,
  unanswered                  INT NOT NULL,
  first_response_sum          BIGINT NOT NULL,
  first_response_n            INT NOT NULL,
  first_response_business_sum BIGINT NOT NULL,
  first_response_business_n   INT NOT NULL,
  resolution_sum              BIGINT NOT NULL,
  resolution_n                INT NOT NULL
);
CREATE INDEX report_day_changes_portal ON report_day_changes (portal_id, started_at);

-- Appends what a change of a report_conversations row changes in the days: its contribution (a count
-- of 1 in each figure it is in, and its durations in the sums) in, the old one out. Inline INSERTs,
-- not a helper per row: this runs inside every reporting event.
CREATE FUNCTION report_days_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_day_changes VALUES
      (NEW.portal_id, NEW.started_at, NEW.phone_number_id, COALESCE(NEW.agent_id, 0),
       1,
       ((NEW.resolved_at IS NULL)::int),
       ((NEW.resolved_at IS NOT NULL)::int),
       ((NEW.origin = 'customer' AND NEW.first_response_at IS NOT NULL)::int),
       ((NEW.origin = 'customer' AND NEW.first_response_at IS NULL)::int),
       COALESCE(NEW.first_response_seconds, 0),
       ((NEW.first_response_seconds IS NOT NULL)::int),
       COALESCE(NEW.first_response_business_seconds, 0),
       ((NEW.first_response_business_seconds IS NOT NULL)::int),
       COALESCE(NEW.resolution_seconds, 0),
       ((NEW.resolution_seconds IS NOT NULL)::int));
  ELSIF TG_OP = 'DELETE' THEN
    -- A portal being deleted takes its report rows with it: nothing left to count.
    IF EXISTS (SELECT 1 FROM portals WHERE id = OLD.portal_id) THEN
      INSERT INTO report_day_changes VALUES
      (OLD.portal_id, OLD.started_at, OLD.phone_number_id, COALESCE(OLD.agent_id, 0),
       -1,
       -((OLD.resolved_at IS NULL)::int),
       -((OLD.resolved_at IS NOT NULL)::int),
       -((OLD.origin = 'customer' AND OLD.first_response_at IS NOT NULL)::int),
       -((OLD.origin = 'customer' AND OLD.first_response_at IS NULL)::int),
       -COALESCE(OLD.first_response_seconds, 0),
       -((OLD.first_response_seconds IS NOT NULL)::int),
       -COALESCE(OLD.first_response_business_seconds, 0),
       -((OLD.first_response_business_seconds IS NOT NULL)::int),
       -COALESCE(OLD.resolution_seconds, 0),
       -((OLD.resolution_seconds IS NOT NULL)::int));
    END IF;
  ELSIF (NEW.portal_id, NEW.started_at, NEW.phone_number_id, NEW.agent_id) IS NOT DISTINCT FROM (OLD.portal_id, OLD.started_at, OLD.phone_number_id, OLD.agent_id) THEN
    INSERT INTO report_day_changes VALUES
      (NEW.portal_id, NEW.started_at, NEW.phone_number_id, COALESCE(NEW.agent_id, 0),
       0,
       (NEW.resolved_at IS NULL)::int - (OLD.resolved_at IS NULL)::int,
       (NEW.resolved_at IS NOT NULL)::int - (OLD.resolved_at IS NOT NULL)::int,
       (NEW.origin = 'customer' AND NEW.first_response_at IS NOT NULL)::int - (OLD.origin = 'customer' AND OLD.first_response_at IS NOT NULL)::int,
       (NEW.origin = 'customer' AND NEW.first_response_at IS NULL)::int - (OLD.origin = 'customer' AND OLD.first_response_at IS NULL)::int,
       COALESCE(NEW.first_response_seconds, 0) - COALESCE(OLD.first_response_seconds, 0),
       (NEW.first_response_seconds IS NOT NULL)::int - (OLD.first_response_seconds IS NOT NULL)::int,
       COALESCE(NEW.first_response_business_seconds, 0) - COALESCE(OLD.first_response_business_seconds, 0),
       (NEW.first_response_business_seconds IS NOT NULL)::int - (OLD.first_response_business_seconds IS NOT NULL)::int,
       COALESCE(NEW.resolution_seconds, 0) - COALESCE(OLD.resolution_seconds, 0),
       (NEW.resolution_seconds IS NOT NULL)::int - (OLD.resolution_seconds IS NOT NULL)::int);
  ELSE -- moved to another day, number or agent: out of the old row, into the new one
    INSERT INTO report_day_changes VALUES
      (OLD.portal_id, OLD.started_at, OLD.phone_number_id, COALESCE(OLD.agent_id, 0),
       -1,
       -((OLD.resolved_at IS NULL)::int),
       -((OLD.resolved_at IS NOT NULL)::int),
       -((OLD.origin = 'customer' AND OLD.first_response_at IS NOT NULL)::int),
       -((OLD.origin = 'customer' AND OLD.first_response_at IS NULL)::int),
       -COALESCE(OLD.first_response_seconds, 0),
       -((OLD.first_response_seconds IS NOT NULL)::int),
       -COALESCE(OLD.first_response_business_seconds, 0),
       -((OLD.first_response_business_seconds IS NOT NULL)::int),
       -COALESCE(OLD.resolution_seconds, 0),
       -((OLD.resolution_seconds IS NOT NULL)::int)),
      (NEW.portal_id, NEW.started_at, NEW.phone_number_id, COALESCE(NEW.agent_id, 0),
       1,
       ((NEW.resolved_at IS NULL)::int),
       ((NEW.resolved_at IS NOT NULL)::int),
       ((NEW.origin = 'customer' AND NEW.first_response_at IS NOT NULL)::int),
       ((NEW.origin = 'customer' AND NEW.first_response_at IS NULL)::int),
       COALESCE(NEW.first_response_seconds, 0),
       ((NEW.first_response_seconds IS NOT NULL)::int),
       COALESCE(NEW.first_response_business_seconds, 0),
       ((NEW.first_response_business_seconds IS NOT NULL)::int),
       COALESCE(NEW.resolution_seconds, 0),
       ((NEW.resolution_seconds IS NOT NULL)::int));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER report_days_insert_delete AFTER INSERT OR DELETE ON report_conversations FOR EACH ROW EXECUTE FUNCTION report_days_track();
-- Only the columns the figures come from (a transfer count or a label change is no change of the days).
CREATE TRIGGER report_days_update AFTER UPDATE ON report_conversations FOR EACH ROW
  WHEN ((NEW.portal_id, NEW.started_at, NEW.phone_number_id, NEW.agent_id, NEW.origin, NEW.first_response_at, NEW.first_response_seconds,
         NEW.first_response_business_seconds, NEW.resolved_at, NEW.resolution_seconds)
        IS DISTINCT FROM (OLD.portal_id, OLD.started_at, OLD.phone_number_id, OLD.agent_id, OLD.origin, OLD.first_response_at, OLD.first_response_seconds,
         OLD.first_response_business_seconds, OLD.resolved_at, OLD.resolution_seconds))
  EXECUTE FUNCTION report_days_track();

-- The dashboard reads report_days now; the range index serves the export's keyset pages (start, id)
-- and the rebuild. Without the covering columns, an update of a rollup row can stay HOT (no index
-- entry to write), which keeps the write path cheap.
DROP INDEX report_conversations_range;
CREATE INDEX report_conversations_range ON report_conversations (portal_id, started_at, conversation_id);
