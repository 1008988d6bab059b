// Runs inside the Web Worker, before the extension's bundle: the globals HubSpot's extension worker
// provides (`React`, `RemoteUI`, `extend_V2`, `hsFetch`, `hsWorkerAPI`, `logger`), then the bundle
// itself via importScripts. There is no DOM here, so `document`/`window` throw as they do in HubSpot.
import * as React from 'react';
import * as RemoteUI from '@remote-ui/react';
import { createRemoteRoot, type RemoteChannel, type RemoteRoot } from '@remote-ui/core';
import { createEndpoint, retain, type MessageEndpoint } from '@remote-ui/rpc';

/** What the page exposes to the worker (page/host.tsx). */
export interface PageApi {
  fetch(url: string, init: Record<string, unknown>): Promise<{ status: number; headers: Record<string, string>; body: string }>;
  action(name: string, args: unknown[]): Promise<unknown>;
  reportError(e: { message: string; stack?: string; where: string }): void;
  log(level: string, data: unknown[]): void;
}

export interface StartInput {
  bundleUrl: string;
  context: Record<string, unknown>;
  location?: { path: string; params: Record<string, string> };
}

type Api = { context: Record<string, unknown>; actions: Record<string, (...a: unknown[]) => unknown>; location: StartInput['location'] };
type RenderFn = (api: { context: unknown; actions: unknown; runServerlessFunction: unknown }) => React.ReactNode;

const g = self as unknown as Record<string, unknown>;
const endpoint = createEndpoint<PageApi>(self as unknown as MessageEndpoint);
const page = endpoint.call;

const describe = (e: unknown) => (e instanceof Error ? { message: `${e.name}: ${e.message}`, stack: e.stack } : { message: String(e) });
const report = (e: unknown, where: string) => void page.reportError({ ...describe(e), where });

const ACTIONS = ['addAlert', 'openIframeModal', 'closeOverlay', 'reloadPage', 'copyTextToClipboard', 'fetchCrmObjectProperties', 'refreshObjectProperties', 'onCrmPropertiesUpdate', 'navigateToPage'];
const actions = Object.fromEntries(ACTIONS.map((name) => [name, (...args: unknown[]) => page.action(name, args)]));

let registered: RenderFn | null = null;
let api: Api = { context: {}, actions, location: undefined };
let root: RemoteRoot | null = null;
const ApiContext = React.createContext<Api>(api);

class Boundary extends React.Component<{ children?: React.ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch(error: unknown) {
    report(error, 'render');
  }
  render() {
    return this.state.failed ? null : this.props.children;
  }
}

function paint() {
  if (!root || !registered) return;
  const fn = registered;
  const Extension = () => <>{fn({ context: api.context, actions: api.actions, runServerlessFunction: g.serverless })}</>;
  const r = root;
  RemoteUI.render(
    <ApiContext.Provider value={api}>
      <Boundary>
        <Extension />
      </Boundary>
    </ApiContext.Provider>,
    r,
    () => void r.mount(),
  );
}

g.React = React;
g.RemoteUI = RemoteUI;
g.__HUBSPOT_EXTENSION_WORKER__ = true;
g.extend_V2 = (fn: RenderFn) => {
  registered = fn;
};
g.hsFetch = async (url: string, init: Record<string, unknown> = {}) => {
  const r = await page.fetch(String(url), init);
  const empty = [101, 204, 205, 304].includes(r.status);
  return new Response(empty ? null : r.body, { status: r.status, headers: r.headers });
};
g.serverless = () => Promise.reject(new Error('serverless functions do not exist on this platform version; use hubspot.fetch'));
// The sandbox has no network of its own: HubSpot's proxy (hubspot.fetch) is the only way out.
g.fetch = () => Promise.reject(new TypeError('fetch is not available in a UI extension; use hubspot.fetch'));
g.logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((l) => [l, (...data: unknown[]) => page.log(l, data)]));
g.hsWorkerAPI = {
  useExtensionContext: () => React.useContext(ApiContext).context,
  useExtensionActions: () => React.useContext(ApiContext).actions,
  useExtensionApi: () => {
    const a = React.useContext(ApiContext);
    return { context: a.context, actions: a.actions, runServerlessFunction: g.serverless };
  },
  useAppPageLocation: () => React.useContext(ApiContext).location ?? { path: '/', params: {} },
  fetchCrmProperties: async (names: string[]) => {
    const data = await page.action('fetchCrmObjectProperties', [names]);
    return new Response(JSON.stringify({ data }), { headers: { 'content-type': 'application/json' } });
  },
};
self.addEventListener('error', (e) => report((e as ErrorEvent).error ?? (e as ErrorEvent).message, 'uncaught'));
self.addEventListener('unhandledrejection', (e) => report((e as PromiseRejectionEvent).reason, 'promise'));

endpoint.expose({
  start(input: StartInput, channel: RemoteChannel) {
    retain(channel);
    api = { context: input.context, actions, location: input.location };
    try {
      (self as unknown as { importScripts(u: string): void }).importScripts(input.bundleUrl);
    } catch (e) {
      report(e, 'load');
      return;
    }
    if (!registered) {
      report(new Error('The extension never called hubspot.extend()'), 'load');
      return;
    }
    root = createRemoteRoot(channel);
    paint();
  },
  setLocation(location: StartInput['location']) {
    api = { ...api, location };
    paint();
  },
});
