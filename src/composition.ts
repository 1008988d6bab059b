import { registerAttachmentUpload } from './media/upload-wiring.js';
import type { AppContext, Domain } from './app-context.js';
import { ConsentBot } from './consent/index.js';
import { CampaignsDomain, type CampaignsOptions } from './campaigns/index.js';
import { BotFlowRunner } from './botflow/runner.js';
import { ConversationsService, type ConversationSeams } from './conversations/index.js';
import { HubSpotService, type HubSpotOptions } from './hubspot/index.js';
import { RemindersDomain, type RemindersOptions } from './reminders/index.js';
import type { ContactPropertyWriter } from './seams.js';
import { registerSettingsRoutes, SettingsService } from './settings/index.js';
import { adminTasks, TemplatesService, type TemplatesOptions } from './templates/module.js';
import { WhatsAppService, type WhatsAppOptions } from './whatsapp/index.js';
import { ReportsService } from './reports/index.js'; // [reports]
import { hubspotNotifier, PlansService, type AdminNotifier } from './plans/index.js'; // [plans]

/**
 * Which domains run, and how they are configured. Every domain is on by default; tests and
 * benchmarks switch some off (`false`) or put fakes at a seam (`conversations.seams`).
 */
export interface DomainOptions {
  whatsapp?: WhatsAppOptions | false;
  hubspot?: HubSpotOptions | false;
  /** `seams` replaces the WhatsApp/HubSpot side of the conversations domain (tests only). */
  conversations?: { seams?: Partial<ConversationSeams & { properties: ContactPropertyWriter }> } | false;
  /** F5 template authoring (needs the whatsapp domain). */
  templates?: TemplatesOptions | false;
  /** F7 reminders and out-of-hours notices (needs the whatsapp domain). */
  reminders?: RemindersOptions | false;
  /** [plans] who tells a portal's admin about usage (default: a HubSpot task; tests pass a fake). */
  plans?: { notifier?: AdminNotifier };
  campaigns?: CampaignsOptions | false;
  /** More domains built on the ones above (test probes; a new domain is added in `compose` instead). */
  extra?: (ctx: AppContext, services: Services) => Domain[];
}

/** Every domain service, built once; absent when its domain is switched off. */
export interface Services {
  settings: SettingsService;
  whatsapp?: WhatsAppService;
  hubspot?: HubSpotService;
  conversations?: ConversationsService;
  reports: ReportsService;
  plans: PlansService;
  campaigns?: CampaignsDomain;
  templates?: TemplatesService;
  reminders?: RemindersDomain;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`composition: ${what}`);
  return value;
}

/**
 * The composition root: each domain service is constructed here, once, with its typed
 * dependencies; the runtime then defines every domain's jobs and mounts its routes, in this order.
 * To add a domain: construct its service below and push it on `domains` (docs/architecture.md).
 */
export function compose(ctx: AppContext, opts: DomainOptions = {}): { services: Services; domains: Domain[] } {
  const settings = new SettingsService(ctx);
  const whatsapp = opts.whatsapp === false ? undefined : new WhatsAppService(ctx, { admins: settings }, opts.whatsapp);
  const hubspot = opts.hubspot === false ? undefined : new HubSpotService(ctx, { media: whatsapp, channel: whatsapp }, opts.hubspot);

  let conversations: ConversationsService | undefined;
  if (opts.conversations !== false) {
    const fake = opts.conversations?.seams ?? {};
    const seams: ConversationSeams = {
      sender: required(fake.sender ?? whatsapp, 'conversations need a MessageSender (the whatsapp domain or a fake)'),
      directory: required(fake.directory ?? hubspot, 'conversations need a ContactDirectory (the hubspot domain or a fake)'),
      tasks: required(fake.tasks ?? hubspot, 'conversations need a TaskNotifier (the hubspot domain or a fake)'),
      consent: required(fake.consent ?? hubspot, 'conversations need a ConsentMirror (the hubspot domain or a fake)'),
    };
    conversations = new ConversationsService({
      ctx,
      settings,
      ...seams,
      // F8/F9 in the consent domain; it mirrors consent to HubSpot through the same seam
      consentBot: new ConsentBot({ mirror: seams.consent, events: ctx.events }),
      // the bot flow's collect steps write contact properties; no bot flow without a writer
      botFlow: (fake.properties ?? hubspot) && new BotFlowRunner({ properties: (fake.properties ?? hubspot)! }),
    });
  }

  // The settings domain's own routes (settings, agents, owners, the caller), mounted after the
  // conversation routes; agent changes are handed to the conversations domain (hand-over, drain).
  const settingsRoutes: Domain | undefined = conversations && {
    name: 'settings',
    mountRoutes: (router) => registerSettingsRoutes(ctx, router, { settings, directory: conversations!.deps.directory, agents: conversations }),
  };

  // ---- new domains (campaigns, reports, templates, …) are constructed here, from the services above ----
  // Attachment upload (card → iframe upload page, src/media/upload-wiring.ts).
  const upload: Domain | undefined =
    whatsapp && conversations
      ? { name: 'attachment-upload', mountRoutes: (router) => void registerAttachmentUpload(ctx, router, conversations!.sends, (p) => whatsapp.uploadMedia(p)) }
      : undefined;

  // [reports] [plans] the manager dashboard and export (F23), plans and usage (F24)
  const reports = new ReportsService(ctx, settings);
  const plans = new PlansService(ctx, opts.plans?.notifier ?? hubspotNotifier(ctx, hubspot));

  const campaigns = opts.campaigns === false || !whatsapp ? undefined : new CampaignsDomain(ctx, { settings, sender: whatsapp, lists: hubspot, linker: hubspot }, opts.campaigns);

  const templates =
    opts.templates === false || !whatsapp
      ? undefined
      : new TemplatesService(ctx, { admins: settings, hubspot: hubspot && adminTasks(ctx, hubspot) }, opts.templates);
  const reminders = opts.reminders === false || !whatsapp ? undefined : new RemindersDomain(ctx, { settings, sender: whatsapp }, opts.reminders);

  const services: Services = { settings, whatsapp, hubspot, conversations, reports, plans, campaigns, templates, reminders };
  const domains: Domain[] = [whatsapp, hubspot, conversations, settingsRoutes, upload, reports, plans, campaigns, templates, reminders].filter((d): d is NonNullable<typeof d> => d !== undefined);
  domains.push(...(opts.extra?.(ctx, services) ?? []));
  return { services, domains };
}
