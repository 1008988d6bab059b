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
export { applyTemplateQuality, applyTemplateStatus, blockedTemplateNames, findTemplate, listAllTemplates, listApprovedTemplates, upsertTemplate, type TemplateRow } from './repo.js';
export { assertTemplateLint, lintTemplate, type TemplateDraft } from './lint.js';
export { TemplateAuthoring, type TemplateMeta } from './authoring.js';
export { syncTemplates, type RemoteTemplate, type SyncResult } from './sync.js';
export { templateJson } from './present.js';
