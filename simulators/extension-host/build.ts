// Bundles the extensions the way HubSpot's build does (@hubspot/ui-extensions-dev-server: one IIFE per
// entrypoint, with react, react-dom and @remote-ui/react left out and read from the worker's globals
// `React` and `RemoteUI`), plus the worker runtime and the host page script. esbuild, in memory.
import { build, type Plugin } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverExtensions, type ExtensionInfo } from './discover.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');

/** HubSpot's ROLLUP_OPTIONS: external ['react', 'react-dom', '@remote-ui/react'], globals React / RemoteUI. */
export const HUBSPOT_EXTERNALS: Record<string, string> = { react: 'React', 'react-dom': 'ReactDOM', '@remote-ui/react': 'RemoteUI' };

function externalsAsGlobals(globals: Record<string, string>): Plugin {
  return {
    name: 'hubspot-externals',
    setup(b) {
      const filter = new RegExp(`^(${Object.keys(globals).map((k) => k.replace(/[/@-]/g, '\\$&')).join('|')})$`);
      b.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'hs-global' }));
      b.onLoad({ filter: /.*/, namespace: 'hs-global' }, (a) => ({ contents: `module.exports = self[${JSON.stringify(globals[a.path])}];`, loader: 'js' }));
    },
  };
}

export interface BuiltExtension extends ExtensionInfo {
  /** The IIFE the worker loads, or null when the build failed. */
  code: string | null;
  /** esbuild's errors, as HubSpot's build would print them. */
  errors: string[];
}

export interface HostBundles {
  extensions: BuiltExtension[];
  worker: string;
  page: string;
  ms: number;
}

const common = { bundle: true, write: false, logLevel: 'silent', target: 'es2022', legalComments: 'none', absWorkingDir: REPO_ROOT } as const;
const define = { 'process.env.NODE_ENV': JSON.stringify('production') };

export async function buildExtension(x: ExtensionInfo): Promise<BuiltExtension> {
  try {
    const r = await build({ ...common, entryPoints: [x.entry], format: 'iife', jsx: 'automatic', define, plugins: [externalsAsGlobals(HUBSPOT_EXTERNALS)] });
    return { ...x, code: r.outputFiles[0].text, errors: [] };
  } catch (e) {
    const errs = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    return { ...x, code: null, errors: errs?.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)) ?? [String(e)] };
  }
}

async function bundleFile(entry: string): Promise<string> {
  const r = await build({ ...common, entryPoints: [path.join(HERE, entry)], format: 'iife', jsx: 'automatic', define, minify: true });
  return r.outputFiles[0].text;
}

/** Everything the host serves: each extension found under `extensionsRoot`, the worker runtime, the page script. */
export async function buildHost(extensionsRoot = path.join(REPO_ROOT, 'extensions')): Promise<HostBundles> {
  const started = performance.now();
  const found = discoverExtensions(extensionsRoot);
  const [worker, page, ...extensions] = await Promise.all([
    bundleFile('worker/runtime.tsx'),
    bundleFile('page/host.tsx'),
    ...found.map((x) => buildExtension(x)),
  ]);
  return { extensions, worker, page, ms: Math.round(performance.now() - started) };
}
