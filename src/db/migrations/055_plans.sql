-- Plans and usage (F24): the operator's per-portal plan (the default comes from PLAN_* variables),
-- and the admin notices already sent per month and threshold.

CREATE TABLE portal_plans (
  portal_id       BIGINT PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  active_contacts INT CHECK (active_contacts IS NULL OR active_contacts >= 0),  -- null: unlimited
  seats           INT CHECK (seats IS NULL OR seats >= 0),                      -- null: unlimited
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE plan_notices (
  portal_id   BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  month       DATE NOT NULL,
  threshold   INT NOT NULL CHECK (threshold IN (80, 100)),
  used        INT NOT NULL,
  allowed     INT NOT NULL,
  notified_at TIMESTAMPTZ,                -- the admin's HubSpot task was created
  attempts    INT NOT NULL DEFAULT 0,
  last_error  TEXT,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, month, threshold)
);
CREATE INDEX plan_notices_pending ON plan_notices (created_at) WHERE notified_at IS NULL;

-- Active contacts this month: distinct contacts with a message in or out, per portal and time range.
CREATE INDEX messages_portal_time ON messages (portal_id, sent_at, contact_id);
