import type { Queryable } from '../db/database.js';

export type ConsentDecision = 'granted' | 'declined' | 'opted_out' | 'opted_in';

export interface ConsentEvidence {
  portalId: number;
  contactId: number;
  conversationId: number | null;
  phoneNumberId: string;
  decision: ConsentDecision;
  /** button, text, keyword, template_button */
  method: string;
  answerMessageId: number | null;
  answerWamid: string | null;
  answerText: string | null;
  promptMessageId: number | null;
  promptWamid: string | null;
  textVersion: number | null;
  textLanguage: string | null;
  textShown: string | null;
  customerPhone: string | null;
  /** Meta's timestamp of the customer's answer. */
  answeredAt: Date;
  recordedAt: Date;
}

export interface ConsentRecordRow {
  id: number;
  portal_id: number;
  contact_id: number;
  conversation_id: number | null;
  phone_number_id: string;
  decision: ConsentDecision;
  method: string;
  answer_message_id: number | null;
  answer_wamid: string | null;
  answer_text: string | null;
  prompt_message_id: number | null;
  prompt_wamid: string | null;
  text_version: number | null;
  text_language: string | null;
  text_shown: string | null;
  customer_phone: string | null;
  answered_at: Date;
  recorded_at: Date;
}

/**
 * Stores the evidence (append-only) and applies the decision to the contact, in the caller's
 * transaction: granted/declined set `consent`; opted_out/opted_in set `opted_out`.
 */
export async function recordConsent(q: Queryable, e: ConsentEvidence): Promise<ConsentRecordRow> {
  const r = await q.query<ConsentRecordRow>(
    `INSERT INTO consent_records (portal_id, contact_id, conversation_id, phone_number_id, decision, method,
       answer_message_id, answer_wamid, answer_text, prompt_message_id, prompt_wamid, text_version, text_language,
       text_shown, customer_phone, answered_at, recorded_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) RETURNING *`,
    [
      e.portalId, e.contactId, e.conversationId, e.phoneNumberId, e.decision, e.method, e.answerMessageId, e.answerWamid,
      e.answerText, e.promptMessageId, e.promptWamid, e.textVersion, e.textLanguage, e.textShown, e.customerPhone,
      e.answeredAt, e.recordedAt,
    ],
  );
  if (e.decision === 'granted' || e.decision === 'declined') {
    await q.query(`UPDATE contacts SET consent = $2, consent_at = $3, updated_at = now() WHERE id = $1`, [e.contactId, e.decision, e.answeredAt]);
  } else {
    const out = e.decision === 'opted_out';
    await q.query(`UPDATE contacts SET opted_out = $2, opted_out_at = $3, updated_at = now() WHERE id = $1`, [
      e.contactId,
      out,
      out ? e.answeredAt : null,
    ]);
  }
  return r.rows[0]!;
}

export async function consentHistory(q: Queryable, portalId: number, contactId: number): Promise<ConsentRecordRow[]> {
  const r = await q.query<ConsentRecordRow>('SELECT * FROM consent_records WHERE portal_id = $1 AND contact_id = $2 ORDER BY id', [
    portalId,
    contactId,
  ]);
  return r.rows;
}
