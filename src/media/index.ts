export { LocalDiskStorage, type MediaStorage } from './storage.js';
export { MEDIA_LIMITS, baseMime, checkOutboundMedia, formatBytes, kindOfMime, sniffMime, type MediaKind } from './rules.js';
export { MediaUrlSigner, attachmentUsage, chargeAttachment, getMediaObject, mediaOfMessage, monthOf, storedMediaKeys, type MediaObjectRow } from './repo.js';
export { INLINE_MIME_TYPES, mediaResponseHeaders } from './serve.js';
