import { z } from 'zod';

/** A configuration problem: start-up prints `message` as its one line and exits 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const postgresUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'must be a postgres:// URL such as postgres://user@host:5432/db');

const httpUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

const base64Key = z.string().refine((v) => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return false;
  return Buffer.from(v, 'base64').length === 32;
}, 'must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)');

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const positiveInt = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive whole number' });
        return z.NEVER;
      }
      return n;
    });

/** [plans] a whole number of contacts or seats; unset, empty or "unlimited" means no limit. */
const planLimit = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '' || v.trim().toLowerCase() === 'unlimited') return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number (or "unlimited")' });
      return z.NEVER;
    }
    return n;
  });

/** A CSP host source: scheme, host (may start with *.) and an optional port or :*; no path, no quotes. */
const CSP_SOURCE = /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:(\d{1,5}|\*))?$/;

/** Where HubSpot shows our upload page in its iframe modal (openIframeModal): its app domains. */
export const HUBSPOT_FRAME_ANCESTORS = ['https://app.hubspot.com', 'https://app-eu1.hubspot.com', 'https://*.hubspot.com'] as const;

/** Local hosts allowed to frame the upload page outside production (the demo page, the extension host). */
const DEV_FRAME_ANCESTORS = ["'self'", 'http://localhost:*', 'http://127.0.0.1:*'];

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 3000;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'must be a port number from 0 to 65535' });
        return z.NEVER;
      }
      return n;
    }),
  PUBLIC_BASE_URL: httpUrl.optional(),
  HUBSPOT_SIGNED_BASE_URLS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      for (const u of list) {
        const r = httpUrl.safeParse(u);
        if (!r.success) {
          ctx.addIssue({ code: 'custom', message: `must be comma-separated http(s) URLs ("${u}" is not one)` });
          return z.NEVER;
        }
      }
      return list.map((u) => u.replace(/\/+$/, ''));
    }),
  DATABASE_URL: postgresUrl.optional().or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  ENCRYPTION_KEY: base64Key.optional().or(z.literal('').transform(() => undefined)),
  HUBSPOT_CLIENT_ID: optionalNonEmpty,
  HUBSPOT_CLIENT_SECRET: optionalNonEmpty,
  HUBSPOT_API_BASE_URL: httpUrl.default('https://api.hubapi.com'),
  HUBSPOT_AUTH_BASE_URL: httpUrl.default('https://app.hubspot.com'),
  WHATSAPP_API_BASE_URL: httpUrl.default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v24.0')
    .default('v24.0'),
  WHATSAPP_APP_SECRET: optionalNonEmpty,
  WHATSAPP_VERIFY_TOKEN: optionalNonEmpty,
  WHATSAPP_THROUGHPUT_PER_SECOND: positiveInt(80),
  ATTACHMENT_QUOTA_MB: positiveInt(50),
  DB_POOL_MAX: positiveInt(10),
  // [plans] the default plan of every portal (F24); an operator overrides it per portal (docs/reports.md)
  PLAN_NAME: z.string().trim().min(1).max(60).default('Standard'),
  PLAN_ACTIVE_CONTACTS: planLimit,
  PLAN_SEATS: planLimit,
  // [edge] extension API calls one portal may make per minute, all instances together (docs/limits.md)
  API_RATE_LIMIT_PER_MINUTE: positiveInt(2400),
  JOBS_FAIR_SHARE: positiveInt(100),
  // [edge] extra origins that may frame the upload page, beside HubSpot's app domains (docs/security.md)
  FRAME_ANCESTORS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '').split(/[\s,]+/).filter(Boolean);
      const bad = list.find((s) => !CSP_SOURCE.test(s));
      if (bad) {
        ctx.addIssue({ code: 'custom', message: `must be space- or comma-separated origins such as https://crm.example.com or http://localhost:* ("${bad}" is not one)` });
        return z.NEVER;
      }
      return list;
    }),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  port: number;
  publicBaseUrl: string;
  databaseUrl?: string;
  dataDir: string;
  /** Base64 key from ENCRYPTION_KEY; undefined means "use the development key in DATA_DIR". */
  encryptionKey?: string;
  hubspot: {
    clientId: string;
    clientSecret: string;
    apiBaseUrl: string;
    authBaseUrl: string;
    /** Base URLs a `hubspot.fetch` signature may cover: the public one, and in development the local one. */
    signedBaseUrls: string[];
  };
  whatsapp: {
    apiBaseUrl: string;
    apiVersion: string;
    appSecret: string;
    verifyToken: string;
    throughputPerSecond: number;
  };
  attachmentQuotaBytes: number;
  dbPoolMax: number;
  /** [plans] default plan; null limits are unlimited. */
  plan: { name: string; activeContacts: number | null; seats: number | null };
  /** [edge] per-portal budget of extension API calls per minute (429 RATE_LIMITED beyond it). */
  apiRateLimitPerMinute: number;
  /** Jobs one portal (or number) may enqueue per queue in 10 s before its work yields to quieter ones (jobs/fairness.ts). */
  jobsFairShare: number;
  /** [edge] CSP frame-ancestors of the upload page: HubSpot's domains, FRAME_ANCESTORS, local hosts in development. */
  frameAncestors: string[];
}

export interface LoadOptions {
  /** `npm start`: refuse to run without HubSpot and Meta credentials. */
  requireCredentials?: boolean;
}

const CREDENTIALS = [
  'HUBSPOT_CLIENT_ID',
  'HUBSPOT_CLIENT_SECRET',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
] as const;

/** Parses the environment once; throws ConfigError with one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  const e = parsed.data;
  if (opts.requireCredentials) {
    const missing = CREDENTIALS.filter((k) => !e[k]);
    if (missing.length > 0) {
      throw new ConfigError(
        `Missing configuration: ${missing.join(', ')} must be set (the HubSpot app and Meta app credentials; see README "Production")`,
      );
    }
  }
  if (e.NODE_ENV === 'production' && !e.ENCRYPTION_KEY) {
    throw new ConfigError('Missing configuration: ENCRYPTION_KEY is required when NODE_ENV=production (32 bytes, base64)');
  }
  const production = e.NODE_ENV === 'production';
  // HubSpot and Meta only call https URLs, and signed media / upload links must not travel in clear.
  if (production && !e.PUBLIC_BASE_URL?.startsWith('https://')) {
    throw new ConfigError('Invalid configuration: PUBLIC_BASE_URL must be set to an https URL when NODE_ENV=production (the address HubSpot and Meta call)');
  }
  const publicBaseUrl = e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`;
  const signedBaseUrls = e.HUBSPOT_SIGNED_BASE_URLS.length > 0 ? e.HUBSPOT_SIGNED_BASE_URLS : [publicBaseUrl];
  if (production && signedBaseUrls.some((u) => !u.startsWith('https://'))) {
    throw new ConfigError('Invalid configuration: HUBSPOT_SIGNED_BASE_URLS must list only https URLs when NODE_ENV=production (local origins are for development)');
  }
  // The embedded database is one process's files: several instances cannot share it, and it has no backups.
  if (production && !e.DATABASE_URL) {
    throw new ConfigError('Missing configuration: DATABASE_URL is required when NODE_ENV=production (the embedded database is for development)');
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    encryptionKey: e.ENCRYPTION_KEY,
    hubspot: {
      clientId: e.HUBSPOT_CLIENT_ID ?? '',
      clientSecret: e.HUBSPOT_CLIENT_SECRET ?? '',
      apiBaseUrl: e.HUBSPOT_API_BASE_URL,
      authBaseUrl: e.HUBSPOT_AUTH_BASE_URL,
      signedBaseUrls,
    },
    whatsapp: {
      apiBaseUrl: e.WHATSAPP_API_BASE_URL,
      apiVersion: e.WHATSAPP_API_VERSION,
      appSecret: e.WHATSAPP_APP_SECRET ?? '',
      verifyToken: e.WHATSAPP_VERIFY_TOKEN ?? '',
      throughputPerSecond: e.WHATSAPP_THROUGHPUT_PER_SECOND,
    },
    attachmentQuotaBytes: e.ATTACHMENT_QUOTA_MB * 1024 * 1024,
    dbPoolMax: e.DB_POOL_MAX,
    plan: { name: e.PLAN_NAME, activeContacts: e.PLAN_ACTIVE_CONTACTS, seats: e.PLAN_SEATS },
    apiRateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    jobsFairShare: e.JOBS_FAIR_SHARE,
    frameAncestors: [...HUBSPOT_FRAME_ANCESTORS, ...e.FRAME_ANCESTORS, ...(production ? [] : DEV_FRAME_ANCESTORS)],
  };
}
