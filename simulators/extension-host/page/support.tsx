// What every drawn component shares: its `data-hs-component` marker, the testId, and calling the
// extension's callbacks (they live in the worker; a throw there is shown, not swallowed).
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

export type P = Record<string, any> & { children?: ReactNode };

export interface HostServices {
  report(e: unknown, where: string): void;
  /** An app page's own navigation (PageLink): the worker renders the page at this location. */
  navigate?(to: { path: string; params: Record<string, string> }): void;
}

export const Host = createContext<HostServices>({ report: () => undefined });

export function useCall() {
  const host = useContext(Host);
  return (fn: unknown, ...args: unknown[]) => {
    if (typeof fn !== 'function') return;
    Promise.resolve()
      .then(() => fn(...args))
      .catch((e) => host.report(e, 'event handler'));
  };
}

/** The attributes every component carries. */
export const hs = (name: string, p: P, extra: Record<string, unknown> = {}) => ({
  'data-hs-component': name,
  ...(p.testId ? { 'data-testid': String(p.testId) } : {}),
  ...(p.variant ? { 'data-variant': String(p.variant) } : {}),
  ...extra,
});

/** An input's own value, following the extension's `value` prop when it changes (it arrives async). */
export function useMirror<T>(value: T | undefined, fallback: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(value ?? fallback);
  useEffect(() => {
    if (value !== undefined) setV(value);
  }, [value]);
  return [v, setV];
}

export function Field(p: P & { name: string; control: ReactNode; id: string }) {
  return (
    <div className="hs-field" {...hs(p.name, p)} data-disabled={p.disabled || p.readOnly || p.readonly ? 'true' : undefined}>
      {p.label ? (
        <label className="hs-label" htmlFor={p.id}>
          {p.label}
          {p.required ? <span className="hs-required">*</span> : null}
        </label>
      ) : null}
      {p.description ? <div className="hs-help">{p.description}</div> : null}
      {p.control}
      {p.error && p.validationMessage ? <div className="hs-invalid">{p.validationMessage}</div> : null}
      {!p.error && p.validationMessage ? <div className="hs-help">{p.validationMessage}</div> : null}
    </div>
  );
}

let seq = 0;
export const useId = (prefix: string) => useState(() => `${prefix}-${++seq}`)[0];

export function Unknown({ type }: { type: string }) {
  return (
    <div className="hs-unknown" data-hs-component="Unknown" data-testid="unknown-component" role="alert">
      Unknown component <b>{type}</b>: the local extension host cannot draw it.
    </div>
  );
}
