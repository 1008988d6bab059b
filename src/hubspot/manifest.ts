import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The app component of the HubSpot project: the one place the OAuth scopes are declared. */
export const APP_MANIFEST_PATH = fileURLToPath(new URL('../../extensions/app/app-hsmeta.json', import.meta.url));

const manifestSchema = z.object({
  uid: z.string(),
  type: z.literal('app'),
  config: z.object({
    name: z.string(),
    auth: z.object({
      type: z.literal('oauth'),
      redirectUrls: z.array(z.string()).default([]),
      requiredScopes: z.array(z.string().min(1)).min(1),
      optionalScopes: z.array(z.string().min(1)).default([]),
    }),
  }),
});

export interface AppManifest {
  name: string;
  requiredScopes: string[];
  optionalScopes: string[];
  redirectUrls: string[];
}

/** Reads the scopes from extensions/app/app-hsmeta.json; a missing or malformed file stops start-up. */
export function loadAppManifest(path = APP_MANIFEST_PATH): AppManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the HubSpot app manifest at ${path}: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The HubSpot app manifest ${path} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const c = parsed.data.config;
  return { name: c.name, requiredScopes: c.auth.requiredScopes, optionalScopes: c.auth.optionalScopes, redirectUrls: c.auth.redirectUrls };
}
