-- Reports (issue 13, bench goals): a reporting event is one server round trip. report_record changes
-- the conversation's rollup row (report_conversations) and, when that touched the row, appends the
-- event to reporting_events; its plans are cached in the session (a text statement is parsed and
-- planned at every call). Returns whether the event was recorded.
--
-- p_kind: opened | routed | assigned | transferred | unassigned | first_reply | resolved | reopened.
-- p_started/p_value/p_business: the start the durations count from and the durations (first_reply,
-- resolved), computed by the caller from the rollup's start and the portal's business hours.
CREATE OR REPLACE FUNCTION report_record(
  p_kind text, p_conversation bigint, p_portal bigint, p_contact bigint, p_phone text, p_at timestamptz,
  p_origin text, p_agent bigint, p_from_agent bigint, p_label text, p_started timestamptz, p_value int, p_business int
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  touched int;
BEGIN
  CASE p_kind
    WHEN 'opened' THEN
      INSERT INTO report_conversations (conversation_id, portal_id, contact_id, phone_number_id, origin, started_at)
      VALUES (p_conversation, p_portal, p_contact, p_phone, p_origin, p_at) ON CONFLICT DO NOTHING;
    WHEN 'routed', 'assigned', 'transferred' THEN
      UPDATE report_conversations SET agent_id = p_agent, transfers = transfers + CASE WHEN p_kind = 'transferred' THEN 1 ELSE 0 END
       WHERE conversation_id = p_conversation;
    WHEN 'unassigned' THEN
      UPDATE report_conversations SET agent_id = NULL WHERE conversation_id = p_conversation;
    WHEN 'first_reply' THEN
      UPDATE report_conversations SET first_response_at = p_at, first_response_agent_id = p_agent, first_response_seconds = p_value,
             first_response_business_seconds = p_business
       WHERE conversation_id = p_conversation AND first_response_at IS NULL;
    WHEN 'resolved' THEN
      UPDATE report_conversations SET resolved_at = p_at, resolution_seconds = p_value, label = p_label WHERE conversation_id = p_conversation;
    WHEN 'reopened' THEN
      UPDATE report_conversations SET resolved_at = NULL, resolution_seconds = NULL, label = NULL WHERE conversation_id = p_conversation;
  END CASE;
  GET DIAGNOSTICS touched = ROW_COUNT;
  IF touched = 0 THEN
    RETURN false;
  END IF;
  INSERT INTO reporting_events (portal_id, conversation_id, phone_number_id, kind, agent_id, from_agent_id, label, started_at,
                                value_seconds, business_seconds, at)
  VALUES (p_portal, p_conversation, p_phone, p_kind, p_agent, p_from_agent, p_label,
          p_started, p_value, p_business, p_at);
  RETURN true;
END
$$;
