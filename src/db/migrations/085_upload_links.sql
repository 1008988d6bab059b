-- Short-lived single-use links to the attachment upload page the card opens in an iframe
-- (src/media/upload-links.ts). The row makes "single use" hold across app instances.
CREATE TABLE upload_links (
  id                  TEXT PRIMARY KEY,            -- random; the link carries it with an HMAC signature
  portal_id           BIGINT NOT NULL,
  user_id             BIGINT NOT NULL,             -- the HubSpot user the card was signed for
  hubspot_contact_id  TEXT NOT NULL,
  expires_at          TIMESTAMPTZ NOT NULL,
  used_at             TIMESTAMPTZ,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX upload_links_expiry ON upload_links (expires_at);
