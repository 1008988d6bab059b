/** Consent (F8) and opt-out (F9): answers, keywords, bot texts and the evidence store. */
export { CONSENT_BUTTON, classifyButton, classifyTypedAnswer, matchesKeyword, normalizeAnswer, type ConsentAnswer } from './answers.js';
export { consentHistory, recordConsent, type ConsentDecision, type ConsentEvidence, type ConsentRecordRow } from './consent-repo.js';
export { MAX_CONSENT_PROMPTS, botText, consentNotice, consentPrompt, consentReminder, type InteractiveButtons } from './messages.js';
export { ConsentBot, type BotConversation, type BotSend, type ConsentTurn, type ConversationPort } from './bot.js';
