-- A status webhook belongs to the number it came for (issue 17): a wamid's statuses are kept per
-- (wamid, number, status), so a status reported for another portal's number can neither take the
-- slot of this number's status nor be applied to this portal's message.
ALTER TABLE message_status_events DROP CONSTRAINT message_status_events_wamid_status_key;
ALTER TABLE message_status_events ADD CONSTRAINT message_status_events_wamid_number_status_key UNIQUE (wamid, phone_number_id, status);
