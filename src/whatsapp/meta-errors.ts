import { AppError } from '../errors.js';
import type { MetaApiError } from './graph.js';

/**
 * What an error from Meta means for us (notes §13), for synchronous Graph errors and for `failed`
 * statuses alike. `reason` is our stable code; subscribers of `message.status` read it from
 * `messages.error.reason`.
 */
export type MetaErrorReason =
  | 'WINDOW_CLOSED'
  | 'TEMPLATE_PARAMS'
  | 'TEMPLATE_UNAVAILABLE'
  | 'UNDELIVERABLE'
  | 'MARKETING_LIMIT'
  | 'NUMBER_TOKEN_INVALID'
  | 'RATE_LIMITED'
  | 'VALIDATION'
  | 'MEDIA_ERROR'
  | 'ACCOUNT_RESTRICTED'
  | 'WHATSAPP_UNAVAILABLE'
  | 'WHATSAPP_ERROR'
  /** Ours, not Meta's: the send was cut off before Meta's answer was stored, and Meta never reported it. */
  | 'SEND_UNCONFIRMED';

const RETRYABLE = new Set([130429, 131056, 131057, 131000, 1, 2, 131016, 133004, 4, 80007]);

export function reasonFor(code: number | string | undefined): MetaErrorReason {
  switch (code) {
    case 131047:
      return 'WINDOW_CLOSED';
    case 132000:
    case 132001:
    case 132005:
    case 132012:
      return 'TEMPLATE_PARAMS';
    case 132007:
    case 132015:
    case 132016:
      return 'TEMPLATE_UNAVAILABLE';
    case 131026:
      return 'UNDELIVERABLE';
    case 131049:
    case 131050:
      return 'MARKETING_LIMIT';
    case 0:
    case 190:
      return 'NUMBER_TOKEN_INVALID';
    case 130429:
    case 131056:
    case 4:
    case 80007:
      return 'RATE_LIMITED';
    case 100:
    case 131008:
    case 131009:
      return 'VALIDATION';
    case 131052:
    case 131053:
      return 'MEDIA_ERROR';
    case 131031:
    case 368:
    case 131042:
    case 130497:
    case 131048:
    case 131064:
      return 'ACCOUNT_RESTRICTED';
    case 131057:
    case 131000:
    case 1:
    case 2:
    case 131016:
    case 133004:
      return 'WHATSAPP_UNAVAILABLE';
    default:
      return 'WHATSAPP_ERROR';
  }
}

/** Worth trying again later (throughput, pair rate, Meta temporarily unavailable, network). */
export function isRetryable(e: MetaApiError): boolean {
  return e.network || (e.code !== undefined && RETRYABLE.has(e.code));
}

const MESSAGES: Record<MetaErrorReason, [number, string]> = {
  WINDOW_CLOSED: [409, 'The 24-hour window is closed: the customer has not written in the last 24 hours. Send a template to reopen the conversation.'],
  TEMPLATE_PARAMS: [422, 'WhatsApp rejected the template parameters (count, format or language).'],
  TEMPLATE_UNAVAILABLE: [409, 'This template is paused or disabled by WhatsApp and cannot be sent now.'],
  UNDELIVERABLE: [409, 'WhatsApp cannot deliver to this customer (not a WhatsApp number, or an outdated app).'],
  MARKETING_LIMIT: [409, 'WhatsApp did not deliver this marketing message: the customer reached their marketing limit or stopped marketing messages from this business.'],
  NUMBER_TOKEN_INVALID: [409, 'The access token of this WhatsApp number is no longer valid. An admin must reconnect the number with a new token.'],
  RATE_LIMITED: [429, 'WhatsApp is rate limiting this number or this customer; the message could not be sent. Try again in a moment.'],
  VALIDATION: [422, 'WhatsApp rejected the message as invalid.'],
  MEDIA_ERROR: [422, 'WhatsApp could not process the attachment (type or size).'],
  ACCOUNT_RESTRICTED: [409, 'The WhatsApp Business account is restricted; messages cannot be sent. An admin should check WhatsApp Manager.'],
  WHATSAPP_UNAVAILABLE: [503, 'WhatsApp is temporarily unavailable; try again in a moment.'],
  WHATSAPP_ERROR: [502, 'WhatsApp refused the message.'],
  SEND_UNCONFIRMED: [
    504,
    'WhatsApp never confirmed this message: the app was interrupted while sending it. It was not sent again, to avoid a duplicate; check with the customer or send it again.',
  ],
};

export function errorMessageFor(reason: MetaErrorReason): string {
  return MESSAGES[reason][1];
}

/** The AppError a caller of the sender gets for a Meta error. */
export function appErrorFor(reason: MetaErrorReason, meta?: { code?: number | string; details?: string; fbtraceId?: string }): AppError {
  const [status, message] = MESSAGES[reason];
  const detail = meta?.details && reason !== 'NUMBER_TOKEN_INVALID' ? ` (${meta.details})` : '';
  return new AppError(status, reason, message + detail, meta?.code !== undefined ? { metaCode: meta.code, fbtraceId: meta.fbtraceId } : undefined);
}
