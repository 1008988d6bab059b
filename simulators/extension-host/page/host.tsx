// The page side of the local extension host: one Web Worker per mounted extension, a remote-ui
// receiver, and the components drawn as plain HTML. `window.HubSpotExtensionHost.mount(el, …)`.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createRemoteReceiver } from '@remote-ui/core';
import { RemoteRenderer, createController } from '@remote-ui/react/host';
import { createEndpoint, fromWebWorker, retain, type MessageEndpoint } from '@remote-ui/rpc';
import type { PageApi, StartInput } from '../worker/runtime';
import * as Data from './components-data';
import * as Forms from './components-forms';
import * as Layout from './components-layout';
import { Host, Unknown } from './support';

const COMPONENTS: Record<string, React.ComponentType<any>> = {
  ...Layout, ...Forms, ...Data, Textarea: Forms.TextArea, PageHeaderPageLink: Layout.PageLink, PageBreadcrumbsPageLink: Layout.PageLink,
};
const controller = createController(COMPONENTS, {
  renderComponent(props, { renderDefault }) {
    return COMPONENTS[props.component.type] ? renderDefault() : <Unknown key={props.key} type={props.component.type} />;
  },
});

export interface ExtensionListing {
  uid: string;
  kind: 'card' | 'settings' | 'page';
  name: string;
  location: string;
  bundleUrl: string;
  errors: string[];
}

export interface MountOptions {
  uid: string;
  context: Record<string, any> & { portal: { id: number }; user: { id: number } };
  location?: StartInput['location'];
  /** Answers actions.fetchCrmObjectProperties (the record's properties). */
  crmProperties?: (names: string[]) => Promise<Record<string, string | null>>;
  onRefreshProperties?: () => void;
}

interface Problem {
  where: string;
  message: string;
}
interface Modal {
  uri: string;
  title?: string;
  width: number;
  height: number;
  onClose?: () => void;
}
interface Alert {
  id: number;
  title?: string;
  message: string;
  type?: string;
}

const BASE = '/extension-host';
type Listing = { extensions: ExtensionListing[]; permitted: { fetch: string[]; iframe: string[] } };
let listing: Promise<Listing> | null = null;
export const extensions = (): Promise<Listing> => (listing ??= fetch(`${BASE}/extensions`).then((r) => r.json() as Promise<Listing>));

const permitted = (url: string, prefixes: string[]) => prefixes.some((p) => url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`) || url.startsWith(`${p}?`));

function Frame(p: { o: MountOptions; onReload: () => void; locationRef: { set?: (l: StartInput['location']) => void } }) {
  const [receiver] = useState(() => createRemoteReceiver());
  const [problems, setProblems] = useState<Problem[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [modal, setModal] = useState<Modal | null>(null);
  const modalRef = useRef<Modal | null>(null);
  const frameRef = useRef<HTMLIFrameElement | null>(null);
  modalRef.current = modal;
  const report = (e: unknown, where: string) =>
    setProblems((ps) => [...ps, { where, message: e instanceof Error ? `${e.name}: ${e.message}` : String((e as { message?: string })?.message ?? e) }]);
  const closeModal = () => {
    const m = modalRef.current;
    setModal(null);
    if (m?.onClose) void Promise.resolve(m.onClose()).catch(() => undefined);
  };

  useEffect(() => {
    let worker: Worker | null = null;
    let alive = true;
    void extensions().then(({ extensions: all, permitted: allow }) => {
      if (!alive) return;
      const x = all.find((e) => e.uid === p.o.uid);
      if (!x) return report(new Error(`no extension ${p.o.uid} in extensions/**/*-hsmeta.json`), 'load');
      if (x.errors.length) return setProblems(x.errors.map((m) => ({ where: 'build', message: m })));
      worker = new Worker(`${BASE}/worker.js`);
      const endpoint = createEndpoint<{ start(i: StartInput, ch: unknown): void; setLocation(l: StartInput['location']): void }>(fromWebWorker(worker) as MessageEndpoint);
      const pageApi: PageApi = {
        async fetch(url, init) {
          if (!permitted(url, allow.fetch)) throw new Error(`hubspot.fetch: ${url} is not in permittedUrls.fetch`);
          const r = await fetch(`${BASE}/fetch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ url, init, portalId: p.o.context.portal.id, userId: p.o.context.user.id }),
          });
          const body = (await r.json()) as { status: number; headers: Record<string, string>; body: string; error?: { message: string } };
          if (!r.ok) throw new Error(body.error?.message ?? `hubspot.fetch failed (${r.status})`);
          return body;
        },
        async action(name, args) {
          return runAction(name, args, { allow, setModal, setAlerts, closeModal, o: p.o, onReload: p.onReload, locationRef: p.locationRef, endpoint });
        },
        reportError: (e) => report(new Error(e.message), e.where),
        log: (level, data) => (console as unknown as Record<string, (...a: unknown[]) => void>)[level]?.(`[${p.o.uid}]`, ...data),
      };
      endpoint.expose(pageApi as unknown as Record<string, (...a: any[]) => any>);
      worker.addEventListener('error', (e) => report(new Error(e.message || 'the worker failed'), 'worker'));
      void endpoint.call.start({ bundleUrl: new URL(x.bundleUrl, location.href).href, context: p.o.context, location: p.o.location }, receiver.receive);
      p.locationRef.set = (l) => void endpoint.call.setLocation(l);
    });
    const onMessage = (e: MessageEvent) => {
      if (!modalRef.current || e.source !== frameRef.current?.contentWindow) return;
      let d = e.data as unknown;
      if (typeof d === 'string') {
        try {
          d = JSON.parse(d);
        } catch {
          return;
        }
      }
      if ((d as { action?: string })?.action === 'DONE') closeModal();
    };
    window.addEventListener('message', onMessage);
    return () => {
      alive = false;
      window.removeEventListener('message', onMessage);
      worker?.terminate();
    };
    // One worker per mount: a new context means a new mount (as a page navigation in HubSpot).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <Host.Provider value={{ report, navigate: (l) => p.locationRef.set?.(l) }}>
      <div className="hs-ext" data-extension={p.o.uid}>
        {problems.map((x, i) => (
          <div key={i} className="hs-ext-error" data-testid="extension-error" role="alert">
            <b>This extension failed ({x.where})</b>
            <pre>{x.message}</pre>
          </div>
        ))}
        {alerts.map((a) => (
          <div key={a.id} className={`hs-alert hs-alert-${a.type ?? 'info'}`} data-testid="extension-alert" role="status">
            {a.title ? <b className="hs-alert-title">{a.title}</b> : null} {a.message}
            <button type="button" onClick={() => setAlerts((as) => as.filter((y) => y.id !== a.id))}>×</button>
          </div>
        ))}
        <RemoteRenderer receiver={receiver} controller={controller} />
        {modal ? (
          <div className="hs-modal-backdrop" data-testid="iframe-modal">
            <div className="hs-modal" style={{ width: Math.min(modal.width, 900) }}>
              <header>
                <b>{modal.title ?? ''}</b>
                <button type="button" data-testid="iframe-modal-close" onClick={closeModal}>
                  ×
                </button>
              </header>
              <iframe ref={frameRef} src={modal.uri} title={modal.title ?? 'iframe'} style={{ width: '100%', height: Math.min(modal.height, 700) }} />
            </div>
          </div>
        ) : null}
      </div>
    </Host.Provider>
  );
}

let alertSeq = 0;
async function runAction(name: string, args: unknown[], h: {
  allow: { iframe: string[] };
  setModal(m: Modal | null): void;
  setAlerts(f: (a: Alert[]) => Alert[]): void;
  closeModal(): void;
  o: MountOptions;
  onReload(): void;
  locationRef: { set?: (l: StartInput['location']) => void };
  endpoint: unknown;
}): Promise<unknown> {
  const a = (args[0] ?? {}) as Record<string, any>;
  switch (name) {
    case 'addAlert':
      h.setAlerts((as) => [...as.slice(-2), { id: ++alertSeq, title: a.title, message: String(a.message ?? ''), type: a.type }]);
      return undefined;
    case 'openIframeModal': {
      const uri = String(a.uri ?? '');
      if (!permitted(uri, h.allow.iframe)) throw new Error(`openIframeModal: ${uri} is not in permittedUrls.iframe`);
      const onClose = typeof args[1] === 'function' ? (args[1] as () => void) : undefined;
      if (onClose) retain(onClose);
      h.setModal({ uri, title: a.title, width: Number(a.width ?? 640), height: Number(a.height ?? 480), onClose });
      return undefined;
    }
    case 'closeOverlay':
      h.closeModal();
      return undefined;
    case 'reloadPage':
      h.onReload();
      return undefined;
    case 'copyTextToClipboard':
      document.body.dataset.copied = String(args[0] ?? '');
      await navigator.clipboard?.writeText(String(args[0] ?? '')).catch(() => undefined);
      return undefined;
    case 'fetchCrmObjectProperties':
      return h.o.crmProperties ? h.o.crmProperties((Array.isArray(args[0]) ? args[0] : []) as string[]) : {};
    case 'refreshObjectProperties':
      h.o.onRefreshProperties?.();
      return undefined;
    case 'onCrmPropertiesUpdate':
      if (typeof args[1] === 'function') retain(args[1]);
      return undefined;
    case 'navigateToPage':
      h.locationRef.set?.({ path: String(a.to ?? '/'), params: (a.params ?? {}) as Record<string, string> });
      return undefined;
    default:
      throw new Error(`unknown action ${name}`);
  }
}

/** Mounts one extension into `el`; returns a handle to unmount it. */
export function mount(el: HTMLElement, o: MountOptions) {
  const root = createRoot(el);
  const locationRef: { set?: (l: StartInput['location']) => void } = {};
  let n = 0;
  const draw = () => root.render(<Frame key={++n} o={o} onReload={draw} locationRef={locationRef} />);
  draw();
  return {
    unmount: () => root.unmount(),
    setLocation: (l: StartInput['location']) => locationRef.set?.(l),
  };
}

(window as unknown as Record<string, unknown>).HubSpotExtensionHost = { mount, extensions };
