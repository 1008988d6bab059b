-- Campaign audiences prepared before the campaign (issue 14): a CSV uploaded through the app page's
-- iframe upload page, or a HubSpot list read by a job. Its validated rows wait here (`ready`) until
-- POST /api/v1/campaigns takes them (`used`, rows cleared) or the row expires (a day, then deleted).
CREATE TABLE campaign_audiences (
  id               BIGSERIAL PRIMARY KEY,
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  user_id          BIGINT NOT NULL,
  phone_number_id  TEXT NOT NULL,
  template_name    TEXT NOT NULL,
  language         TEXT NOT NULL,
  source           TEXT NOT NULL CHECK (source IN ('csv', 'hubspot_list')),
  list_id          TEXT,
  list_name        TEXT,
  -- A list's placeholder values, the same for every member except {{property}} tokens; its media header URL.
  parameters       JSONB,
  header_media_url TEXT,
  status           TEXT NOT NULL CHECK (status IN ('awaiting_upload', 'loading', 'ready', 'failed', 'used')),
  rows             JSONB,
  total            INT NOT NULL DEFAULT 0,
  -- Rows known not sendable (list members without a usable phone…): skip code → count.
  excluded         JSONB NOT NULL DEFAULT '{}',
  progress         JSONB,
  error            JSONB,
  filename         TEXT,
  -- A CSV audience's upload page link (src/media/link-tokens.ts, purpose campaign-csv): its id and end.
  upload_link_id   TEXT UNIQUE,
  upload_expires_at TIMESTAMPTZ,
  campaign_id      BIGINT REFERENCES campaigns(id) ON DELETE SET NULL,
  expires_at       TIMESTAMPTZ NOT NULL,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX campaign_audiences_expiry ON campaign_audiences (expires_at);

-- A HubSpot list member may have no usable phone: its row is kept (skipped, with the HubSpot contact).
ALTER TABLE campaign_recipients
  ADD COLUMN hubspot_contact_id TEXT,
  ALTER COLUMN phone_e164 DROP NOT NULL;
