// Graph API error responses and WhatsApp error catalog, shaped like Meta's.
import type { Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { MetaErrorObject } from './types.js';

export const ERROR_HREF = '/documentation/business-messaging/whatsapp/support/error-codes';

export function fbtraceId(): string {
  return randomBytes(17).toString('base64url').slice(0, 23);
}

export interface GraphErrorInit {
  httpStatus?: number;
  message: string;
  code: number;
  subcode?: number;
  details?: string;
  /** Include `error_data: { messaging_product, details }` (Cloud API messaging endpoints). */
  messaging?: boolean;
  userTitle?: string;
  userMsg?: string;
  isTransient?: boolean;
}

/** A synchronous Graph API error; routes throw it and the error middleware renders it. */
export class GraphError extends Error {
  readonly init: GraphErrorInit;
  constructor(init: GraphErrorInit) {
    super(init.message);
    this.init = init;
  }
  get httpStatus(): number {
    return this.init.httpStatus ?? 400;
  }
  body(): { error: Record<string, unknown> } {
    const i = this.init;
    const error: Record<string, unknown> = { message: i.message, type: 'OAuthException', code: i.code };
    if (i.subcode !== undefined) error.error_subcode = i.subcode;
    if (i.isTransient !== undefined) error.is_transient = i.isTransient;
    if (i.userTitle) error.error_user_title = i.userTitle;
    if (i.userMsg) error.error_user_msg = i.userMsg;
    if (i.messaging || i.details !== undefined) {
      error.error_data = { messaging_product: 'whatsapp', details: i.details ?? i.message };
    }
    error.fbtrace_id = fbtraceId();
    return { error };
  }
}

export function sendGraphError(res: Response, err: GraphError): void {
  res.status(err.httpStatus).json(err.body());
}

// ---- constructors for the errors the simulator produces ------------------------------------------

export const errors = {
  invalidToken: (): GraphError =>
    new GraphError({ httpStatus: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }),
  missingToken: (): GraphError =>
    // Meta's spec documents code 104 for a missing token; the product treats every token failure as 190.
    new GraphError({ httpStatus: 401, code: 190, message: 'An access token is required to request this resource.' }),
  expiredToken: (when: string): GraphError =>
    new GraphError({
      httpStatus: 401,
      code: 190,
      subcode: 463,
      message: `Error validating access token: Session has expired on ${when}. The current time is ${when}.`,
    }),
  invalidatedToken: (): GraphError =>
    new GraphError({
      httpStatus: 401,
      code: 190,
      subcode: 460,
      message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    }),
  unknownObject: (method: string, id: string): GraphError =>
    new GraphError({
      code: 100,
      subcode: 33,
      message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    }),
  unknownPath: (path: string): GraphError =>
    new GraphError({ code: 2500, message: `Unknown path components: ${path}` }),
  paramRequired: (param: string): GraphError =>
    new GraphError({ code: 100, message: `(#100) The parameter ${param} is required.`, messaging: true, details: `The parameter ${param} is required.` }),
  invalidParam: (details: string): GraphError =>
    new GraphError({ code: 100, message: '(#100) Invalid parameter', messaging: true, details }),
  paramMessage: (message: string): GraphError =>
    new GraphError({ code: 100, message: `(#100) ${message}`, messaging: true, details: message }),
  nonexistingField: (field: string, nodeType: string): GraphError =>
    new GraphError({ code: 100, message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})` }),
  paramValueInvalid: (details: string): GraphError =>
    new GraphError({ code: 131009, message: '(#131009) Parameter value is not valid', messaging: true, details }),
  requiredParamMissing: (details: string): GraphError =>
    new GraphError({ code: 131008, message: '(#131008) Required parameter is missing', messaging: true, details }),
  throughput: (): GraphError =>
    new GraphError({
      code: 130429,
      subcode: 2494055,
      message: '(#130429) Rate limit hit',
      messaging: true,
      details: 'Cloud API message throughput has been reached.',
    }),
  pairRate: (): GraphError =>
    new GraphError({
      code: 131056,
      message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      messaging: true,
      details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    }),
  templateMissing: (name: string, language: string): GraphError =>
    new GraphError({
      code: 132001,
      message: '(#132001) Template name does not exist in the translation',
      messaging: true,
      details: `template name (${name}) does not exist in ${language}`,
    }),
  templateParamCount: (details: string): GraphError =>
    new GraphError({
      code: 132000,
      message: '(#132000) Number of parameters does not match the expected number of params',
      messaging: true,
      details,
    }),
  templateParamFormat: (details: string): GraphError =>
    new GraphError({ code: 132012, message: '(#132012) Parameter format does not match format in the created template', messaging: true, details }),
  templatePaused: (name: string): GraphError =>
    new GraphError({ code: 132015, message: '(#132015) Template is Paused', messaging: true, details: `Template ${name} is paused due to low quality.` }),
  templateDisabled: (name: string): GraphError =>
    new GraphError({ code: 132016, message: '(#132016) Template is Disabled', messaging: true, details: `Template ${name} has been disabled due to low quality.` }),
  mediaUpload: (details: string): GraphError =>
    new GraphError({ code: 131053, message: '(#131053) Media upload error', messaging: true, details }),
  templateCreate: (subcode: number, userTitle: string, userMsg: string): GraphError =>
    new GraphError({ code: 100, subcode, message: 'Invalid parameter', isTransient: false, userTitle, userMsg }),
};

// ---- asynchronous errors (status webhooks) ------------------------------------------------------

function statusError(code: number, title: string, details: string): MetaErrorObject {
  return { code, title, message: title, error_data: { details }, href: ERROR_HREF };
}

export const statusErrors = {
  reEngagement: (): MetaErrorObject =>
    statusError(
      131047,
      'Re-engagement message',
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    ),
  notOnWhatsApp: (): MetaErrorObject =>
    statusError(
      131026,
      'Message undeliverable',
      'Unable to deliver message. Reasons can include: The recipient phone number is not a WhatsApp phone number; The recipient has not accepted our new Terms of Service and Privacy Policy; The recipient is using an old WhatsApp version.',
    ),
  marketingOptOut: (): MetaErrorObject =>
    statusError(
      131050,
      'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
      'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
    ),
  invalidReaction: (): MetaErrorObject =>
    statusError(131009, 'Parameter value is not valid', 'Reaction message_id is not a valid message that can be reacted to.'),
  mediaDownload: (details: string): MetaErrorObject => statusError(131053, 'Media upload error', details),
  rateLimitHit: (): MetaErrorObject =>
    statusError(
      130429,
      'Rate limit hit',
      'Message failed to send because there were too many messages sent from this phone number in a short period of time',
    ),
  pairRateLimitHit: (): MetaErrorObject =>
    statusError(
      131056,
      '(Business Account, Consumer Account) pair rate limit hit',
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    ),
  ecosystemEngagement: (): MetaErrorObject =>
    statusError(
      131049,
      'This message was not delivered to maintain healthy ecosystem engagement.',
      'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
    ),
};
