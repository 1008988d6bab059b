// npm run hubspot:profile -- --name prod --account 123456 --api-base-url https://api.example.com
// Writes extensions/hsprofile.<name>.json for `hs project upload --profile <name>` / `hs project dev --profile <name>`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profileProblems, writeProfile } from './hubspot/profile.js';

const root = path.resolve(import.meta.dirname, '..');
let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: { name: { type: 'string' }, account: { type: 'string' }, 'api-base-url': { type: 'string' } },
    strict: true,
  }) as { values: Record<string, string | undefined> });
} catch (e) {
  console.error(`hubspot:profile: ${(e as Error).message}`);
  console.error('usage: npm run hubspot:profile -- --name prod --account 123456 --api-base-url https://api.example.com');
  process.exit(2);
}
const args = { name: values.name, account: values.account, apiBaseUrl: values['api-base-url'] };
const problems = profileProblems(args);
if (problems.length > 0) {
  for (const p of problems) console.error(`hubspot:profile: ${p}`);
  console.error('usage: npm run hubspot:profile -- --name prod --account 123456 --api-base-url https://api.example.com');
  process.exit(2);
}
const { srcDir } = JSON.parse(readFileSync(path.join(root, 'hsproject.json'), 'utf8')) as { srcDir: string };
const file = writeProfile(path.join(root, srcDir), { name: args.name!, accountId: Number(args.account), apiBaseUrl: args.apiBaseUrl! });
console.log(`wrote ${path.relative(root, file)}: hs project upload --profile ${args.name}`);
