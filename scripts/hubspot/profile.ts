// Writes a HubSpot config profile where the CLI reads it: <srcDir>/hsprofile.<name>.json
// (project-parsing-lib's loadHsProfileFile joins srcDir and the file name). Used by
// `npm run hubspot:profile` and by `npm run check:hubspot`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ProfileInput {
  name: string;
  accountId: number;
  apiBaseUrl: string;
}

/** Checks the arguments the way the CLI will judge the file; returns one message per problem. */
export function profileProblems(a: { name?: string; account?: string; apiBaseUrl?: string }): string[] {
  const out: string[] = [];
  if (!a.name) out.push('--name is required (e.g. --name prod)');
  else if (!/^[A-Za-z0-9_-]{1,64}$/.test(a.name)) out.push(`--name "${a.name}": letters, digits, - and _ only (it becomes hsprofile.<name>.json)`);
  if (!a.account) out.push('--account is required: your HubSpot account id (hs account list shows it)');
  else if (!/^[1-9]\d{0,15}$/.test(a.account)) out.push(`--account "${a.account}": a positive whole number (0 is refused by the CLI: "missing an account id")`);
  if (!a.apiBaseUrl) out.push('--api-base-url is required: the backend\'s public https URL (PUBLIC_BASE_URL)');
  else {
    let u: URL | null = null;
    try {
      u = new URL(a.apiBaseUrl);
    } catch {
      out.push(`--api-base-url "${a.apiBaseUrl}" is not a URL`);
    }
    if (u && u.protocol !== 'https:') out.push(`--api-base-url must be https (hubspot.fetch only calls https origins listed in permittedUrls.fetch)`);
    if (u && (u.pathname !== '/' || u.search || u.hash)) out.push('--api-base-url must be an origin only, e.g. https://api.example.com (no path)');
  }
  return out;
}

export function writeProfile(srcDir: string, p: ProfileInput): string {
  const file = path.join(srcDir, `hsprofile.${p.name}.json`);
  const body = { accountId: p.accountId, variables: { apiBaseUrl: p.apiBaseUrl.replace(/\/+$/, '') } };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
