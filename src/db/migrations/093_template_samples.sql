-- The example file of a template's media header, uploaded from the Templates page (issue 15):
-- @hubspot/ui-extensions has no file input, so the page opens our upload page in an iframe by a
-- short-lived single-use signed link (this row); the upload goes to Meta's Resumable Upload API and
-- the handle it answers is kept here until the template is created with `headerSampleId`.
CREATE TABLE template_samples (
  id               TEXT PRIMARY KEY,            -- random; the link carries it with an HMAC signature
  portal_id        BIGINT NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
  user_id          BIGINT NOT NULL,             -- the admin the page was signed for
  phone_number_id  TEXT NOT NULL,               -- whose token uploads it
  waba_id          TEXT NOT NULL,
  format           TEXT NOT NULL CHECK (format IN ('IMAGE', 'VIDEO', 'DOCUMENT')),
  expires_at       TIMESTAMPTZ NOT NULL,        -- of the link
  used_at          TIMESTAMPTZ,                 -- the link was used (an upload is under way or done)
  handle           TEXT,                        -- Meta's `4::…` example handle
  filename         TEXT,
  mime_type        TEXT,
  size_bytes       BIGINT,
  uploaded_at      TIMESTAMPTZ,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX template_samples_portal ON template_samples (portal_id, created_at);
