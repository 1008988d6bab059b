export {
  buildTemplateComponents,
  checkTemplateParameters,
  headerMediaFormat,
  placeholdersOf,
  renderTemplateText,
  type HeaderMedia,
  type Placeholder,
  type TemplateComponent,
  type TemplateDefinition,
} from './placeholders.js';
export { applyTemplateQuality, applyTemplateStatus, findTemplate, listApprovedTemplates, upsertTemplate, type TemplateRow } from './repo.js';
export { syncTemplates, type RemoteTemplate, type SyncResult } from './sync.js';
export { templateJson } from './present.js';
