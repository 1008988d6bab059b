// Finds the app's UI extensions the way `hs project upload` does: every `*-hsmeta.json` under
// extensions/ whose type is a card, a settings page or an app page, with its entrypoint file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ExtensionKind = 'card' | 'settings' | 'page';

export interface ExtensionInfo {
  uid: string;
  kind: ExtensionKind;
  name: string;
  /** crm.record.tab, settings, … (what `context.location` says). */
  location: string;
  /** Absolute path of the entrypoint source. */
  entry: string;
  /** The hsmeta file it came from (relative to the extensions root), for error messages. */
  meta: string;
}

const KINDS: Record<string, ExtensionKind> = { card: 'card', settings: 'settings', page: 'page', pages: 'page' };

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('-hsmeta.json')) out.push(p);
  }
  return out;
}

/** `root` is the project's `extensions/` folder (entrypoints in hsmeta are relative to it: "/app/cards/X.tsx"). */
export function discoverExtensions(root: string): ExtensionInfo[] {
  const found: ExtensionInfo[] = [];
  for (const file of walk(root, []).sort()) {
    const meta = JSON.parse(readFileSync(file, 'utf8')) as { uid?: string; type?: string; config?: Record<string, unknown> };
    const kind = KINDS[String(meta.type)];
    const entrypoint = meta.config?.entrypoint;
    if (!kind || typeof entrypoint !== 'string') continue;
    const location = kind === 'card' ? String(meta.config?.location ?? 'crm.record.tab') : kind === 'settings' ? 'settings' : 'app.page';
    found.push({
      uid: String(meta.uid ?? path.basename(file, '-hsmeta.json')),
      kind,
      name: String(meta.config?.name ?? (kind === 'settings' ? 'Settings' : meta.uid)),
      location,
      entry: path.join(root, entrypoint.replace(/^\/+/, '')),
      meta: path.relative(root, file),
    });
  }
  return found;
}
