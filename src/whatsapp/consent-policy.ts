import type { ContactRow } from '../contacts/contacts-repo.js';
import { AppError } from '../errors.js';
import type { OutboundRequest } from './types.js';

/**
 * F7/F9, enforced in the sender so that no sender (card, transfer, campaigns, …) can skip it:
 * a message a person or a campaign starts (`agent`, `campaign`) needs the contact's consent and no
 * opt-out. The allowed exceptions are the automatic messages (`bot`, `system`): the consent bot's
 * own prompt and its answers (including the opt-out confirmation), and automatic replies to a
 * customer who has just written (inside the window Meta enforces).
 */
export function checkConsent(contact: Pick<ContactRow, 'opted_out' | 'consent'>, req: Pick<OutboundRequest, 'sender'>): void {
  if (req.sender === 'bot' || req.sender === 'system') return;
  if (contact.opted_out) throw new AppError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages; nothing can be sent until they write START.');
  if (contact.consent !== 'granted') {
    throw new AppError(409, 'NO_CONSENT', 'This contact has not accepted the data-processing consent yet, so no agent message can be sent.');
  }
}
