// Tables, tabs, statistics and charts (simple SVG), drawn as plain HTML.
import { Children, isValidElement, useState, type ReactElement } from 'react';
import { hs, useCall, useMirror, type P } from './support';

const el = (tag: string, name: string) => {
  const C = (p: P) => {
    const T = tag as 'div';
    return (
      <T className={`hs-${name.toLowerCase()}`} {...hs(name, p)}>
        {p.children}
      </T>
    );
  };
  return C;
};

export const TableHead = el('thead', 'TableHead');
export const TableBody = el('tbody', 'TableBody');
export const TableFooter = el('tfoot', 'TableFooter');
export const TableRow = el('tr', 'TableRow');
export const TableHeader = el('th', 'TableHeader');
export const TableCell = el('td', 'TableCell');
export const Table = (p: P) => {
  const call = useCall();
  return (
    <div {...hs('Table', p)} className="hs-table-wrap">
      <table className="hs-table">{p.children}</table>
      {p.paginated && Number(p.pageCount) > 1 ? (
        <div className="hs-pager">
          <button type="button" disabled={Number(p.page ?? 1) <= 1} onClick={() => call(p.onPageChange, Number(p.page ?? 1) - 1)}>
            Prev
          </button>
          <span>
            {p.page ?? 1} / {p.pageCount}
          </span>
          <button type="button" disabled={Number(p.page ?? 1) >= Number(p.pageCount)} onClick={() => call(p.onPageChange, Number(p.page ?? 1) + 1)}>
            Next
          </button>
        </div>
      ) : null}
    </div>
  );
};

export const List = (p: P) => {
  const T = p.variant === 'ordered' ? 'ol' : 'ul';
  return (
    <T {...hs('List', p)}>
      {Children.map(p.children, (c) => (
        <li>{c}</li>
      ))}
    </T>
  );
};

/** A child's own props: children arrive as remote-ui nodes, whose props sit on `component`. */
const propsOf = (c: ReactElement<P>): P => (c.props.component?.props as P | undefined) ?? c.props;

/** Tabs draws its Tab children's titles as buttons and only the selected tab's content. */
export const Tabs = (p: P) => {
  const call = useCall();
  const tabs = (Children.toArray(p.children).filter(isValidElement) as ReactElement<P>[]).map((c) => ({ el: c, props: propsOf(c) }));
  const [local, setLocal] = useState<string | undefined>(p.defaultSelected);
  const [selected] = useMirror<string | undefined>(p.selected, undefined);
  const current = String(selected ?? local ?? tabs[0]?.props.tabId ?? '');
  return (
    <div {...hs('Tabs', p)} className="hs-tabs">
      <div role="tablist" className="hs-tablist">
        {tabs.map((t) => (
          <button
            type="button"
            role="tab"
            key={String(t.props.tabId)}
            aria-selected={String(t.props.tabId) === current}
            disabled={!!t.props.disabled}
            data-testid={t.props.testId ? `${t.props.testId}-tab` : undefined}
            onClick={() => {
              setLocal(String(t.props.tabId));
              call(p.onSelectedChange, t.props.tabId);
            }}
          >
            {t.props.title}
          </button>
        ))}
      </div>
      {tabs.filter((t) => String(t.props.tabId) === current).map((t) => t.el)}
    </div>
  );
};
export const Tab = (p: P) => (
  <div role="tabpanel" {...hs('Tab', p)}>
    {p.children}
  </div>
);

export const Statistics = (p: P) => (
  <div {...hs('Statistics', p)} className="hs-stats">
    {p.children}
  </div>
);
export const StatisticsItem = (p: P) => (
  <div {...hs('StatisticsItem', p)} className="hs-stat">
    <small>{p.label}</small>
    <b>{String(p.number ?? '')}</b>
    {p.children}
  </div>
);
export const StatisticsTrend = (p: P) => (
  <span {...hs('StatisticsTrend', p)} className={`hs-trend hs-trend-${p.direction ?? 'increase'}`}>
    {p.direction === 'decrease' ? '▼' : '▲'} {String(p.value ?? '')}
  </span>
);

type Row = Record<string, unknown>;
function chart(kind: 'BarChart' | 'LineChart') {
  const C = (p: P) => {
    const data = (Array.isArray(p.data) ? p.data : (p.data?.data ?? [])) as Row[];
    const xf = String(p.axes?.x?.field ?? 'x');
    const yf = String(p.axes?.y?.field ?? 'y');
    const ys = data.map((r) => Number(r[yf]) || 0);
    const max = Math.max(1, ...ys);
    const w = 320;
    const h = 140;
    const step = data.length ? w / data.length : w;
    const pts = ys.map((y, i) => `${i * step + step / 2},${h - (y / max) * (h - 10)}`).join(' ');
    return (
      <figure {...hs(kind, p)} className="hs-chart">
        {p.options?.title ? <figcaption>{p.options.title}</figcaption> : null}
        <svg viewBox={`0 0 ${w} ${h + 16}`} width="100%" role="img" aria-label={p.options?.title ?? kind}>
          {kind === 'BarChart'
            ? ys.map((y, i) => <rect key={i} x={i * step + 2} y={h - (y / max) * (h - 10)} width={Math.max(1, step - 4)} height={(y / max) * (h - 10)} fill="#00a4bd" />)
            : <polyline points={pts} fill="none" stroke="#ff7a59" strokeWidth="2" />}
          {data.map((r, i) => (
            <text key={i} x={i * step + step / 2} y={h + 12} fontSize="9" textAnchor="middle">
              {String(r[xf] ?? '')}
            </text>
          ))}
        </svg>
      </figure>
    );
  };
  return C;
}
export const BarChart = chart('BarChart');
export const LineChart = chart('LineChart');

const stack = (name: string, dir: 'row' | 'column') => (p: P) => (
  <div {...hs(name, p)} style={{ display: 'flex', flexDirection: dir, gap: 8, flexWrap: 'wrap' }}>
    {p.children}
  </div>
);
export const Inline = stack('Inline', 'row');
export const Stack = stack('Stack', 'column');
export const AutoGrid = (p: P) => (
  <div {...hs('AutoGrid', p)} style={{ display: 'grid', gridTemplateColumns: `repeat(auto-fill, minmax(${Number(p.columnWidth ?? 160)}px, 1fr))`, gap: 8 }}>
    {p.children}
  </div>
);
export const Icon = (p: P) => <span {...hs('Icon', p)} className="hs-icon" aria-hidden="true">●</span>;
export const Illustration = (p: P) => <span {...hs('Illustration', p)} />;
export const Tooltip = (p: P) => <span {...hs('Tooltip', p)}>{p.children}</span>;
export const ScoreCircle = (p: P) => <span {...hs('ScoreCircle', p)} className="hs-tag">{String(p.score ?? '')}</span>;
export const StepIndicator = (p: P) => (
  <ol {...hs('StepIndicator', p)} className="hs-steps">
    {((p.stepNames ?? []) as string[]).map((s, i) => (
      <li key={s} aria-current={i === Number(p.currentStep ?? 0) ? 'step' : undefined}>
        {s}
      </li>
    ))}
  </ol>
);
export const Accordion = (p: P) => (
  <details {...hs('Accordion', p)} open={!!p.defaultOpen}>
    <summary>{p.title}</summary>
    {p.children}
  </details>
);
