// npm run check:hubspot — HubSpot's own offline tooling judges the project (docs/hubspot-tools.md):
// 1. project-parsing-lib `translate` without a profile and with each profile (no `${…}` left);
// 2. the dev server's `remoteBuild` of every extension entrypoint found in extensions/**/*-hsmeta.json,
//    with each bundle's size; a module from outside the extension's folder must be a file: workspace package;
// 3. HubSpot's UI-extension ESLint config in every extension package: zero errors.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { getAllHsProfiles, loadHsProfileFile, validateProfileVariables } from '@hubspot/project-parsing-lib/profiles';
import { remoteBuild } from '@hubspot/ui-extensions-dev-server';
import { writeProfile } from './hubspot/profile.js';

const root = path.resolve(import.meta.dirname, '..');
const project = JSON.parse(readFileSync(path.join(root, 'hsproject.json'), 'utf8')) as { srcDir: string; platformVersion: string };
const srcDir = path.join(root, project.srcDir);
const failures: string[] = [];
const fail = (m: string) => {
  failures.push(m);
  console.log(`  FAIL ${m}`);
};

function hsMetaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...hsMetaFiles(p));
    else if (e.name.endsWith('-hsmeta.json')) out.push(p);
  }
  return out;
}

async function translateWith(src: string, profile?: string) {
  // Offline: HubSpot's schema validation needs an account and the network, so it is skipped here.
  const { intermediateRepresentation, skippedHsMetaFiles } = await translate(
    { projectSourceDir: src, platformVersion: project.platformVersion },
    { skipValidation: true, profile },
  );
  for (const f of skippedHsMetaFiles) fail(`${f}: HubSpot skips this -hsmeta.json (not in a component folder)`);
  return intermediateRepresentation;
}

async function checkTranslate() {
  console.log(`== translate (${project.platformVersion}, srcDir ${project.srcDir})`);
  const ir = await translateWith(srcDir);
  for (const [uid, n] of Object.entries(ir.intermediateNodesIndexedByUid)) {
    console.log(`  component ${n.componentType.padEnd(20)} ${uid.padEnd(28)} ${n.metaFilePath}`);
  }
  let profiles = await getAllHsProfiles(srcDir);
  let profileSrc = srcDir;
  let scratch: string | null = null;
  if (profiles.length === 0) {
    // A clean checkout has none (they carry an account id): check one made by npm run hubspot:profile.
    scratch = mkdtempSync(path.join(tmpdir(), 'hs-profile-'));
    cpSync(srcDir, scratch, { recursive: true, filter: (s) => !s.includes(`${path.sep}node_modules`) });
    writeProfile(scratch, { name: 'example', accountId: 123456, apiBaseUrl: 'https://api.example.com' });
    profiles = ['example'];
    profileSrc = scratch;
    console.log('  (no hsprofile.*.json in srcDir: checking one written by npm run hubspot:profile)');
  }
  for (const name of profiles) {
    const file = `hsprofile.${name}.json`;
    const p = loadHsProfileFile(profileSrc, name) as { accountId?: unknown; variables?: Record<string, string | number | boolean> };
    if (!Number.isSafeInteger(p.accountId) || (p.accountId as number) <= 0) fail(`${file}: accountId must be a real account id (the CLI refuses 0)`);
    const v = validateProfileVariables(p.variables ?? {}, name);
    if (!v.success) fail(`${file}: ${v.errors.join('; ')}`);
    const text = JSON.stringify(await translateWith(profileSrc, name));
    const left = text.match(/\$\{[^}]*\}/g) ?? [];
    if (left.length > 0) fail(`${file}: placeholders left after substitution: ${[...new Set(left)].join(', ')}`);
    else console.log(`  profile  ${name.padEnd(12)} account ${p.accountId}  apiBaseUrl ${p.variables?.apiBaseUrl}  no \${…} left`);
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

/** Real paths of the file: packages an extension depends on (what HubSpot's CLI zips with it). */
function filePackages(extDir: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(extDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.values(pkg.dependencies ?? {})
    .filter((spec) => spec.startsWith('file:'))
    .map((spec) => realpathSync(path.resolve(extDir, spec.slice('file:'.length))));
}

async function checkBuilds(): Promise<string[]> {
  console.log('== remoteBuild (@hubspot/ui-extensions-dev-server) of every extension entrypoint');
  const dirs: string[] = [];
  for (const meta of hsMetaFiles(srcDir)) {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as { uid: string; type: string; config?: { entrypoint?: string } };
    if (!m.config?.entrypoint) continue;
    const extDir = path.dirname(meta);
    dirs.push(extDir);
    const entry = path.join(srcDir, m.config.entrypoint);
    const out = mkdtempSync(path.join(tmpdir(), 'hs-build-'));
    try {
      if (!existsSync(entry)) {
        fail(`${m.uid}: entrypoint ${m.config.entrypoint} does not exist`);
        continue;
      }
      await remoteBuild({ root: extDir, entryPoint: entry, outputDir: out, logLevel: 'silent' } as Parameters<typeof remoteBuild>[0]);
      const js = readdirSync(out).filter((f) => f.endsWith('.js'));
      const manifestFile = readdirSync(out).find((f) => f.endsWith('-manifest.json'));
      const bytes = js.reduce((n, f) => n + statSync(path.join(out, f)).size, 0);
      const manifest = manifestFile
        ? (JSON.parse(readFileSync(path.join(out, manifestFile), 'utf8')) as { modules?: { internal: { module: string }[]; external: { module: string }[] } })
        : {};
      const allowed = filePackages(extDir);
      const outside = (manifest.modules?.internal ?? [])
        .map((x) => x.module)
        .filter((mod) => path.isAbsolute(mod) && !mod.includes(`${path.sep}node_modules${path.sep}`));
      const bad = outside.filter((mod) => !allowed.some((dir) => mod.startsWith(dir + path.sep)));
      for (const mod of bad) fail(`${m.uid}: bundles ${path.relative(root, mod)}, outside ${path.relative(root, extDir)}/ and not a file: workspace package`);
      const shared = outside.length - bad.length;
      console.log(
        `  bundle   ${m.type.padEnd(9)} ${m.uid.padEnd(24)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB  ${(manifest.modules?.internal.length ?? 0)} modules (${shared} from workspace packages)`,
      );
    } catch (e) {
      fail(`${m.uid}: HubSpot's build failed: ${(e as Error).message}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return dirs;
}

async function checkLint(extDirs: string[]) {
  console.log("== ESLint with HubSpot's UI-extension config (what hs project lint runs)");
  const packages = new Set(extDirs);
  for (const d of extDirs) for (const p of filePackages(d)) packages.add(p);
  const fallback = path.join(srcDir, 'app', 'cards', 'eslint.config.js');
  for (const dir of packages) {
    const own = path.join(dir, 'eslint.config.js');
    // One process per package, as the CLI runs `npx eslint .` in each (typescript-eslint keys its state on the folder).
    const run = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '-f', 'json', '-c', existsSync(own) ? own : fallback, '.'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    let results: { filePath: string; errorCount: number; warningCount: number; messages: { severity: number; line: number; ruleId: string | null; message: string }[] }[];
    try {
      results = JSON.parse(run.stdout);
    } catch {
      fail(`${path.relative(root, dir)}: eslint did not run: ${run.stderr.trim().split('\n')[0]}`);
      continue;
    }
    const errors = results.reduce((n, r) => n + r.errorCount, 0);
    const warnings = results.reduce((n, r) => n + r.warningCount, 0);
    for (const r of results) {
      for (const msg of r.messages.filter((x) => x.severity === 2)) {
        fail(`${path.relative(root, r.filePath)}:${msg.line} ${msg.ruleId}: ${msg.message.split('\n')[0]}`);
      }
    }
    console.log(`  lint     ${path.relative(root, dir).padEnd(28)} ${results.length} files, ${errors} errors, ${warnings} warnings${existsSync(own) ? '' : ' (no eslint.config.js: used the card\'s)'}`);
  }
}

await checkTranslate();
const dirs = await checkBuilds();
await checkLint(dirs);
if (failures.length > 0) {
  console.log(`check:hubspot: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log('check:hubspot: HubSpot\'s parser, build and lint accept the project');
