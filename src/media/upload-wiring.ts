// Builds the attachment upload (links + page) from the app's context and the two domain calls it
// needs. Called from ONE spot (src/conversations/index.ts, marked "attachment upload"), so the
// composition root can take it over as is.
import { createHmac } from 'node:crypto';
import type { Router } from 'express';
import type { AppContext } from '../app-context.js';
import type { Caller } from '../conversations/commands.js';
import type { RepSends } from '../conversations/rep-send.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import { resolveEncryptionKey } from '../security/encryption.js';
import type { MediaKind } from './rules.js';
import { registerUploadRoutes } from './upload-page.js';
import { UploadLinks } from './upload-links.js';

export type UploadMedia = (p: {
  portalId: number; contactId: number; phoneNumberId: string; bytes: Buffer; mimeType: string; filename: string;
}) => Promise<{ mediaId: string; kind: MediaKind }>;

export function registerAttachmentUpload(ctx: AppContext, router: Router, sends: RepSends, uploadMedia: UploadMedia): UploadLinks {
  const key = createHmac('sha256', Buffer.from(resolveEncryptionKey(ctx.config.encryptionKey, ctx.config.dataDir), 'base64')).update('upload-links').digest();
  const links = new UploadLinks({ db: ctx.db, clock: ctx.clock, key, publicBaseUrl: ctx.config.publicBaseUrl });
  registerUploadRoutes(router, {
    links,
    signed: requireHubSpotSignature(ctx),
    callerOf: (req) => callerOf(req),
    quotaBytes: ctx.config.attachmentQuotaBytes,
    frameAncestors: ctx.config.frameAncestors,
    send: (caller, hubspotContactId, f) =>
      sends.sendAttachment(caller as Caller, hubspotContactId, f, (t) =>
        uploadMedia({ portalId: caller.portalId, contactId: t.contactId, phoneNumberId: t.phoneNumberId, bytes: f.bytes, mimeType: f.mimeType, filename: f.filename }),
      ),
  });
  return links;
}
